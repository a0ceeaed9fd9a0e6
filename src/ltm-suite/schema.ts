/**
 * `ltm-suite-<run-id>.json`, the LTM suite's one summary: its runs (agent × dataset config ×
 * seed) and each cell's mean ± 95% CI over seeds. Written by run-ltm-suite.ts and `referee
 * merge`; read back by the viewer, which shows the cells as written.
 */
import { z } from 'zod';
import { SuiteShardSchema } from '../shards/shard-info.js';

export const LtmSuiteRunSchema = z.object({
  agent: z.string(),
  dataset: z.string(),
  seed: z.number().int(),
  run_id: z.string(),
  run_dir: z.string(),
  status: z.string(),
  score: z.number(),
  max_score: z.number(),
  /** score / max_score, the figure averaged over seeds. */
  ratio: z.number(),
  /** issue 22: tests not answered (runstats.json's `tests_errored`); they flag the suite as they flag a run (exit 5). Older summaries: 0. */
  errored: z.number().int().nonnegative().default(0),
});
export type LtmSuiteRun = z.infer<typeof LtmSuiteRunSchema>;

export const LtmSuiteCellSchema = z.object({
  agent: z.string(),
  /** A dataset config's name, or `all`: each seed's score over every dataset / their max. */
  dataset: z.string(),
  /** Seeds averaged (ci.ts MeanCi). */
  n: z.number().int().nonnegative(),
  mean: z.number(),
  /** Half-width of the 95% CI; null for a single seed. */
  ci95: z.number().nullable(),
});
export type LtmSuiteCell = z.infer<typeof LtmSuiteCellSchema>;

export const LtmSuiteSummarySchema = z.object({
  kind: z.literal('ltm'),
  suite: z.string(),
  suite_file: z.string(),
  run_id: z.string(),
  agents: z.array(z.string()),
  datasets: z.array(z.string()),
  seeds: z.array(z.number().int()),
  shard: SuiteShardSchema.optional(),
  /**
   * What the command line gave every run (--concurrency, --judge-config's file, --overrides), kept
   * so that a resume runs the rest as the first ones ran. Absent: not given.
   */
  concurrency: z.number().int().positive().optional(),
  judge_config: z.string().optional(),
  overrides: z.array(z.string()).optional(),
  runs: z.array(LtmSuiteRunSchema),
  cells: z.array(LtmSuiteCellSchema),
});
export type LtmSuiteSummary = z.infer<typeof LtmSuiteSummarySchema>;
