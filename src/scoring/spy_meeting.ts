/**
 * Spy meeting, GoodAI's rule: a third per decoded message (any accepted word
 * for it, whole word, case as written), minus one third, once, when the reply
 * also holds an accepted word of a code that was not sent. The "not sent"
 * words come from the code book the test was written from (issue 12):
 * Referee's own for Referee's definitions, GoodAI's for any other.
 */
import { loadGoodaiSpyAnswers, loadSpyCodes } from '../datasets/data-files.js';
import { DatasetError } from '../errors.js';
import { lastAnswer } from './extract.js';
import { hasWord } from './text.js';
import type { Scorer } from './types.js';

const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((w, i) => w === b[i]);

/**
 * Every accepted word of the book the test was written from: Referee's when
 * every expected list is one of Referee's codes, else GoodAI's (whose own
 * older definitions hold shorter lists, yet its scorer still uses its
 * current lists for the "not sent" words).
 */
export function spyVocabulary(expected: readonly (readonly string[])[]): string[] {
  const referee = Object.values(loadSpyCodes())
    .flat()
    .map((c) => c.answers);
  if (expected.every((e) => referee.some((r) => sameList(e, r)))) return referee.flat();
  return loadGoodaiSpyAnswers().flat();
}

export const scoreSpyMeeting: Scorer = (test, answers) => {
  const expected = test.expected_responses;
  if (!expected.every((e) => Array.isArray(e) && e.every((w) => typeof w === 'string'))) {
    throw new DatasetError('DATASET_INVALID', `${test.testId}: expected_responses must be lists of accepted words`);
  }
  const lists = expected as string[][];
  const answer = lastAnswer(answers);
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  const reasons: string[] = [];
  let correct = 0;
  for (const accepted of lists) {
    if (accepted.some((w) => hasWord(answer, w))) {
      correct++;
      reasons.push('Answer contains expected keyword(s)');
    } else reasons.push(`${JSON.stringify(accepted)} not found in answer.`);
  }
  const mine = new Set(lists.flat());
  const confused = spyVocabulary(lists).find((w) => !mine.has(w) && hasWord(answer, w));
  if (confused !== undefined) reasons.push(`Answer also contains \`${confused}\`, which indicates that the agent has recalled something incorrect.`);
  // GoodAI divides by 3, the number of messages every test sends.
  return { score: Math.max((correct - (confused !== undefined ? 1 : 0)) / 3, 0), maxScore: 1, reasons };
};
