/** ChapterBreak, GoodAI's rule: the numbers in the reply must be exactly the right option
 * (Python's `\d` is any Unicode digit, hence `\p{Nd}`, issue 12). */
import { lastAnswer } from './extract.js';
import type { Scorer } from './types.js';

export const scoreChapterBreak: Scorer = (test, answers) => {
  const right = String(test.expected_responses[0] ?? '').trim();
  const answer = lastAnswer(answers);
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  const numbers = new Set(answer.match(/\p{Nd}+/gu) ?? []);
  const correct = numbers.size === 1 && numbers.has(right);
  return { score: correct ? 1 : 0, maxScore: 1, reasons: [`The correct answer (${right}) was ${correct ? '' : 'not '}found in the response.`] };
};
