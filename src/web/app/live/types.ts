/**
 * The monitor server's JSON, as the live page reads it: the snapshot (views.ts snapshotView),
 * the periodic summary (summaryView), a run's detail (run-model.ts RunModel.detail) and the
 * stream's `run` and `stage` events. Fields the page never reads are left out.
 */

import type { ContextRetryEventData } from '../../../events/shared-shapes.js';
import { NOTICE_CAP, STAGES, type RunNotice, type RunSummary, type Stage, type TestStatus } from '../../../monitor/run-views.js';

// The server's own names for the stages and statuses: one definition, shared.
export { NOTICE_CAP, STAGES, type Stage, type TestStatus };

/** A test of a run (run-model.ts TestView); the page adds only what the stream tells it. */
export interface TestView {
  test_id: string;
  dataset: string;
  status: TestStatus;
  score?: number | null;
  max_score?: number | null;
  lane?: number | null;
}

/** The figures of a lane's last finished turn (a turn_metrics record, or the turn_end event itself). */
export interface LastTurn {
  status?: string;
  reason?: string;
  attempts?: number;
  ttft_ms?: number | null;
  total_ms?: number | null;
}

/** The turn a lane is on or last finished (run-model.ts LaneView, as far as the page keeps it). */
export interface LaneView {
  lane: number;
  test_id?: string | null;
  turn_id?: number | null;
  kind?: string | null;
  dataset?: string | null;
  prompt: string;
  response: string;
  stage: Stage | null;
  stage_ms: Partial<Record<Stage, number | null>>;
  stage_since: string | null;
  last_turn: LastTurn | null;
  result: string | null;
  verdict?: string | null;
  busy?: boolean;
  last_step_key?: string | null;
}

/** A system sample (artifacts/schemas.ts TelemetrySample) with its time. */
export interface TelemetrySample {
  ts?: string;
  cpu_pct?: number;
  open_fds?: number | null;
  disk_mb_s?: number | null;
  tokens_per_s?: number;
  gpus?: { util_pct: number | null; temp_c: number | null }[];
}

/** One call in the tokens/s window: when it ended, its output tokens and its call time. */
export interface WindowCall {
  t: number;
  tokens: number;
  llm_ms: number;
}

/** A run as the page holds it: the snapshot's detail, moved on by the stream's events. */
export interface RunView {
  key: string;
  run_id: string;
  group?: string | null;
  agent?: string;
  model?: string | null;
  endpoint?: string | null;
  status: string;
  created_at?: string | null;
  /** issue 17: the monitor is still reading this run's earlier events: its numbers are partial. */
  loading?: boolean;
  last_seq?: number;
  tests_total?: number;
  tests_done?: number;
  turns_total?: number;
  turns_total_estimated?: boolean;
  turns_done?: number;
  turns_failed?: number;
  attempts?: number;
  /** issue 22: prompts refused for their length and sent again, trimmed (the server's count, moved on by the stream). */
  context_retries?: RunSummary['context_retries'];
  /** The run's notice lines, oldest first (the server keeps its last 20). */
  notices?: RunNotice[];
  pass?: number;
  tokens_in?: number;
  tokens_out?: number;
  cost_usd?: number;
  datasets: string[];
  tests: TestView[];
  lanes: LaneView[];
  active_lane?: number | null;
  telemetry?: TelemetrySample[];
  tps?: { ts: string; tokens_per_s: number }[];
  tps_window?: WindowCall[];
  success_over_time?: { task_idx: number; success_rate: number }[];
}

/** A row of the recent runs (views.ts runsView): the server's run summary, as far as the table reads it. */
export type RecentRun = Pick<RunSummary, 'key' | 'run_id' | 'agent' | 'status' | 'created_at' | 'loading' | 'score' | 'max_score' | 'success_rate'>;

export interface CurrentJob {
  key: string;
  total_turns: number;
  total_turns_estimated: boolean;
  completed_turns: number;
  eta_seconds: number | null;
}

/** A test waiting for a lane (views.ts QueuedTest). */
export interface QueuedTest {
  task_id: string;
  dataset: string;
  status: 'pending' | 'waiting';
  wait: { tokens: number; tokens_left: number | null; time_s: number; since: string } | null;
}

export interface Costs {
  api_calls: Record<string, { model: string | null; input_tokens: number; output_tokens: number; cost_usd: number }>;
  compute: { hours_elapsed: number; hourly_rate_usd: number | null; cost_usd: number };
  /** The shard workers' wall time at the hourly rate per worker (workers.ts workerCompute); absent from older servers. */
  workers?: { hourly_rate_usd: number | null; workers: number; worker_hours: number; cost_usd: number | null; estimated: true; note: string };
  total_cost_usd: number;
  pricing_source: string;
  usage_source: string | null;
}

/** A worker of the panel (workers.ts Worker): a shard process, or a lane of a run. */
export interface Worker {
  worker_id: string;
  kind?: 'shard' | 'lane';
  host?: string | null;
  status: string;
  current_task: string | null;
  tasks_completed: number;
  tasks_total?: number | null;
  turns_completed: number;
  idle_time_seconds: number;
  last_seen?: string | null;
  /** An interrupted or stale worker: seconds since its last sign of life; absent from older servers. */
  silent_seconds?: number | null;
}

/** The periodic `summary` message (views.ts summaryView). */
export interface Summary {
  type: 'summary';
  current_job: CurrentJob | null;
  queue?: QueuedTest[];
  queue_length: number;
  costs?: Costs;
  workers?: { total_workers: number; active_workers: number; idle_workers: number; workers: Worker[] };
}

/** Everything the page needs to draw from scratch (views.ts snapshotView). */
export interface Snapshot {
  type: 'snapshot';
  server_time: string;
  current: string | null;
  runs?: RecentRun[];
  detail?: Record<string, RunView>;
  summary?: Summary;
}

/** A lane's streaming-card state (run-model.ts laneStage). */
export interface StageEvent {
  key: string;
  lane: number;
  stage: Stage | null;
  stage_ms?: Partial<Record<Stage, number | null>>;
  stage_since: string | null;
}

interface EventBase {
  key: string;
  run_id: string;
  seq?: number;
  ts: string;
}

export interface RunStartEvent extends EventBase {
  type: 'run_start';
  tests?: { test_id: string; dataset: string }[];
  tests_total?: number;
  turns_total?: number;
  turns_total_estimated?: boolean;
}

export interface TestStartEvent extends EventBase {
  type: 'test_start';
  test_id: string;
  lane?: number;
}

export interface TurnStartEvent extends EventBase {
  type: 'turn_start';
  test_id?: string;
  turn_id?: number;
  kind?: string;
  dataset?: string;
  prompt?: string;
  lane?: number;
}

export interface TokenEvent extends EventBase {
  type: 'token';
  test_id?: string;
  turn_id?: number;
  delta?: string;
}

export interface TurnEndEvent extends EventBase, LastTurn {
  type: 'turn_end';
  test_id?: string;
  step?: number;
  lane?: number;
  response?: string;
  turns_total?: number;
  llm_ms?: number;
  tokens_out?: number;
  /** A turn filled in without a model call. */
  prefilled?: boolean;
}

export interface TestEndEvent extends EventBase {
  type: 'test_end';
  test_id: string;
  /** issue 22: `error` (not answered) or `judge_error` (not judged); issue 25: `unscored` (needs a judge; score null); absent for a scored test. */
  status?: 'error' | 'judge_error' | 'unscored';
  score: number | null;
  max_score: number | null;
  tests_done?: number;
  reasons?: string[];
}

export interface TelemetryEvent extends EventBase, Omit<TelemetrySample, 'ts'> {
  type: 'telemetry';
}

/** issue 21: the run's final figures (runstats.json's). */
export interface RunEndEvent extends EventBase {
  type: 'run_end';
  status?: string;
  turns?: number;
  turns_total?: number;
  turns_total_estimated?: boolean;
  tests_done?: number;
  turns_failed?: number;
  tokens_in?: number;
  tokens_out?: number;
  cost_usd?: number;
}

/** issue 22: a prompt refused for its length, trimmed and sent again: its fields and its notice line. */
export interface ContextRetryEvent extends EventBase, ContextRetryEventData {
  type: 'context_retry';
  message?: string;
}

/** Events the page keeps only the notice line of (retries, stalls, callbacks). */
export interface OtherEvent extends EventBase {
  type: 'retry' | 'stall' | 'stall_cleared' | 'memory_span_overrun' | 'callback_register' | 'callback_deregister';
  /** The notice line, where the event has one. */
  message?: string;
}

/** An events.jsonl line as the stream's `run` event carries it, with its run's key. */
export type RunEvent = RunStartEvent | TestStartEvent | TurnStartEvent | TokenEvent | TurnEndEvent | TestEndEvent | TelemetryEvent | RunEndEvent | ContextRetryEvent | OtherEvent;
