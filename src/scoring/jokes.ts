/**
 * Jokes: right when the reply recounts the joke told at that time. GoodAI
 * accepts the joke verbatim, else asks an LLM; without a judge we accept it
 * with punctuation and case ignored (quotes and apostrophes often change).
 */
import { clip, lastAnswer } from './extract.js';
import { standardise } from './text.js';
import type { Scorer } from './types.js';

export const scoreJokes: Scorer = (test, answers) => {
  const expected = String(test.expected_responses[0] ?? '');
  const answer = lastAnswer(answers);
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  if (answer.includes(expected)) return { score: 1, maxScore: 1, reasons: ['The correct joke is recounted.'] };
  // Where GoodAI would ask its LLM, the judge-less fallback ignores punctuation and case (a documented departure).
  if (expected !== '' && standardise(answer).includes(standardise(expected))) {
    return { score: 1, maxScore: 1, reasons: ['The correct joke is recounted (punctuation and case ignored; no judge).'] };
  }
  return { score: 0, maxScore: 1, reasons: [`The joke ${JSON.stringify(clip(expected, 120))} is not in the answer ${JSON.stringify(clip(answer, 160))}.`] };
};
