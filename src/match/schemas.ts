import { z } from 'zod';
import { COMBINED_USAGE_SOURCES } from '../artifacts/schemas.js';

const DatasetScoreSchema = z.object({
  score: z.number(),
  max_score: z.number(),
  tests: z.number().int(),
  /** issue 25: tests left unscored for want of a judge (in `tests`, in no score). */
  unscored: z.number().int().optional(),
  /** score / max_score, 0 when nothing was scored. */
  accuracy: z.number(),
});

/**
 * One run, normalized for comparison: seed 001 3.1's fields (agent_name,
 * total_score, avg_latency_ms, token_cost, metadata_events) first, then the
 * rest a report needs.
 */
export const RunMetricsSchema = z.object({
  agent_name: z.string(),
  total_score: z.number(),
  avg_latency_ms: z.number(),
  /** USD, from the run's pricing (0 for the offline sim). */
  token_cost: z.number(),
  /** Turns whose reply carried agent metadata (memory hits, reasoning, ...). */
  metadata_events: z.number().int(),
  run_id: z.string(),
  run_dir: z.string(),
  role: z.string(),
  /** run.json's status; `running` means the process died without finishing. */
  status: z.string(),
  model: z.string().nullable(),
  max_score: z.number(),
  accuracy: z.number(),
  tests: z.number().int(),
  per_dataset: z.record(z.string(), DatasetScoreSchema),
  /** issue 22: latency (avg, p50, p95) and TTFT are over model calls that answered; pre-filled turns and failed calls are counted apart. */
  latency_p50_ms: z.number(),
  latency_p95_ms: z.number(),
  /** issue 22: the calls the latency figures are over. */
  latency_calls: z.number().int().optional(),
  /** issue 22: turns left out of the latency figures: pre-filled (no call made) and failed calls. */
  latency_excluded: z.object({ prefilled: z.number().int(), failed: z.number().int() }).optional(),
  /** issue 22: end-to-end output tokens/s (whole call, prefill included) over the model calls. */
  tokens_per_s: z.number().nullable().optional(),
  /** issue 22: decode speed: output tokens over the time after the first token (llm_ms - ttft_ms). */
  decode_tokens_per_s: z.number().nullable().optional(),
  ttft_p50_ms: z.number().nullable(),
  tokens_in: z.number(),
  tokens_out: z.number(),
  turns: z.number().int(),
  /** Turns whose last attempt ended in an error (timeout, HTTP, connection, ...). */
  errors: z.number().int(),
  /** issue 22: tests not answered (a scored call failed), judge verdicts unreadable, replies cut at max_tokens. */
  tests_errored: z.number().int().optional(),
  tests_judge_error: z.number().int().optional(),
  /** issue 25: tests GoodAI's LLM judge scores, left unscored for want of one: in no score. */
  tests_unscored: z.number().int().optional(),
  /** runstats.json's coverage in words ("INCOMPLETE: 9 of GoodAI v3's 11 datasets (chapterbreak skipped)"); absent when complete. */
  coverage_note: z.string().optional(),
  turns_truncated: z.number().int().optional(),
  /** issue 21: calls made, one per turn_metrics line (a task tried twice is one turn of two attempts). */
  attempts: z.number().int().optional(),
  duration_s: z.number(),
  pricing_source: z.string(),
  /** issue 16: where the token counts came from (`reported`, `estimated`, `mixed`, `unrecorded` for an import); null for a run without turns. */
  usage_source: z.enum(COMBINED_USAGE_SOURCES).nullable().optional(),
  dataset_sha256: z.string(),
});
export type RunMetrics = z.infer<typeof RunMetricsSchema>;

export const PairedComparisonSchema = z.object({
  n: z.number().int(),
  /** Mean per-test (challenger − champion) in percentage points of max score. */
  diff_points: z.number(),
  ci_low_points: z.number(),
  ci_high_points: z.number(),
  confidence: z.number(),
  resamples: z.number().int(),
  /** issue 21: one rule for the verdict, the p-value and the interval: the paired permutation test (exact up to 16 tests). */
  test: z.enum(['permutation-exact', 'permutation']),
  p_value: z.number(),
  /** The smallest p-value these tests could give; at or above alpha no difference can be significant. */
  min_p_value: z.number().optional(),
  challenger_better: z.number().int(),
  champion_better: z.number().int(),
  ties: z.number().int(),
  significant: z.boolean(),
  /** Higher mean score; `tie` when equal. Whether it is real is `significant`. */
  leader: z.enum(['champion', 'challenger', 'tie']),
  verdict: z.string(),
});
export type PairedComparisonResult = z.infer<typeof PairedComparisonSchema>;

export const MatchResultSchema = z.object({
  match_id: z.string(),
  created_at: z.string(),
  /** The champion's dataset sha256 (both agents' when `datasets_match`). */
  dataset_id: z.string(),
  datasets_match: z.boolean(),
  champion: RunMetricsSchema,
  challenger: RunMetricsSchema,
  comparison: PairedComparisonSchema.extend({
    per_dataset: z.record(z.string(), PairedComparisonSchema),
    per_test: z.array(
      z.object({
        test_id: z.string(),
        dataset: z.string(),
        /** score / max_score of each side, in [0, 1]. */
        champion: z.number(),
        challenger: z.number(),
      }),
    ),
    /** Tests only one side scored (a crashed or interrupted run); left out of the statistics. */
    unpaired_tests: z.array(z.string()),
  }),
  settings: z.object({ resamples: z.number().int(), seed: z.number().int(), alpha: z.number(), confidence: z.number() }),
  /** What went wrong on the way (a crashed child, an interrupted run, different datasets). */
  problems: z.array(z.string()),
});
export type MatchResult = z.infer<typeof MatchResultSchema>;
