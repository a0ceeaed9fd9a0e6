import type { RunDirContents } from '../artifacts/run-dir-reader.js';
import { combinedUsageSource } from '../artifacts/schemas.js';
import { tallyTests } from '../artifacts/test-tally.js';
import { tallyTurns } from '../events/turn-tally.js';
import { formatCoverage } from '../datasets/coverage.js';
import { mean, quantile } from './stats.js';
import type { RunMetrics } from './schemas.js';

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function accuracy(score: number, max: number): number {
  return max > 0 ? score / max : 0;
}

/**
 * Normalizes one run directory for comparison. Issue 22: latency is over the model calls that
 * answered: a pre-filled turn made no call (0 ms) and a failed one (a fast 400, a timeout) is not
 * the model's speed; both are counted apart (`latency_excluded`), and the failures in `errors`.
 */
export function computeRunMetrics(run: RunDirContents): RunMetrics {
  const { meta, turns, tests } = run;
  const calls = turns.filter((t) => t.status === 'success' && t.prefilled !== true);
  const latencies = calls.map((t) => t.total_ms).sort((a, b) => a - b);
  const ttfts = calls.flatMap((t) => (t.ttft_ms === null ? [] : [t.ttft_ms])).sort((a, b) => a - b);
  const decode = decodeSpeed(calls);
  // issues 22 and 25: the run's own tally: unscored tests are in no total, errored ones count as 0 and apart.
  const testTally = tallyTests(tests);
  const perDataset: RunMetrics['per_dataset'] = {};
  for (const [name, d] of Object.entries(testTally.per_dataset)) perDataset[name] = { ...d, accuracy: accuracy(d.score, d.max_score) };
  const score = testTally.score;
  const maxScore = testTally.max_score;
  const cost = turns.reduce((a, t) => a + t.cost_usd, 0);
  const agent = meta.agent as { name?: unknown; llm?: { model?: unknown } };
  // issue 21: wall time, as the terminal prints it; runstats' `duration` is GoodAI's summed response time.
  const duration = run.stats?.wall_duration_s ?? run.stats?.duration ?? durationFromTurns(run);
  // The definition the run counted its own turns with (a task tried twice is one turn).
  const tally = tallyTurns(turns);
  return {
    agent_name: typeof agent.name === 'string' ? agent.name : (run.stats?.agent ?? meta.run_id),
    total_score: round(score, 4),
    avg_latency_ms: round(mean(latencies)),
    token_cost: round(cost, 6),
    metadata_events: run.transcripts.filter((t) => Object.keys(t.metadata).length > 0).length,
    run_id: meta.run_id,
    run_dir: run.dir,
    role: meta.role ?? 'single',
    status: meta.status,
    model: typeof agent.llm?.model === 'string' ? agent.llm.model : null,
    max_score: maxScore,
    accuracy: round(accuracy(score, maxScore), 6),
    tests: tests.length,
    per_dataset: perDataset,
    latency_p50_ms: round(latencies.length ? quantile(latencies, 0.5) : 0),
    latency_p95_ms: round(latencies.length ? quantile(latencies, 0.95) : 0),
    latency_calls: latencies.length,
    latency_excluded: { prefilled: turns.filter((t) => t.prefilled === true).length, failed: turns.filter((t) => t.status === 'error' && t.prefilled !== true).length },
    tokens_per_s: decode.endToEnd,
    decode_tokens_per_s: decode.decode,
    ttft_p50_ms: ttfts.length ? round(quantile(ttfts, 0.5)) : null,
    tokens_in: turns.reduce((a, t) => a + t.tokens_in, 0),
    tokens_out: turns.reduce((a, t) => a + t.tokens_out, 0),
    turns: tally.turns,
    errors: tally.failed,
    tests_errored: testTally.errored,
    tests_judge_error: testTally.judge_errors,
    tests_unscored: testTally.unscored,
    ...(run.stats?.coverage ? { coverage_note: formatCoverage(run.stats.coverage) } : {}),
    turns_truncated: turns.filter((t) => t.finish_reason === 'length').length,
    attempts: tally.attempts,
    duration_s: round(duration, 3),
    pricing_source: run.stats?.pricing_source ?? turns[0]?.pricing_source ?? 'unknown',
    usage_source: combinedUsageSource(turns.map((t) => t.usage_source)),
    dataset_sha256: meta.dataset.sha256,
  };
}

/**
 * issue 22: output tokens per second two ways, over the model calls: end to end (the whole call,
 * the wait for the first token included) and decoding (the time after the first token, llm_ms -
 * ttft_ms, over the calls whose TTFT is known). Null where no call says.
 */
function decodeSpeed(calls: readonly { llm_ms: number; ttft_ms: number | null; tokens_out: number }[]): { endToEnd: number | null; decode: number | null } {
  let tokens = 0;
  let ms = 0;
  let decodeTokens = 0;
  let decodeMs = 0;
  for (const c of calls) {
    if (c.llm_ms <= 0) continue;
    tokens += c.tokens_out;
    ms += c.llm_ms;
    if (c.ttft_ms !== null && c.llm_ms - c.ttft_ms > 0) {
      decodeTokens += c.tokens_out;
      decodeMs += c.llm_ms - c.ttft_ms;
    }
  }
  return { endToEnd: ms > 0 ? round((tokens * 1000) / ms) : null, decode: decodeMs > 0 ? round((decodeTokens * 1000) / decodeMs) : null };
}

/** A run that died before runstats.json: from run start to its last recorded turn. */
function durationFromTurns(run: RunDirContents): number {
  const last = run.turns.at(-1);
  if (!last) return 0;
  return Math.max(0, (Date.parse(last.timestamp) - Date.parse(run.meta.created_at)) / 1000);
}
