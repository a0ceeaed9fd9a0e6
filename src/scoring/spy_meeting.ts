/**
 * Spy meeting, GoodAI's rule: a third per decoded message (any accepted word
 * for it, whole word), minus one third, once, when the reply also holds a
 * word belonging to a code that was not sent (the agent mixed things up).
 */
import { loadSpyCodes } from '../datasets/data-files.js';
import { DatasetError } from '../errors.js';
import { lastAnswer } from './extract.js';
import { hasWord } from './text.js';
import type { Scorer } from './types.js';

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
      reasons.push('Answer contains expected keyword(s).');
    } else reasons.push(`${JSON.stringify(accepted)} not found in answer.`);
  }
  const mine = new Set(lists.flat());
  const others = Object.values(loadSpyCodes())
    .flat()
    .flatMap((c) => c.answers)
    .filter((w) => !mine.has(w));
  const confused = others.find((w) => hasWord(answer, w));
  if (confused !== undefined) reasons.push(`Answer also contains \`${confused}\`, which indicates that the agent has recalled something incorrect.`);
  return { score: Math.max((correct - (confused !== undefined ? 1 : 0)) / lists.length, 0), maxScore: 1, reasons };
};
