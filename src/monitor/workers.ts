/**
 * The workers panel's one producer (`/api/benchmark/workers`, the live view, `/costs`' worker
 * line): which processes work on the runs under the monitor's root, derived from the runs alone.
 * A shard process (`referee run --shard i/N`, one run directory per piece: a task suite's slice of a
 * cell, an LTM suite's whole run; on any machine that writes into the shared runs directory) is one
 * worker; a run that is not a shard's shows its
 * lanes as workers. Pure: no I/O, the clock passed in.
 */
import type { RunShard } from '../shards/shard-info.js';
import type { LaneView } from './run-views.js';

/** One run as the panel reads it (views.ts adapts a RunModel). */
export interface WorkerRun {
  key: string;
  run_id: string;
  /** The folder between the root and the run (`<group>/<run>`), if any. */
  group: string | null;
  agent: string;
  /** run.json's host: the machine that wrote the run. */
  host: string | null;
  /** run.json's shard record (a task piece's `dataset_config.shard`, an LTM suite run's `shard`). */
  shard: RunShard | undefined;
  /** The run's status as shown (running, finished, failed, interrupted: also a run whose process is gone, stale: silent too long). */
  status: string;
  started_at: string | null;
  ended_at: string | null;
  last_event_at: string | null;
  /** An interrupted or stale run still marked running: its last sign of life (heartbeat or event). */
  silent_since?: string | undefined;
  /** The run's own wall time so far (its segments summed). */
  elapsed_ms: number;
  tests_done: number;
  tests_total: number;
  turns_done: number;
  lanes: readonly Pick<LaneView, 'lane' | 'busy' | 'test_id' | 'tests_done' | 'turns_done' | 'idle_since' | 'idle_ms_total' | 'first_seen'>[];
}

export type WorkerStatus = 'running' | 'idle' | 'pending' | 'finished' | 'failed' | 'interrupted' | 'stale' | 'done';

export interface Worker {
  /** `shard 2/4` (prefixed with its folder when several sharded runs are shown), or `<run>/lane-<n>`. */
  worker_id: string;
  kind: 'shard' | 'lane';
  /** Which shard of how many; null for a lane. */
  shard: { index: number; count: number } | null;
  host: string | null;
  /** The agent of the piece in flight (else the last one); a lane's run's agent. */
  agent: string | null;
  /**
   * `running`: a test in flight (a shard: a piece running); `idle`: alive, nothing in flight (a shard
   * between pieces); `pending`: a shard not started yet; then how it ended: `finished`, `failed`,
   * `interrupted` (also a piece whose process is gone, kill -9: `--resume` continues it), `stale`
   * (a piece on another host silent for 3 heartbeats: no pid to ask there), `done` (a lane of an ended run).
   */
  status: WorkerStatus;
  /** The test in flight (the first, when several lanes of the worker are busy); null when none. */
  current_task: string | null;
  current_tasks: string[];
  /** Tests that ended (the runs' test_end events; a finished run's own count). */
  tasks_completed: number;
  /** Tests the worker runs in all: a shard's whole share; null for a lane. */
  tasks_total: number | null;
  turns_completed: number;
  /** The run directories (run ids) the worker wrote. */
  runs: string[];
  started_at: string | null;
  /** The worker's last event. */
  last_seen: string | null;
  /** A worker `interrupted` or `stale` whose run still says running: seconds since its last sign of life (heartbeat or event). */
  silent_seconds: number | null;
  /** From its first start to now (to its end once ended). */
  uptime_seconds: number;
  /** Uptime with nothing in flight (a shard: between and before its pieces). */
  idle_time_seconds: number;
}

export interface WorkersView {
  total_workers: number;
  /** Workers with a test in flight. */
  active_workers: number;
  /** Every other worker (idle, pending or ended). */
  idle_workers: number;
  workers: Worker[];
}

/** The worker line of `/costs`: each shard worker's wall time at the hourly rate per worker. */
export interface WorkerCompute {
  hourly_rate_usd: number | null;
  workers: number;
  worker_hours: number;
  /** Null without a rate (`--worker-hourly-usd`). */
  cost_usd: number | null;
  /** Always true: wall time × a rate the user gave, not a bill. */
  estimated: true;
  note: string;
}

const ms = (iso: string | null): number => (iso ? Date.parse(iso) : NaN);
const round = (v: number, digits = 1): number => Math.round(v * 10 ** digits) / 10 ** digits;
const ENDED = new Set(['finished', 'failed', 'interrupted']);
/** A run that says running whose process is gone or silent: its lanes say so rather than `done`. */
const LOST = new Set(['interrupted', 'stale']);

/**
 * The workers to show. `only`: that run's lanes. Otherwise every shard of each sharded run with a
 * piece in flight, and the lanes of the other runs in flight; with nothing in flight, the most
 * recent sharded run's shards (else `current`'s lanes), so a finished run keeps its panel.
 */
export function deriveWorkers(runs: readonly WorkerRun[], now: number, pick: { only?: WorkerRun; current?: WorkerRun } = {}): WorkersView {
  if (pick.only) return view(laneWorkers([pick.only], now));
  const plans = new Map<string, WorkerRun[]>();
  for (const r of runs) if (r.shard) (plans.get(r.shard.plan) ?? plans.set(r.shard.plan, []).get(r.shard.plan)!).push(r);
  const live = [...plans.values()].filter((pieces) => pieces.some((p) => p.status === 'running'));
  const otherLive = runs.filter((r) => !r.shard && r.status === 'running' && r.started_at);
  let shown = live;
  if (!shown.length && !otherLive.length && plans.size) shown = [latest([...plans.values()])];
  const laneRuns = otherLive.length ? otherLive : shown.length ? [] : [pick.current].filter((r): r is WorkerRun => r !== undefined);
  return view([...shown.flatMap((pieces) => shardWorkers(pieces, now, shown.length > 1, live.includes(pieces))), ...laneWorkers(laneRuns, now)]);
}

function view(workers: Worker[]): WorkersView {
  const active = workers.filter((w) => w.status === 'running').length;
  return { total_workers: workers.length, active_workers: active, idle_workers: workers.length - active, workers };
}

/** The sharded run whose pieces wrote last. */
function latest(plans: WorkerRun[][]): WorkerRun[] {
  const last = (pieces: WorkerRun[]): string => pieces.reduce((a, p) => ((p.last_event_at ?? '') > a ? (p.last_event_at ?? '') : a), '');
  return plans.reduce((a, b) => (last(b) > last(a) ? b : a));
}

/** One worker per shard of one plan (1..N), a shard with no piece on disk yet `pending`. */
export function shardWorkers(pieces: readonly WorkerRun[], now: number, prefixed = false, live = true): Worker[] {
  const count = pieces[0]?.shard?.count ?? 0;
  const folder = pieces[0]?.group ?? pieces[0]?.shard?.plan.slice(0, 8) ?? '';
  const workers: Worker[] = [];
  for (let index = 1; index <= count; index++) {
    const mine = pieces.filter((p) => p.shard?.index === index).sort((a, b) => (a.started_at ?? '').localeCompare(b.started_at ?? ''));
    workers.push(shardWorker(`${prefixed ? `${folder} ` : ''}shard ${index}/${count}`, { index, count }, mine, now, live));
  }
  return workers;
}

function shardWorker(id: string, shard: { index: number; count: number }, pieces: readonly WorkerRun[], now: number, live: boolean): Worker {
  const inFlight = pieces.find((p) => p.status === 'running');
  const status = shardStatus(pieces);
  const busy = pieces.flatMap((p) => (p.status === 'running' ? p.lanes.filter((l) => l.busy && l.test_id).map((l) => l.test_id!) : []));
  const declared = pieces.map((p) => p.shard?.shard_tasks).find((n) => n !== undefined);
  const started = pieces.map((p) => p.started_at).filter((s): s is string => s !== null).sort()[0] ?? null;
  const lastSeen = pieces.map((p) => p.last_event_at).filter((s): s is string => s !== null).sort().at(-1) ?? null;
  // Alive until its end: a shard between pieces still holds its machine.
  const end = status === 'running' || (status === 'idle' && live) ? now : ms(lastSeen);
  const uptime = started ? Math.max(0, end - ms(started)) || 0 : 0;
  const busyMs = pieces.reduce((a, p) => a + p.elapsed_ms, 0);
  const shown = inFlight ?? pieces.at(-1);
  return {
    worker_id: id,
    kind: 'shard',
    shard,
    host: shown?.host ?? null,
    agent: shown?.agent ?? null,
    status,
    current_task: busy[0] ?? null,
    current_tasks: busy,
    tasks_completed: pieces.reduce((a, p) => a + p.tests_done, 0),
    tasks_total: declared ?? (pieces.length ? pieces.reduce((a, p) => a + p.tests_total, 0) : null),
    turns_completed: pieces.reduce((a, p) => a + p.turns_done, 0),
    runs: pieces.map((p) => p.run_id),
    started_at: started,
    last_seen: lastSeen,
    silent_seconds: silentSeconds(pieces.find((p) => p.status === status)?.silent_since, now),
    uptime_seconds: round(uptime / 1000),
    idle_time_seconds: round(Math.max(0, uptime - busyMs) / 1000),
  };
}

function silentSeconds(since: string | undefined, now: number): number | null {
  return since === undefined ? null : round(Math.max(0, now - ms(since)) / 1000, 0);
}

/** A piece in flight: running; else the worst ending; else idle until its last piece has run. */
function shardStatus(pieces: readonly WorkerRun[]): WorkerStatus {
  if (!pieces.length) return 'pending';
  if (pieces.some((p) => p.status === 'running')) return 'running';
  if (pieces.some((p) => p.status === 'failed')) return 'failed';
  if (pieces.some((p) => p.status === 'stale')) return 'stale';
  if (pieces.some((p) => p.status === 'interrupted')) return 'interrupted';
  const expected = pieces.map((p) => p.shard?.shard_pieces).find((n) => n !== undefined);
  if (expected !== undefined && pieces.length < expected) return 'idle';
  return pieces.every((p) => ENDED.has(p.status)) ? 'finished' : 'idle';
}

/** One worker per lane of each run (a run's concurrency). */
export function laneWorkers(runs: readonly WorkerRun[], now: number): Worker[] {
  return runs.flatMap((r) => {
    const running = r.status === 'running';
    return r.lanes.map((l): Worker => {
      const idleNow = running && !l.busy && l.idle_since ? Math.max(0, now - ms(l.idle_since)) || 0 : 0;
      const end = r.ended_at ? ms(r.ended_at) : now;
      return {
        worker_id: `${r.run_id}/lane-${l.lane}`,
        kind: 'lane',
        shard: null,
        host: r.host,
        agent: r.agent,
        status: running ? (l.busy ? 'running' : 'idle') : LOST.has(r.status) ? (r.status as WorkerStatus) : 'done',
        current_task: running && l.busy ? l.test_id : null,
        current_tasks: running && l.busy && l.test_id ? [l.test_id] : [],
        tasks_completed: l.tests_done,
        tasks_total: null,
        turns_completed: l.turns_done,
        runs: [r.run_id],
        started_at: l.first_seen,
        last_seen: r.last_event_at,
        silent_seconds: silentSeconds(r.silent_since, now),
        uptime_seconds: l.first_seen ? round((end - ms(l.first_seen)) / 1000) : 0,
        idle_time_seconds: round((l.idle_ms_total + idleNow) / 1000),
      };
    });
  });
}

/** `/costs`' worker line: the shard workers' uptime (a machine each) at `rate` USD an hour. */
export function workerCompute(workers: readonly Worker[], rate: number | undefined): WorkerCompute {
  const machines = workers.filter((w) => w.kind === 'shard' && w.status !== 'pending');
  const hours = machines.reduce((a, w) => a + w.uptime_seconds / 3600, 0);
  return {
    hourly_rate_usd: rate ?? null,
    workers: machines.length,
    worker_hours: round(hours, 4),
    cost_usd: rate === undefined ? null : hours * rate,
    estimated: true,
    note:
      rate === undefined
        ? 'not configured: give --worker-hourly-usd to price each shard worker\'s wall time'
        : 'estimate: each shard worker\'s wall time (first start to last event) at the hourly rate per worker',
  };
}
