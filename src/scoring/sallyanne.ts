/** SallyAnne: the reply's JSON `{"answer": word}` must be the expected container (GoodAI's rule, case-insensitive). */
import { lastAnswer } from './extract.js';
import { extractJsonObject } from './text.js';
import type { Scorer } from './types.js';

export const scoreSallyAnne: Scorer = (test, answers) => {
  const expected = String(test.expected_responses[0] ?? '').toLowerCase();
  const answer = lastAnswer(answers);
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  const parsed = extractJsonObject(answer);
  if (!parsed.ok) return { score: 0, maxScore: 1, reasons: [`Invalid answer. ${parsed.reason}.`] };
  const given = parsed.value['answer'];
  if (typeof given === 'string' && given.trim().toLowerCase() === expected) {
    return { score: 1, maxScore: 1, reasons: [`The agent answered with ${JSON.stringify(given)}, which is the right answer.`] };
  }
  return { score: 0, maxScore: 1, reasons: [`Invalid answer: ${JSON.stringify(parsed.value)}; expected ${JSON.stringify(expected)}.`] };
};
