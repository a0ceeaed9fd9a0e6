/** The monitor's views of a run, as its API and pages read them (shapes only: run-model.ts folds the events into them). */
import type { CombinedUsageSource } from '../events/shared-shapes.js';

/**
 * Seed 004's workflow stages, with `waiting` (issue 17) between the call and its
 * first token: a non-reasoning model is not "thinking" while it has sent nothing.
 */
export const STAGES = ['cooling', 'waiting', 'thinking', 'streaming', 'evaluating', 'done'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * issue 22: `error`: not answered (a scored call failed); `judge_error`: the judge's verdict could not be read.
 * Issue 25: `unscored`: GoodAI's LLM judge scores it and the run had none (score null). None is a fail.
 */
export type TestStatus = 'pending' | 'running' | 'pass' | 'fail' | 'error' | 'judge_error' | 'unscored';

export interface TestView {
  test_id: string;
  dataset: string;
  status: TestStatus;
  score: number | null;
  max_score: number | null;
  lane: number | null;
  /** Turns of this test sent so far (its current step). */
  turns: number;
  /** issue 17: the scorer's reasons, for the viewer's sample browser (capped). */
  reasons?: string[];
}

/** The turn a lane is on (or last finished): what the streaming card shows. */
export interface LaneView {
  lane: number;
  test_id: string | null;
  turn_id: number | null;
  kind: string | null;
  dataset: string | null;
  prompt: string;
  response: string;
  response_truncated: boolean;
  stage: Stage | null;
  /** Elapsed ms per stage of the current turn; null until the stage is reached. */
  stage_ms: Record<Stage, number | null>;
  stage_since: string | null;
  turn_started_at: string | null;
  last_activity: string | null;
  turns_done: number;
  tests_done: number;
  busy: boolean;
  idle_since: string | null;
  idle_ms_total: number;
  first_seen: string | null;
  /** The last finished turn's metrics (turn_metrics.jsonl record). */
  last_turn: Record<string, unknown> | null;
  /** The verdict line of the last evaluated test on this lane. */
  result: string | null;
  /** issue 17: pass/fail of the last evaluated test, so no "success" stands beside a FAIL (issue 22: or an ERROR). */
  verdict: 'pass' | 'fail' | 'error' | 'judge_error' | 'unscored' | null;
  /** `<test_id>#<step>` of the last finished turn: a turn_end on the same step is another attempt. */
  last_step_key: string | null;
}

/** The notice lines a run keeps (the monitor's and the live view's). */
export const NOTICE_CAP = 20;

/** A line of the run's notices (retries, stalls, context retries): its events that carry a message. */
export interface RunNotice {
  ts: string;
  type: string;
  message: string;
}

export interface RunSummary {
  key: string;
  run_id: string;
  group: string | null;
  agent: string;
  model: string | null;
  provider: string | null;
  endpoint: string | null;
  role: string;
  /** `running`, `finished`, `failed`, `interrupted` (also a run whose process is gone), `stale` (silent too long on another host). */
  status: string;
  /** An `interrupted` or `stale` run still marked running: its last sign of life (heartbeat or event) and how long ago. */
  silent_since?: string;
  silent_seconds?: number;
  created_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  last_event_at: string | null;
  /** issue 17: true while the monitor is still reading this run's earlier events: its numbers are partial. */
  loading: boolean;
  /** issue 17: `seq` of the last event folded in: a live page skips stream events it already counted. */
  last_seq: number;
  tests_total: number;
  tests_done: number;
  turns_total: number;
  /** issue 21: the total is the plan's expectation until the run ends. */
  turns_total_estimated: boolean;
  turns_done: number;
  turns_failed: number;
  /** Calls made: a retried task's attempts each count here, its turn once in turns_done. */
  attempts: number;
  /** issue 22: prompts refused for their length, trimmed and sent again (its `context_retry` events). */
  context_retries: number;
  /** Times the run started: 1, plus one per resume. */
  segments: number;
  elapsed_seconds: number;
  pass: number;
  fail: number;
  partial: number;
  /** issue 22: tests not answered (a scored call failed): neither pass nor fail. */
  errored: number;
  /** issue 22: tests whose judge verdict could not be read: not scored. */
  judge_errors: number;
  /** issue 25: tests left unscored for want of a judge: in no score. */
  unscored: number;
  /** issue 22: replies cut at max_tokens (finish_reason `length`). */
  turns_truncated: number;
  score: number;
  max_score: number;
  success_rate: number | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  pricing_source: string | null;
  /** `reported`, `estimated` or `mixed` (issue 16), `unrecorded` for an imported run; null before the first turn. */
  usage_source: CombinedUsageSource | null;
}

/** An LTM suite's cell in the viewer (ltm-suites.ts): the summary's mean ± 95% CI as written, its text, its runs. */
export interface LtmMatrixCell {
  agent: string;
  /** A dataset config's name, or `all`. */
  dataset: string;
  n: number;
  mean: number;
  ci95: number | null;
  /** As the terminal and ltm-suite-<id>.html show it (ci.ts formatMeanCi). */
  text: string;
  /** The runs averaged, one per seed (per seed and dataset for `all`). */
  runs: { run: string; seed: number; dataset: string; status: string }[];
}

/** An LTM suite's matrix in the viewer: agents × dataset configs and `all`, from ltm-suite-<id>.json. */
export interface LtmMatrix {
  kind: 'ltm';
  suites: string[];
  suite: string;
  /** The suite's own name and run id. */
  title: string;
  agents: string[];
  datasets: string[];
  seeds: number[];
  cells: LtmMatrixCell[];
}
