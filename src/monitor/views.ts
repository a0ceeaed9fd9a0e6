import { z } from 'zod';
import { goodaiTestId } from '../artifacts/run-dir-writer.js';
import { combinedUsageSource } from '../artifacts/schemas.js';
import type { MonitorHub } from './hub.js';
import { TPS_WINDOW_MS, type RunModel } from './run-model.js';
import { runShardOf } from '../shards/shard-info.js';
import { deriveWorkers, workerCompute, type WorkerRun, type WorkersView } from './workers.js';

/**
 * The REST payloads (seed 002 shapes), built from the hub's run models. Each
 * takes validated query parameters; the schemas below are the single source of
 * what a caller may ask.
 */

const runParam = z.string().min(1).max(300).optional().describe('a run id or run key (`<group>/<run>`); default: the current run');

export const StatusQuerySchema = z.strictObject({ run: runParam, token: z.string().optional() });
export const CostsQuerySchema = z.strictObject({
  run: z.string().min(1).max(300).optional().describe('a run id, a run key, or `all`; default: the current run'),
  token: z.string().optional(),
});
export const MetricsQuerySchema = z.strictObject({ run: runParam, token: z.string().optional() });
export const WorkersQuerySchema = z.strictObject({ run: runParam, token: z.string().optional() });
export const RunsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  status: z.enum(['running', 'finished', 'failed', 'interrupted', 'stale']).optional(),
  token: z.string().optional(),
});
export const CompareQuerySchema = z.strictObject({
  runs: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().max(300)).length(2, 'name exactly two runs: runs=A,B')),
  token: z.string().optional(),
});
/** Every type a stream can carry: the events.jsonl types and the monitor's own. */
export const STREAM_TYPES = [
  'snapshot',
  'summary',
  'stage',
  'run_start',
  'test_start',
  'turn_start',
  'token',
  'turn_end',
  'test_end',
  'run_end',
  'telemetry',
  'retry',
  // issue 22: a prompt refused for its length, trimmed and sent again.
  'context_retry',
  'stall',
  'stall_cleared',
  'memory_span_overrun',
  'callback_register',
  'callback_deregister',
  // issue 17: a run the monitor found on disk has been read to its end (its numbers are whole).
  'loaded',
] as const;

export const StreamQuerySchema = z.strictObject({
  run: z.string().min(1).max(300).optional().describe('only this run (id or key)'),
  types: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined))
    // issue 17: `types=bogus` is a 400 naming the type, not a stream that never sends anything.
    .pipe(z.array(z.enum(STREAM_TYPES, { error: (i) => `unknown type "${String(i.input)}"; known: ${STREAM_TYPES.join(', ')}` })).optional())
    .transform((a) => (a ? new Set<string>(a) : undefined))
    .describe('only these event types (e.g. telemetry,token,stage,summary)'),
  interval: z.coerce.number().min(0).max(3600).default(1).describe('seconds between summary messages; 0: none'),
  token: z.string().optional(),
});

/** A query the handler cannot serve: 404 for an unknown run. */
export class NotFound extends Error {}

function pick(hub: MonitorHub, run: string | undefined): RunModel | undefined {
  if (!run) return hub.current();
  const m = hub.find(run);
  if (!m) throw new NotFound(`no run "${run}" under ${hub.runsDir}`);
  return m;
}

function elapsedSeconds(m: RunModel, now: number): number {
  return m.elapsedMs(now) / 1000;
}

interface QueuedTest {
  task_id: string;
  dataset: string;
  status: 'pending' | 'waiting';
  /**
   * issue 17: the GoodAI wait a started test is under (from master_log.jsonl): tokens and
   * seconds of the benchmark clock it waits for, and the tokens still to pass (null when
   * the run has several lanes: each lane counts its own traffic). Null: no wait known.
   */
  wait: { tokens: number; tokens_left: number | null; time_s: number; since: string } | null;
}

/**
 * issue 17: what waits for a lane: tests started but not on a lane right now (in a
 * GoodAI schedule, where tests interleave, with what each waits for), then tests not
 * started yet.
 */
function pendingQueue(hub: MonitorHub, m: RunModel): QueuedTest[] {
  const queue: QueuedTest[] = [];
  if (m.running) {
    const onLane = new Set([...m.lanes.values()].filter((l) => l.busy).map((l) => l.test_id));
    const waits = hub.waits(m.key);
    const oneLane = Number(m.meta['concurrency'] ?? 1) <= 1;
    for (const t of m.tests.values()) {
      if (t.status !== 'running' || onLane.has(t.test_id)) continue;
      const w = waits?.get(goodaiTestId(t.test_id));
      const wait = w ? { tokens: w.tokens, tokens_left: oneLane ? Math.max(0, w.tokens - w.tokens_passed) : null, time_s: w.time_s, since: w.since } : null;
      queue.push({ task_id: t.test_id, dataset: t.dataset, status: 'waiting', wait });
    }
  }
  for (const t of m.tests.values()) if (t.status === 'pending') queue.push({ task_id: t.test_id, dataset: t.dataset, status: 'pending', wait: null });
  return queue;
}

export function statusView(hub: MonitorHub, q: z.infer<typeof StatusQuerySchema>, now = Date.now()): Record<string, unknown> {
  const m = pick(hub, q.run);
  const active = hub.models().filter((r) => r.running && r.started_at);
  if (!m) return { current_job: null, queue: [], queue_length: 0, active_runs: [] };
  const elapsed = elapsedSeconds(m, now);
  const lane = m.activeLane !== null ? m.lanes.get(m.activeLane) : undefined;
  const test = lane?.test_id ? m.tests.get(lane.test_id) : undefined;
  const lanes = Math.max(1, Number(m.meta['concurrency'] ?? m.lanes.size) || 1);
  const remainingTurns = Math.max(0, m.turns_total - m.turns_done);
  const eta = m.running && m.turns_done > 0 ? (elapsed / m.turns_done) * remainingTurns : m.running ? null : 0;
  const pending = pendingQueue(hub, m);
  const s = m.summary();
  return {
    current_job: {
      run_id: m.run_id,
      key: m.key,
      group: m.group,
      model_id: s.model,
      agent: s.agent,
      role: s.role,
      status: s.status,
      loading: m.loading,
      total_tasks: s.tests_total,
      completed_tasks: m.tests_done,
      total_turns: m.turns_total,
      total_turns_estimated: m.turns_total_estimated,
      completed_turns: m.turns_done,
      failed_turns: m.turns_failed,
      attempts: m.attempts,
      segments: m.segments,
      current_task: lane
        ? {
            task_id: lane.test_id,
            dataset: lane.dataset,
            kind: lane.kind,
            turn_id: lane.turn_id,
            step: test?.turns ?? null,
            stage: lane.stage,
            lane: lane.lane,
          }
        : null,
      elapsed_seconds: round(elapsed),
      eta_seconds: eta === null ? null : round(eta),
      avg_task_seconds: m.tests_done ? round(elapsed / m.tests_done) : null,
      avg_turn_seconds: m.turns_done ? round((elapsed * Math.min(lanes, m.lanes.size || 1)) / m.turns_done, 3) : null,
      started_at: m.started_at,
      ended_at: m.ended_at,
    },
    queue: pending.slice(0, 50),
    queue_length: pending.length,
    active_runs: active.map((r) => r.key),
  };
}

export function costsView(hub: MonitorHub, q: z.infer<typeof CostsQuerySchema>, now = Date.now()): Record<string, unknown> {
  const models = q.run === 'all' ? hub.models() : [pick(hub, q.run)].filter((m): m is RunModel => m !== undefined);
  const api: Record<string, { model: string | null; input_tokens: number; output_tokens: number; cost_usd: number; pricing_source: string | null }> = {};
  let hours = 0;
  const sources = new Set<string>();
  const usage: unknown[] = [];
  for (const m of models) {
    const s = m.summary();
    usage.push(s.usage_source === 'mixed' ? ['reported', 'estimated'] : s.usage_source);
    const provider = s.provider ?? 'unknown';
    const key = api[provider] && api[provider].model !== s.model ? `${provider}:${s.model}` : provider;
    const entry = (api[key] ??= { model: s.model, input_tokens: 0, output_tokens: 0, cost_usd: 0, pricing_source: s.pricing_source });
    entry.input_tokens += s.tokens_in;
    entry.output_tokens += s.tokens_out;
    entry.cost_usd += s.cost_usd;
    if (s.pricing_source) sources.add(s.pricing_source);
    hours += elapsedSeconds(m, now) / 3600;
  }
  const apiTotal = Object.values(api).reduce((a, e) => a + e.cost_usd, 0);
  const rate = hub.computeHourlyUsd ?? null;
  const computeCost = rate === null ? 0 : hours * rate;
  // The shard workers shown (each its own machine), whatever run was asked for: their cost joins the total of the whole.
  const workers = workerCompute(workersView(hub, {}, now).workers, hub.workerHourlyUsd);
  const workersCost = q.run === undefined || q.run === 'all' ? (workers.cost_usd ?? 0) : 0;
  return {
    runs: models.map((m) => m.run_id),
    api_calls: api,
    // issue 17: the rate is the user's (--compute-hourly-usd); without one, hours are still worth seeing.
    compute: { hours_elapsed: round(hours, 4), hourly_rate_usd: rate, cost_usd: computeCost },
    workers,
    total_cost_usd: apiTotal + computeCost + workersCost,
    pricing_source: sources.size === 1 ? [...sources][0] : sources.size ? 'mixed' : 'unknown',
    usage_source: combinedUsageSource(usage.flat()),
  };
}

export function metricsView(hub: MonitorHub, q: z.infer<typeof MetricsQuerySchema>): Record<string, unknown> {
  const m = pick(hub, q.run);
  if (!m) return { run_id: null, success_rate_over_time: [], domain_breakdown: {}, latency_ms: null, ttft_ms: null, token_throughput: null };
  return metricsOf(m);
}

function metricsOf(m: RunModel): Record<string, unknown> {
  const p = m.percentiles();
  const domains: Record<string, unknown> = {};
  for (const [name, d] of m.perDataset) {
    domains[name] = {
      total: d.total,
      done: d.done,
      success: d.pass,
      rate: d.done ? d.pass / d.done : null,
      score: d.score,
      max_score: d.max_score,
      score_rate: d.max_score ? d.score / d.max_score : null,
    };
  }
  const done = m.tests_done;
  return {
    run_id: m.run_id,
    success_rate_over_time: m.successOverTime,
    domain_breakdown: domains,
    // issue 22: model calls only; pre-filled turns (no call) and failed calls are counted here instead.
    latency_ms: p.latency_ms,
    ttft_ms: p.ttft_ms,
    latency_excluded: { ...m.latency_excluded },
    token_throughput: {
      // End-to-end: output tokens over the whole call, the wait for the first token included.
      tokens_per_s: m.throughput(),
      window_tokens_per_s: m.windowTokensPerS(),
      // issue 22: decode speed: output tokens over the time after the first token.
      decode_tokens_per_s: m.decodeThroughput(),
      window_decode_tokens_per_s: m.windowDecodeTokensPerS(),
      window_s: TPS_WINDOW_MS / 1000,
      tokens_in: m.tokens_in,
      tokens_out: m.tokens_out,
    },
    episode_success_metrics: {
      episode_success_rate: done ? m.pass / done : null,
      ok_pct: done ? (100 * m.pass) / done : null,
      ko_pct: done ? (100 * m.fail) / done : null,
      other_pct: done ? (100 * m.partial) / done : null,
      score: m.score,
      max_score: m.max_score,
    },
  };
}

export function workersView(hub: MonitorHub, q: z.infer<typeof WorkersQuerySchema>, now = Date.now()): WorkersView {
  const current = hub.current();
  // Only a shard's piece or a run in flight can be a worker (or name one): a root of 1,000 finished runs costs no summaries.
  const candidates = hub.models().filter((m) => m.running || shardRecord(m) !== undefined);
  return deriveWorkers(
    candidates.map((m) => workerRun(m, now)),
    now,
    q.run ? { only: workerRun(pick(hub, q.run)!, now) } : current ? { current: workerRun(current, now) } : {},
  );
}

/** run.json's shard record: a task piece's `dataset_config.shard`, an LTM suite run's `shard`. */
function shardRecord(m: RunModel): unknown {
  const config = m.meta['dataset_config'];
  return (config && typeof config === 'object' ? (config as Record<string, unknown>)['shard'] : undefined) ?? m.meta['shard'];
}

/** A run as the workers panel reads it. */
function workerRun(m: RunModel, now: number): WorkerRun {
  const s = m.summary();
  const host = m.meta['host'];
  return {
    key: m.key,
    run_id: m.run_id,
    group: m.group,
    agent: s.agent,
    host: typeof host === 'string' ? host : null,
    shard: runShardOf(m.meta),
    status: s.status,
    started_at: m.started_at,
    ended_at: m.ended_at,
    last_event_at: m.last_event_at,
    silent_since: s.silent_since,
    elapsed_ms: m.elapsedMs(now),
    tests_done: m.tests_done,
    tests_total: s.tests_total,
    turns_done: m.turns_done,
    lanes: [...m.lanes.values()],
  };
}

export function runsView(hub: MonitorHub, q: z.infer<typeof RunsQuerySchema>): Record<string, unknown> {
  const runs = hub
    .models()
    .map((m) => m.summary())
    .filter((s) => !q.status || s.status === q.status)
    .sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? ''))
    .slice(0, q.limit)
    .map((s) => ({ ...s, model_id: s.model, total_tasks: s.tests_total }));
  return { runs };
}

export function compareView(hub: MonitorHub, q: z.infer<typeof CompareQuerySchema>): Record<string, unknown> {
  const [a, b] = q.runs.map((r) => pick(hub, r)!) as [RunModel, RunModel];
  const ma = metricsOf(a);
  const mb = metricsOf(b);
  const sa = a.summary();
  const sb = b.summary();
  const diff = (x: number | null | undefined, y: number | null | undefined): number | null =>
    x === null || x === undefined || y === null || y === undefined ? null : y - x;
  const pa = a.percentiles();
  const pb = b.percentiles();
  const domains = new Set([...a.perDataset.keys(), ...b.perDataset.keys()]);
  const domain_deltas: Record<string, unknown> = {};
  for (const d of domains) {
    const da = a.perDataset.get(d);
    const db = b.perDataset.get(d);
    domain_deltas[d] = {
      success_rate: diff(da?.done ? da.pass / da.done : null, db?.done ? db.pass / db.done : null),
      score_rate: diff(da?.max_score ? da.score / da.max_score : null, db?.max_score ? db.score / db.max_score : null),
    };
  }
  return {
    comparison: {
      run_a: { ...sa, metrics: ma },
      run_b: { ...sb, metrics: mb },
      // Every delta is B minus A (B the challenger).
      delta: {
        score: sb.score - sa.score,
        score_rate: diff(sa.max_score ? sa.score / sa.max_score : null, sb.max_score ? sb.score / sb.max_score : null),
        success_rate: diff(sa.success_rate, sb.success_rate),
        latency_p50_ms: diff(pa.latency_ms.p50, pb.latency_ms.p50),
        latency_p95_ms: diff(pa.latency_ms.p95, pb.latency_ms.p95),
        ttft_p50_ms: diff(pa.ttft_ms.p50, pb.ttft_ms.p50),
        tokens_per_s: diff(a.throughput(), b.throughput()),
        cost_usd: sb.cost_usd - sa.cost_usd,
        domain_deltas,
      },
      // A statistically backed regression verdict is match mode's to give.
      verdict: null,
    },
  };
}

/** The periodic `summary` message: what the KPI cards and cost panel show. */
export function summaryView(hub: MonitorHub, now = Date.now()): Record<string, unknown> {
  const status = statusView(hub, {}, now);
  return {
    type: 'summary',
    ...status,
    costs: costsView(hub, {}, now),
    metrics: (() => {
      const m = metricsView(hub, {});
      const { success_rate_over_time: _drop, ...rest } = m;
      return rest;
    })(),
    workers: workersView(hub, {}, now),
  };
}

/** Everything the page needs to draw from scratch (also the polling fallback's payload). */
export function snapshotView(hub: MonitorHub, now = Date.now()): Record<string, unknown> {
  const current = hub.current();
  const group = current?.group ?? null;
  const related = hub.models().filter((m) => m === current || (group !== null && m.group === group) || (m.running && m.started_at));
  return {
    type: 'snapshot',
    epoch: hub.epoch,
    last_id: hub.lastId,
    server_time: new Date(now).toISOString(),
    current: current?.key ?? null,
    runs: runsView(hub, { limit: 20 })['runs'],
    detail: Object.fromEntries(related.map((m) => [m.key, m.detail()])),
    summary: summaryView(hub, now),
  };
}

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
