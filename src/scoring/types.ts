import type { TestDefinition } from '../datasets/types.js';

export interface ScoreResult {
  score: number;
  maxScore: number;
  /** Human-readable reasons, one per scored question. */
  reasons: string[];
}

/**
 * Scores a finished test from its definition and the agent's replies to the
 * question lines (in script order). Pure: no I/O, no clock.
 */
export type Scorer = (test: TestDefinition, answers: string[]) => ScoreResult;
