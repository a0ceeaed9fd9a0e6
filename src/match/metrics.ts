import type { RunDirContents } from '../artifacts/run-dir-reader.js';
import { combinedUsageSource } from '../artifacts/schemas.js';
import { tallyTurns } from '../events/turn-tally.js';
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
 * Normalizes one run directory for comparison. Latency is over every agent
 * turn, failed ones included (a timeout is latency a user waited through).
 */
export function computeRunMetrics(run: RunDirContents): RunMetrics {
  const { meta, turns, tests } = run;
  const latencies = turns.map((t) => t.total_ms).sort((a, b) => a - b);
  const ttfts = turns.flatMap((t) => (t.ttft_ms === null ? [] : [t.ttft_ms])).sort((a, b) => a - b);
  const perDataset: RunMetrics['per_dataset'] = {};
  for (const t of tests) {
    const d = (perDataset[t.dataset] ??= { score: 0, max_score: 0, tests: 0, accuracy: 0 });
    d.score += t.score;
    d.max_score += t.max_score;
    d.tests++;
  }
  for (const d of Object.values(perDataset)) d.accuracy = accuracy(d.score, d.max_score);
  const score = tests.reduce((a, t) => a + t.score, 0);
  const maxScore = tests.reduce((a, t) => a + t.max_score, 0);
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
    ttft_p50_ms: ttfts.length ? round(quantile(ttfts, 0.5)) : null,
    tokens_in: turns.reduce((a, t) => a + t.tokens_in, 0),
    tokens_out: turns.reduce((a, t) => a + t.tokens_out, 0),
    turns: tally.turns,
    errors: tally.failed,
    attempts: tally.attempts,
    duration_s: round(duration, 3),
    pricing_source: run.stats?.pricing_source ?? turns[0]?.pricing_source ?? 'unknown',
    usage_source: combinedUsageSource(turns.map((t) => t.usage_source)),
    dataset_sha256: meta.dataset.sha256,
  };
}

/** A run that died before runstats.json: from run start to its last recorded turn. */
function durationFromTurns(run: RunDirContents): number {
  const last = run.turns.at(-1);
  if (!last) return 0;
  return Math.max(0, (Date.parse(last.timestamp) - Date.parse(run.meta.created_at)) / 1000);
}
