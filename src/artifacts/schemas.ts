import { z } from 'zod';
import { SCORING_MODES } from '../scoring/types.js';
import { TEST_STATUSES } from './test-tally.js';

/** `agent_reported` (issue 15): the cost a protocol agent reported for its own LLM calls. */
export const PricingSourceSchema = z.enum(['config', 'table', 'unknown', 'agent_reported']);
export type PricingSource = z.infer<typeof PricingSourceSchema>;
/** issue 22: `partial`: a streamed call cut short (timeout, dropped stream) counted the tokens it received, cl100k. */
/** `unrecorded`: imported results that record no usage per call (GoodAI's published results): their 0 is no count. */
export const UsageSourceSchema = z.enum(['reported', 'estimated', 'partial', 'unrecorded']);

export { COMBINED_USAGE_SOURCES, type CombinedUsageSource } from '../events/shared-shapes.js';
import type { CombinedUsageSource } from '../events/shared-shapes.js';

/** issue 16: one word for many turns' usage_source: `reported`, `estimated`, `mixed`, `unrecorded`, or null where none says. */
export function combinedUsageSource(sources: Iterable<unknown>): CombinedUsageSource | null {
  const seen = new Set<string>();
  // issue 22: a partial count (a cut stream's tokens, counted locally) is an estimate.
  for (const s of sources) {
    if (s === 'reported' || s === 'estimated' || s === 'unrecorded') seen.add(s);
    else if (s === 'partial') seen.add('estimated');
  }
  return seen.size > 1 ? 'mixed' : ((([...seen][0] as CombinedUsageSource | undefined) ?? null));
}

/** issue 16: the prices a run's costs were computed with, in run.json. */
export const RunPricingSchema = z.object({ input_per_mtok: z.number(), output_per_mtok: z.number(), source: PricingSourceSchema });

/** One record per agent turn, failed ones included (seed 000 3.2 plus ttft_ms, cost_usd). */
export const TurnMetricSchema = z.object({
  timestamp: z.string(),
  run_id: z.string(),
  test_id: z.string(),
  turn_id: z.number().int(),
  lane: z.number().int(),
  step: z.number().int(),
  dataset: z.string(),
  kind: z.enum(['test', 'filler']),
  is_question: z.boolean(),
  llm_ms: z.number(),
  storage_ms: z.number(),
  total_ms: z.number(),
  ttft_ms: z.number().nullable(),
  tokens_in: z.number().int(),
  tokens_out: z.number().int(),
  cost_usd: z.number(),
  pricing_source: PricingSourceSchema,
  /** issue 16: where tokens_in/tokens_out came from: the server's `usage`, or counted locally; issue 22: `partial`, what a call cut short had received. Absent on a failed call that received nothing. */
  usage_source: UsageSourceSchema.optional(),
  status: z.enum(['success', 'error']),
  reason: z.string().optional(),
  error: z.string().optional(),
  attempts: z.number().int().optional(),
  /** Tokens of hidden reasoning (`<think>` block or the provider's reasoning field), part of tokens_out. */
  reasoning_tokens: z.number().int().optional(),
  /** issue 12: GoodAI's pre-filled filler: the canned reply went into the agent's history, no call was made. */
  prefilled: z.boolean().optional(),
  /** issue 21: the turn's span (`benchmark.turn`), hex, for a link to the trace in Phoenix; absent without a recording provider. */
  trace_id: z.string().optional(),
  span_id: z.string().optional(),
  /** issue 22: why the model stopped (the stream's `finish_reason`: `stop`, `length` when cut at max_tokens, ...), where it said. */
  finish_reason: z.string().optional(),
  /** issue 22: times the prompt was refused for its length (a context-length error) and sent again, trimmed further. */
  context_retries: z.number().int().optional(),
});
export type TurnMetric = z.infer<typeof TurnMetricSchema>;

/** GoodAI master_log event types, numbered as its tools expect. */
export const MasterLogType = {
  SEND_MESSAGE: 0,
  BEGIN: 1,
  END: 2,
  SEND_FILL: 3,
  RESPONSE_MESSAGE: 4,
  RESPONSE_FILL: 5,
  WAIT: 6,
  SUITE_RESET: 7,
  LLM_CALL: 8,
  REGISTER_CALLBACK: 9,
  DEREGISTER_CALLBACK: 10,
} as const;

export const MasterLogRecordSchema = z.object({
  type: z.number().int().min(0).max(10),
  /** Epoch seconds, as GoodAI's `LogEvent.to_json` writes it. */
  timestamp: z.number(),
  test_id: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type MasterLogRecord = z.infer<typeof MasterLogRecordSchema>;

export const TestScoreSchema = z.object({
  test_id: z.string(),
  dataset: z.string(),
  /** issue 25: null for an `unscored` test (GoodAI's LLM judge scores it and the run had none): not a number, in no total. */
  score: z.number().nullable(),
  max_score: z.number().nullable(),
  reasons: z.array(z.string()),
  errors: z.number().int(),
  /**
   * issue 22: how the test ended when it was not scored as answered. `error`: a scored turn (a
   * question) failed for infrastructure reasons (HTTP error, timeout, overflow after retries), so
   * its score 0 is not the agent's answer. `judge_error`: the judge's verdict could not be read,
   * even retried. Issue 25: `unscored`: GoodAI scores it with its LLM judge and no judge was
   * configured (`--judge-config`); score and max_score are null. Absent: the answers were scored.
   * One definition: test-tally.ts.
   */
  status: z.enum(TEST_STATUSES).optional(),
  /** issue 22: answers of the test cut at max_tokens (finish_reason `length`). */
  truncated: z.number().int().optional(),
});
export type TestScore = z.infer<typeof TestScoreSchema>;

/** GoodAI's runstats.json fields first, then Referee's totals. */
export const RunStatsSchema = z.object({
  total_tokens: z.number(),
  agent_tokens: z.number(),
  agent_costs_usd: z.number(),
  managing_costs_usd: z.number(),
  /** GoodAI's meaning (issue 12): summed agent response time, seconds. */
  duration: z.number(),
  /** Wall time of the run, seconds (Referee's own). */
  wall_duration_s: z.number().optional(),
  /** issue 12: which scorers ran: GoodAI's `evaluate_correct` (`goodai`) or the stricter fixes (`strict`). LTM runs only. */
  scoring: z.enum(SCORING_MODES).optional(),
  run_id: z.string(),
  agent: z.string(),
  score: z.number(),
  max_score: z.number(),
  tokens_in: z.number(),
  tokens_out: z.number(),
  /** issue 21: steps of the plan answered (a task tried twice is one turn); `attempts` counts the calls. */
  turns: z.number().int(),
  /** Turns whose last attempt failed. */
  turns_failed: z.number().int(),
  /** One per turn_metrics.jsonl line; absent in runs written before it was recorded. */
  attempts: z.number().int().optional(),
  /** issue 22: tests whose scored turn failed (status `error`): not answered, their 0 is not a wrong answer. */
  tests_errored: z.number().int().optional(),
  /** issue 22: tests whose judge verdict could not be read even retried (status `judge_error`). */
  tests_judge_error: z.number().int().optional(),
  /** issue 25: tests GoodAI scores with its LLM judge, left unscored for want of one (status `unscored`): in no total. */
  tests_unscored: z.number().int().optional(),
  /**
   * Listed datasets the run has no tests of, skipped for want of their data (ChapterBreak's passages):
   * the run is not the whole benchmark (`datasets` of `of`). Absent when every listed dataset ran.
   */
  coverage: z.lazy(() => DatasetCoverageSchema).optional(),
  /** issue 22: replies cut at max_tokens (finish_reason `length`). */
  turns_truncated: z.number().int().optional(),
  pricing_source: PricingSourceSchema,
  /**
   * With OTLP export: spans whose export failed during the run (a collector down for a while) and that
   * were sent again from spans.jsonl at its end, each once; and those still only in spans.jsonl
   * (`referee replay RUN_DIR` sends them).
   */
  spans_resent: z.number().int().optional(),
  spans_unsent: z.number().int().optional(),
  /** `tests` counts every test of the dataset; `unscored` (issue 25) those in no total. */
  per_dataset: z.record(z.string(), z.object({ score: z.number(), max_score: z.number(), tests: z.number().int(), unscored: z.number().int().optional() })),
  tests: z.array(TestScoreSchema),
});
export type RunStats = z.infer<typeof RunStatsSchema>;

/** What a run leaves out of the benchmark it lists (src/datasets/coverage.ts makes it). */
export const DatasetCoverageSchema = z.object({
  /** Datasets the run has tests of. */
  datasets: z.number().int(),
  /** Datasets of the benchmark: GoodAI v3's 11 where every listed dataset is one of them, else those listed. */
  of: z.number().int(),
  /** Whose `of` it is. */
  benchmark: z.enum(['GoodAI v3', 'listed']),
  /** Each with why, and where to get what it needs. */
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
});
export type DatasetCoverage = z.infer<typeof DatasetCoverageSchema>;

export const RunMetaSchema = z.object({
  run_id: z.string(),
  created_at: z.string(),
  status: z.enum(['running', 'finished', 'failed', 'interrupted']),
  role: z.string().optional(),
  agent: z.record(z.string(), z.unknown()),
  agent_config: z.record(z.string(), z.unknown()),
  dataset_config: z.record(z.string(), z.unknown()),
  dataset: z.object({ dir: z.string(), sha256: z.string() }),
  seed: z.number(),
  memory_span: z.number(),
  concurrency: z.number(),
  scoring_version: z.string(),
  tool_version: z.string(),
  git_commit: z.string().nullable(),
  node_version: z.string(),
  host: z.string(),
  finished_at: z.string().optional(),
  /** `run_type` of benchmark_history.jsonl, kept so a resumed run reports the same. */
  run_type: z.string().optional(),
  /** issue 16: USD per million tokens used for cost_usd, and where they came from (agent config, built-in table, unknown). */
  pricing: RunPricingSchema.optional(),
  /** One entry per `referee run --resume` of this run (issue 4). */
  resumes: z
    .array(z.object({ at: z.string(), turns_restored: z.number().int(), tool_version: z.string(), git_commit: z.string().nullable() }))
    .optional(),
  /**
   * Issue 24: an ending under way. The lanes are done and runstats.json is written, but report.html and
   * the benchmark_history.jsonl line may not be: `status` stays `running` until they are, and `--resume`
   * completes what is missing (the history line, keyed by `finished_at`, exactly once).
   */
  ending: z
    .object({
      /** The status run.json says once the ending is complete (never `running`). */
      status: z.enum(['running', 'finished', 'failed', 'interrupted']),
      finished_at: z.string(),
      /** The benchmark_history.jsonl line this ending appends; null for an ending that adds none (failed). */
      history: z.record(z.string(), z.unknown()).nullable(),
    })
    .optional(),
  /** An LTM suite shard's run: which shard of which plan (shards/shard-info.ts LtmRunShardSchema); dropped by `referee merge`. */
  shard: z.record(z.string(), z.unknown()).optional(),
  /**
   * A run imported from GoodAI's published results (`referee import goodai`, run_type `goodai`): the
   * benchmark, the agent as GoodAI named it, the folder read, and how many tests Referee's scorers
   * re-scored and disagreed on. Its scores are GoodAI's.
   */
  imported: z
    .object({ from: z.literal('goodai'), benchmark: z.string(), agent: z.string(), source: z.string(), rescored: z.number().int(), disagreements: z.number().int() })
    .optional(),
  /** Issue 24: a task run's tally, so a suite killed between a cell's end and its matrix line can build the cell from the run directory. */
  task_tally: z
    .object({ tasks: z.number().int(), passed: z.number().int(), errored: z.number().int(), attempts: z.number().int(), duration_s: z.number() })
    .optional(),
});
export type RunMeta = z.infer<typeof RunMetaSchema>;

/** Every line of events.jsonl: the live view's, replay's and resume's source of truth. */
export const RunEventSchema = z.looseObject({
  seq: z.number().int(),
  ts: z.string(),
  type: z.string(),
  run_id: z.string(),
});
export type RunEvent = z.infer<typeof RunEventSchema>;

/**
 * A system/GPU sample, written to events.jsonl as `{type: "telemetry", ...sample}`
 * by the sampler and read by the live monitor. GPU fields are absent (not zero)
 * on a machine without an NVIDIA GPU.
 */
export const TelemetrySampleSchema = z.object({
  cpu_pct: z.number(),
  mem_used_mb: z.number(),
  mem_total_mb: z.number(),
  rss_mb: z.number(),
  open_fds: z.number().nullable(),
  disk_mb_s: z.number().nullable(),
  /** Output tokens per second over the last sample interval. */
  tokens_per_s: z.number().optional(),
  gpus: z
    .array(
      z.object({
        index: z.number().int(),
        name: z.string(),
        util_pct: z.number().nullable(),
        temp_c: z.number().nullable(),
        mem_used_mb: z.number().nullable(),
        mem_total_mb: z.number().nullable(),
      }),
    )
    .optional(),
});
export type TelemetrySample = z.infer<typeof TelemetrySampleSchema>;

/**
 * Streamed reply text, written to events.jsonl as `{type: "token", test_id,
 * turn_id, delta, stage}`, batched (a line per ~50 ms of streaming, not per token).
 */
export const TokenEventSchema = z.object({
  test_id: z.string(),
  turn_id: z.number().int(),
  delta: z.string(),
  /** `thinking` while a <think> block streams, else `streaming`. */
  stage: z.enum(['thinking', 'streaming']),
});
export type TokenEvent = z.infer<typeof TokenEventSchema>;

/**
 * `run_error.json`: written by the stall watchdog (seed 000 3.3) or when a run
 * fails, with the last progress snapshot. A stall that clears gets `cleared_at`.
 */
export const RunErrorSchema = z.object({
  run_id: z.string(),
  reason: z.enum(['stall', 'failed']),
  message: z.string(),
  at: z.string(),
  /** Watchdog threshold and how long nothing happened, seconds (stalls only). */
  threshold_s: z.number().optional(),
  idle_s: z.number().optional(),
  /** The turns in flight when the stall was noticed. */
  stalled: z.array(z.object({ lane: z.number().int(), test_id: z.string(), turn_id: z.number().int(), since: z.string() })).optional(),
  progress: z.record(z.string(), z.unknown()),
  cleared_at: z.string().optional(),
});
export type RunError = z.infer<typeof RunErrorSchema>;
