/**
 * Colours: right when the reply names the latest colour. Like GoodAI, a reply
 * that also mentions older colours still counts, as long as the latest is there.
 */
import { clip, containsWord, lastAnswer } from './extract.js';
import type { Scorer } from './types.js';

export const scoreColours: Scorer = (test, answers) => {
  const expected = String(test.expected_responses[0] ?? '');
  const answer = lastAnswer(answers);
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  if (expected !== '' && containsWord(answer, expected)) {
    return { score: 1, maxScore: 1, reasons: [`The colour "${expected}" is in the answer.`] };
  }
  return {
    score: 0,
    maxScore: 1,
    reasons: [`The colour "${expected}" is not in the answer ${JSON.stringify(clip(answer))}.`],
  };
};
