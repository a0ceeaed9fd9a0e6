/**
 * Prospective memory, scored by a callback as in GoodAI: after the request,
 * every reply is watched (other tests' and filler replies too); the n-th,
 * counting the reply to the request as the first, must cite the quote and
 * none of the others may.
 */
import { prospectiveExpected } from '../datasets/generators/prospective_memory.js';
import type { TestDefinition } from '../datasets/types.js';
import { DatasetError } from '../errors.js';
import { standardise } from './text.js';
import type { ScoreResult } from './types.js';

/** What a callback says after each reply: the score so far, and whether it has decided. */
export interface CallbackVerdict extends ScoreResult {
  done: boolean;
}

/** Judges a callback test from the replies seen since it registered, first one first. */
export type CallbackScorer = (test: TestDefinition, replies: readonly string[]) => CallbackVerdict;

function citesQuote(quote: string, message: string): boolean {
  return standardise(message).includes(standardise(quote));
}

export const prospectiveMemoryCallback: CallbackScorer = (test, replies) => {
  const expected = prospectiveExpected(test);
  if (!expected) throw new DatasetError('DATASET_INVALID', `${test.testId}: expected_responses[0] must be [quote, author, n]`);
  const { quote, nth } = expected;
  if (replies.length < nth) return { score: 1, maxScore: 1, reasons: ['Not yet seen'], done: false };
  // issue 12: every reply seen so far is checked, as GoodAI's callback does, not just the first n.
  const seen = replies;
  if (seen.some((r, i) => i !== nth - 1 && citesQuote(quote, r))) {
    return { score: 0, maxScore: 1, reasons: ['The quote is recited somewhere other or additionally to the correct place.'], done: true };
  }
  if (citesQuote(quote, seen[nth - 1]!)) return { score: 1, maxScore: 1, reasons: ['The quote is recited in the correct place.'], done: true };
  return { score: 0, maxScore: 1, reasons: ['The agent did not recite the quote in the correct place.'], done: true };
};
