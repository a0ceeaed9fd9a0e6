/**
 * `matrix-<run-id>.json`, a task suite's summary: one cell per agent × dataset, and what the run
 * was started with, so that `--resume` and `referee merge` carry it on. Written by run-suite.ts
 * and `referee merge`; read back by `--resume`.
 */
import { z } from 'zod';
import { SuiteShardSchema } from '../shards/shard-info.js';

export const MatrixCellSchema = z.object({
  agent: z.string(),
  /** issue 21: null for a protocol agent, whose model Referee does not know. */
  model: z.string().nullable(),
  dataset: z.string(),
  run_id: z.string(),
  run_dir: z.string(),
  status: z.string(),
  tasks: z.number(),
  passed: z.number(),
  errored: z.number(),
  attempts: z.number(),
  pass_rate: z.number(),
  score: z.number(),
  max_score: z.number(),
  tokens_in: z.number(),
  tokens_out: z.number(),
  cost_usd: z.number(),
  duration_s: z.number(),
  tasks_per_s: z.number(),
});
export type MatrixCell = z.infer<typeof MatrixCellSchema>;

/** The challenger of a suite in match mode: its agent name and its config file. */
export const SuiteChallengerSchema = z.object({ agent: z.string(), file: z.string() });
export type SuiteChallenger = z.infer<typeof SuiteChallengerSchema>;

export const MatrixSummarySchema = z.object({
  suite: z.string(),
  suite_file: z.string(),
  created_at: z.string(),
  finished_at: z.string(),
  agents: z.array(z.string()),
  datasets: z.array(z.string()),
  /** The --run-id the cells' ids start with (issue 13: a resumed suite names its remaining cells the same way). */
  run_id: z.string().optional(),
  /**
   * issue 13: a suite in match mode (`--compare-with`): the challenger agent, run as the last
   * agent of the matrix and compared cell by cell with each of the suite's agents.
   */
  challenger: SuiteChallengerSchema.optional(),
  /** `--shard i/N`: this summary is one shard's; `referee merge` puts the shards back together. */
  shard: SuiteShardSchema.optional(),
  /**
   * What the command line gave every cell (--overrides as written, --concurrency, --attempts,
   * --cooling-s, --judge-config's file), kept so that a resume runs the cells not yet started as
   * the first ones ran. Absent: not given (the suite's defaults). Older summaries have none.
   */
  overrides: z.array(z.string()).optional(),
  concurrency: z.number().int().positive().optional(),
  attempts: z.number().int().positive().optional(),
  cooling_s: z.number().nonnegative().optional(),
  judge_config: z.string().optional(),
  cells: z.array(MatrixCellSchema),
});
export type MatrixSummary = z.infer<typeof MatrixSummarySchema>;
