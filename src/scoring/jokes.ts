/**
 * Jokes, GoodAI's rule: right when the reply holds the joke verbatim; otherwise GoodAI asks its
 * LLM judge (`evaluate_correct_gpt`), so without a judge the test is `unscored: needs judge`
 * (issue 25), never a number Referee made up.
 */
import { clip, lastAnswer } from './extract.js';
import type { Scorer } from './types.js';

export const scoreJokes: Scorer = (test, answers) => {
  const expected = String(test.expected_responses[0] ?? '');
  const answer = lastAnswer(answers);
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  if (answer.includes(expected)) return { score: 1, maxScore: 1, reasons: ['The correct joke is recounted.'] };
  return {
    score: 0,
    maxScore: 1,
    reasons: [`The joke ${JSON.stringify(clip(expected, 120))} is not in the answer word for word; GoodAI asks its LLM judge whether ${JSON.stringify(clip(answer, 160))} recounts it.`],
    needsJudge: true,
  };
};
