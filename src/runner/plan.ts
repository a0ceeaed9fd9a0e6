/**
 * A plan: what one kind of run sends, when, and how it scores (an LTM
 * schedule, a task list; a suite cell, a match side and a shard are runs of
 * these). The one driver (run-plan.ts) does everything else: the locked run
 * directory, the agent and the judge, run.json, the lanes side by side, the
 * ending and resume's common part. A new kind of run is a new Plan, never a
 * new loop.
 */
import type { Attributes, Context } from '@opentelemetry/api';
import type { AgentFactory } from '../agents/types.js';
import type { RunMeta, RunStats } from '../artifacts/schemas.js';
import type { AgentConfig } from '../config/agent.js';
import type { TestDefinition } from '../datasets/types.js';
import type { TracePer } from '../telemetry/trace-per.js';
import type { Emit } from '../events/emit.js';
import type { Reporter } from '../events/reporter.js';
import type { JudgeHandle } from './judge-agent.js';
import type { RunLock } from './run-lock.js';
import type { RunState } from './run-state.js';

/** What every kind of resume hands the driver: read from run.json and the run's files, its directory locked. */
export interface ResumedRun {
  runDir: string;
  runId: string;
  /** run.json as found (fields other versions wrote are kept). */
  meta: RunMeta & Record<string, unknown>;
  agentConfig: AgentConfig;
  turnsRestored: number;
  /** The next events.jsonl `seq`. */
  nextSeq: number;
  /** How long the run ran before this resume, ms: runstats.json's duration goes on from here. */
  priorActiveMs: number;
  /** Held from the reading of the directory to the end of the resumed run (issue 13). */
  lock: RunLock;
}

/** run.json fields particular to a plan, in the order run.json has them. */
export interface PlanMeta {
  dataset_config: Record<string, unknown>;
  dataset: RunMeta['dataset'];
  seed: number;
  memory_span: number;
  /** Top-level `run_type` (a task run keeps its own inside `dataset_config`). */
  run_type?: string;
  /** An LTM suite shard's run: its shard record (shards/shard-info.ts LtmRunShardSchema). */
  shard?: Record<string, unknown>;
}

/** What a plan has ready once its dataset is in the run directory. */
export interface PreparedPlan {
  /** The tests, in the order `onRunStart` shows them. */
  tests: TestDefinition[];
  /** Lanes run side by side; turns within one stay in order. */
  lanes: number;
  /** The expected number of turns (the progress total). */
  turnsTotal: number;
  meta: PlanMeta;
  /** The run span's attributes particular to the plan. */
  spanAttributes: Attributes;
  /** The judge to open, if the plan needs one; its calls are the run's managing cost. */
  judgeConfig?: AgentConfig | undefined;
  /** The writer writes a task run's files (no GoodAI master_log replay, per-task results). */
  taskRun?: boolean;
  /** Sets what the plan's own counts need on the run's state (scoring rule, an estimated total). */
  configureState?(state: RunState): void;
  /** Undoes what `prepare` wrote in a run directory the run did not create (a set-up failed). */
  abandon?(): void;
}

/** What the driver hands a plan once the run has started. */
export interface RunContext {
  runId: string;
  runDir: string;
  agentConfig: AgentConfig;
  factory: AgentFactory;
  judge: JudgeHandle | undefined;
  state: RunState;
  emit: Emit;
  /** The writer, the stall watchdog and the caller's reporters. */
  reporters: Reporter[];
  /** Sends an event to every reporter's `onEvent` (events.jsonl among them). */
  publish: (type: string, data: Record<string, unknown>) => void;
  /** The run span's context: a test's span is its child (or, one trace per test, linked to it). */
  runCtx: Context;
  tracePer: TracePer;
  /** The run's abort (Ctrl-C): a lane stops, leaving its completed turns on disk. */
  signal: AbortSignal;
}

/** The ending's pieces particular to a plan. */
export interface PlanEnding {
  /** The run span's last attributes beside score, max score and status. */
  spanAttributes: Attributes;
  /** False keeps the run out of benchmark_history.jsonl whatever its status (a shard's piece: the merge writes the whole's line). */
  inHistory: boolean;
  /** `run_type` of the history line. */
  runType: string;
  /** History fields after `agent` (what was run). */
  about: Record<string, unknown>;
  /** History fields after `max_score`, `duration` last. */
  tally: Record<string, unknown>;
  /** run.json fields the ending records (what a suite rebuilds a cell from). */
  extra?: Partial<RunMeta>;
}

/** One kind of run, as the driver executes it. `R` is what its result adds to every run's. */
export interface Plan<R extends object = object> {
  /** Checks that need no run directory (a judge, a sandbox, the agent's kind); a failure leaves nothing behind. */
  check?(agentConfig: AgentConfig): void;
  /** Puts the dataset in the run directory (or, resumed, reads it where it is). */
  prepare(at: { runDir: string; agentConfig: AgentConfig }): Promise<PreparedPlan>;
  /** After `onRunStart`, before the lanes: what a resume restores counts as done. */
  begin?(run: RunContext): void;
  /** Runs lane `lane` to its end, or until the run's signal aborts. */
  runLane(lane: number, run: RunContext): Promise<void>;
  /** The ending's own pieces, from the run's final figures. */
  ending(e: { status: RunMeta['status']; stats: RunStats; meta: RunMeta; durationS: number }): PlanEnding;
  /** What the run's result adds, once ended. */
  result(durationS: number): R;
}
