/**
 * Colours: right when the last reply names the latest colour. GoodAI's rule
 * (the default) is a case-insensitive substring, so "red" counts in "bored"
 * and a reply listing every colour passes; `scoring: strict` asks for the
 * colour as a whole word (issue 12).
 */
import { clip, containsWord, lastAnswer } from './extract.js';
import type { Scorer } from './types.js';

export const scoreColours: Scorer = (test, answers, options = {}) => {
  const expected = String(test.expected_responses[0] ?? '');
  const answer = lastAnswer(answers);
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  const found = options.scoring === 'strict' ? expected !== '' && containsWord(answer, expected) : answer.toLowerCase().includes(expected.toLowerCase());
  if (found) return { score: 1, maxScore: 1, reasons: [`"${expected.toLowerCase()}" is in the response.`] };
  return { score: 0, maxScore: 1, reasons: [`"${expected.toLowerCase()}" is NOT in the response ${JSON.stringify(clip(answer))}.`] };
};
