/** ChapterBreak, GoodAI's rule: the numbers in the reply must be exactly the right option. */
import { lastAnswer } from './extract.js';
import type { Scorer } from './types.js';

export const scoreChapterBreak: Scorer = (test, answers) => {
  const right = String(test.expected_responses[0] ?? '').trim();
  const answer = lastAnswer(answers);
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  const numbers = new Set(answer.match(/\d+/g) ?? []);
  const correct = numbers.size === 1 && numbers.has(right);
  return { score: correct ? 1 : 0, maxScore: 1, reasons: [`The correct answer (${right}) was ${correct ? '' : 'not '}found in the response.`] };
};
