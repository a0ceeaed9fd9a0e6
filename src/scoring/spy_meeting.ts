/**
 * Spy meeting, GoodAI's rule: a third per decoded message (any accepted word
 * for it, whole word, case as written), minus one third, once, when the reply
 * also holds an accepted word of any other code in the book (GoodAI's code
 * book, data/spy_codes.json, for GoodAI's definitions and Referee's alike:
 * issue 12).
 */
import { loadSpyCodes } from '../datasets/data-files.js';
import { DatasetError } from '../errors.js';
import { lastAnswer } from './extract.js';
import { hasWord } from './text.js';
import type { Scorer } from './types.js';

/** Every accepted word of the code book (GoodAI's `get_answers_for_others` before it drops the test's own). */
export function spyVocabulary(): string[] {
  const book = loadSpyCodes();
  return (['place', 'time', 'thing'] as const).flatMap((topic) => book[topic].flatMap((c) => c.answers));
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
  const confused = spyVocabulary().find((w) => !mine.has(w) && hasWord(answer, w));
  if (confused !== undefined) reasons.push(`Answer also contains \`${confused}\`, which indicates that the agent has recalled something incorrect.`);
  // GoodAI divides by 3, the number of messages every test sends.
  return { score: Math.max((correct - (confused !== undefined ? 1 : 0)) / 3, 0), maxScore: 1, reasons };
};
