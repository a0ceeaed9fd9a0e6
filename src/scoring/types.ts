import type { TestDefinition } from '../datasets/types.js';

export interface ScoreResult {
  score: number;
  maxScore: number;
  /** Human-readable reasons, one per scored question. */
  reasons: string[];
  /**
   * issue 25: GoodAI hands this test to its LLM judge (its deterministic check could not say yes) and
   * the scorer was given none: `score` means nothing, and the test is reported `unscored: needs judge`.
   */
  needsJudge?: true;
}

/**
 * Which rule a scorer follows where GoodAI's is a known flaw (issue 12):
 * `goodai` reproduces GoodAI's `evaluate_correct` (Colours: the colour as a
 * substring, so "red" is found in "bored"); `strict` asks for whole words.
 */
export type ScoringMode = 'goodai' | 'strict';
export const SCORING_MODES = ['goodai', 'strict'] as const;

export interface ScoringOptions {
  /** @default "goodai" */
  scoring?: ScoringMode;
}

/**
 * Scores a finished test from its definition and the agent's replies to the
 * question lines (in script order). Pure: no I/O, no clock.
 */
export type Scorer = (test: TestDefinition, answers: string[], options?: ScoringOptions) => ScoreResult;
