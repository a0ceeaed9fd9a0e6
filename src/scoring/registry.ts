/** evaluation name → scorer. A test's `evaluation` defaults to its dataset name. */
import { DatasetError } from '../errors.js';
import { scoreColours } from './colours.js';
import { scoreNameList } from './name_list.js';
import { scoreShopping } from './shopping.js';
import type { Scorer } from './types.js';

/** Recorded with every run; bump when a scorer's judgement changes. */
export const SCORING_VERSION = '1.0';

const SCORERS: Readonly<Record<string, Scorer>> = {
  colours: scoreColours,
  name_list: scoreNameList,
  shopping: scoreShopping,
};

export function listScorers(): string[] {
  return Object.keys(SCORERS).sort();
}

export function getScorer(evaluation: string): Scorer {
  const scorer = Object.hasOwn(SCORERS, evaluation) ? SCORERS[evaluation] : undefined;
  if (!scorer) {
    throw new DatasetError('DATASET_INVALID', `no scorer for evaluation "${evaluation}"; known: ${listScorers().join(', ')}`);
  }
  return scorer;
}
