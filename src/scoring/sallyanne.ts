/**
 * SallyAnne, GoodAI's rule: the reply, read with `sanitize_and_parse_json`,
 * must be an object whose `answer`, lower-cased, equals the expected word as
 * written (issue 12: no trimming, and the expected word is not lower-cased).
 */
import { lastAnswer } from './extract.js';
import { sanitizeAndParseJson } from './py-json.js';
import type { PyValue } from './py-json.js';
import type { Scorer } from './types.js';

export const scoreSallyAnne: Scorer = (test, answers) => {
  const expected = String(test.expected_responses[0] ?? '');
  const answer = lastAnswer(answers);
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  let parsed: PyValue;
  try {
    parsed = sanitizeAndParseJson(answer);
  } catch (error) {
    return { score: 0, maxScore: 1, reasons: [`Invalid answer. ${(error as Error).message}`] };
  }
  const given = parsed instanceof Map ? (parsed.has('answer') ? parsed.get('answer') : '') : undefined;
  // GoodAI raises on a non-text answer; Referee scores it 0.
  if (typeof given === 'string' && given.toLowerCase() === expected) {
    return { score: 1, maxScore: 1, reasons: [`The agent answered with ${JSON.stringify(given)}, which is the right answer.`] };
  }
  return { score: 0, maxScore: 1, reasons: [`Invalid answer: ${answer.slice(0, 200)}`] };
};
