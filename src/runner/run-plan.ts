/**
 * The one driver (issue 13, "past one machine"): every kind of run (an LTM
 * schedule, a task list, a suite cell, a match side, a shard) is a Plan
 * (plan.ts) executed here, with one set-up (locked run directory, agent
 * factory and probe, judge), one metadata writer (run.json), one lane loop,
 * one ending (runstats.json, report, history line, final status) and the
 * common part of every resume.
 */
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createAgentFactory, describeAgent } from '../agents/factory.js';
import type { AgentFactory } from '../agents/types.js';
import { createOutputDir } from '../artifacts/make-dir.js';
import { RunDirWriter } from '../artifacts/run-dir-writer.js';
import type { RunMeta, RunStats } from '../artifacts/schemas.js';
import type { AgentConfig } from '../config/agent.js';
import { agentPricing, pricingRecord } from '../costs/pricing.js';
import { AgentError, ConfigError, RefereeError } from '../errors.js';
import { emitTo, type Emit } from '../events/emit.js';
import type { ProgressSnapshot, Reporter } from '../events/reporter.js';
import { redactAgentConfig } from '../events/secrets.js';
import { killPoint } from '../kill-point.js';
import { SCORING_VERSION } from '../scoring/registry.js';
import { ATTR, SPAN, TRACER_NAME } from '../telemetry/names.js';
import { resendRunSpans } from '../telemetry/run-resend.js';
import { resolveTracePer, type TracePerChoice } from '../telemetry/trace-per.js';
import { openJudge, type JudgeHandle } from './judge-agent.js';
import { gitCommit, hostInfo, toolVersion } from './metadata.js';
import type { Plan, PreparedPlan, ResumedRun, RunContext } from './plan.js';
import { outputRootOf } from './resume.js';
import { appendHistory, belongsInHistory, endingStatus, isIncomplete } from './run-ending.js';
import { newRunId } from './run-id.js';
import { acquireRunLock, heartbeatSeconds, releasingLock, type RunLock } from './run-lock.js';
import { RunState } from './run-state.js';
import { settleLanes } from './settle-lanes.js';
import { StallWatchdog, writeFailureReport } from './watchdog.js';

/** What every run takes, whatever its plan. */
export interface DriverOptions {
  agentConfig: AgentConfig;
  /** Output root; the run directory is `<outputDir>/<runId>`. */
  outputDir: string;
  runId?: string;
  /** `champion`/`challenger` in match mode. @default "single" */
  role?: string;
  /** Reporters beside the run directory writer (progress bar, metrics, monitor feed). */
  reporters?: Reporter[];
  /** Aborts the run (Ctrl-C): in-flight calls are cancelled, completed turns stay on disk. */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /**
   * Issue 13: the share of failed turns (0..1) above which the run ends `failed` (exit 4, kept out of
   * benchmark_history.jsonl). Issue 22: left out, a run with tests not answered (a scored call
   * failed) is incomplete (exit 5, no history line); given, only the share decides.
   * @default 1 (only a run in which every turn failed), and incomplete runs flagged
   */
  maxFailedTurns?: number;
  /** Continue a killed run: its configs, run id and dataset come from the resume reader. */
  resume?: ResumedRun;
  /** Issue 13: the files the agent and judge configs came from, named in a set-up error. */
  sources?: { agent?: string; judge?: string };
  /**
   * One trace per run, or one per test (each test, and each block of filler turns, a trace of its own,
   * linked to the run's). @default 'auto': per test above 400 planned turns
   */
  tracePer?: TracePerChoice;
}

export interface RunResult {
  runId: string;
  runDir: string;
  status: RunMeta['status'];
  stats: RunStats;
  /** issue 22: finished with tests not answered, and no --max-failed-turns given: exit 5, no history line. */
  incomplete: boolean;
}

/** Executes `plan`: sets the run up, runs its lanes side by side and writes its ending. */
export async function runPlan<R extends object>(plan: Plan<R>, options: DriverOptions): Promise<RunResult & R> {
  return releasingLock(await setUp(plan, options), (s) => execute(s, plan, options));
}

/** A run set up: its locked directory, the plan's prepared dataset, the agent factory and the judge. */
interface RunSetup {
  agentConfig: AgentConfig;
  runId: string;
  outputDir: string;
  runDir: string;
  lock: RunLock;
  prepared: PreparedPlan;
  state: RunState;
  factory: AgentFactory;
  judge: JudgeHandle | undefined;
}

/**
 * Creates and locks the run directory, then has the plan prepare its dataset and opens the agent
 * factory (probing the endpoint) and the judge. Issue 13: a set-up that fails leaves nothing
 * behind (no run directory, no `dataset/`), gives a resume's lock back, and names the file at fault.
 */
async function setUp(plan: Plan<object>, options: DriverOptions): Promise<RunSetup> {
  try {
    return await open(plan, options);
  } catch (err) {
    // A resume's lock was taken while reading the directory: a run that does not start gives it back.
    options.resume?.lock.release();
    throw err;
  }
}

async function open(plan: Plan<object>, options: DriverOptions): Promise<RunSetup> {
  const resume = options.resume;
  const agentConfig = resume?.agentConfig ?? options.agentConfig;
  const env = options.env ?? process.env;
  const runId = resume?.runId ?? options.runId ?? newRunId(agentConfig.name);
  const outputDir = resume ? outputRootOf(resume.runDir) : resolve(options.outputDir);
  const runDir = join(outputDir, runId);
  plan.check?.(agentConfig);
  // Appending a second run's lines to the first's files would corrupt both.
  if (!resume && existsSync(join(runDir, 'run.json'))) throw runDirTaken(runDir);
  // A bad REFEREE_HEARTBEAT_S stops the run before its directory exists.
  heartbeatSeconds();
  const createdRunDir = !existsSync(runDir);
  createOutputDir(runDir, 'run directory');
  const lock = resume?.lock ?? acquireRunLock(runDir);
  let prepared: PreparedPlan | undefined;
  try {
    prepared = await plan.prepare({ runDir, agentConfig });
    const state = new RunState(prepared.tests.length, prepared.turnsTotal, agentPricing(agentConfig), resume?.priorActiveMs ?? 0);
    prepared.configureState?.(state);
    const factory = await createAgentFactory(agentConfig, { env, probe: true }).catch((err: unknown) => {
      throw naming(err, resume ? `${join(runDir, 'run.json')} agent_config` : options.sources?.agent);
    });
    const judge = await openJudge(prepared.judgeConfig, factory, { env, onCost: (usd) => state.addManagingCost(usd) }).catch((err: unknown) => {
      throw naming(err, options.sources?.judge);
    });
    return { agentConfig, runId, outputDir, runDir, lock, prepared, state, factory, judge };
  } catch (err) {
    lock.release();
    // Issue 4 and 13: a run that never started leaves no half run directory (nor a dataset/) behind for a later --resume to trip on.
    if (createdRunDir) rmSync(runDir, { recursive: true, force: true });
    else prepared?.abandon?.();
    throw err;
  }
}

/** An agent set-up error, prefixed with the file its config came from. */
function naming(err: unknown, file: string | undefined): unknown {
  if (file === undefined || !(err instanceof RefereeError) || err.message.startsWith(file)) return err;
  return new AgentError(err.code, `${file}: ${err.message}`, { cause: err, exitCode: err.exitCode });
}

/** Runs the plan's lanes and writes the ending: run.json status, runstats.json, report, history line. */
async function execute<R extends object>(s: RunSetup, plan: Plan<R>, options: DriverOptions): Promise<RunResult & R> {
  const { agentConfig, runId, runDir, prepared, state, factory, judge } = s;
  const resume = options.resume;
  const role = options.role ?? 'single';
  const meta: RunMeta = resume ? resumedMeta(resume) : freshMeta(s, options);
  const writer = new RunDirWriter(runDir, runId, { ...(prepared.taskRun ? { taskRun: true } : {}), ...(resume ? { startSeq: resume.nextSeq } : {}) });
  const { reporters, emit } = runReporters(s, writer, options.reporters ?? []);
  const publish = (type: string, data: Record<string, unknown>): void => {
    for (const r of reporters) r.onEvent?.(type, data);
  };
  const tracePer = resolveTracePer(options.tracePer, prepared.turnsTotal);
  const runSpan = trace.getTracer(TRACER_NAME).startSpan(SPAN.run, {
    attributes: {
      'openinference.span.kind': 'CHAIN',
      [ATTR.runId]: runId,
      [ATTR.agentName]: agentConfig.name,
      [ATTR.role]: role,
      'referee.dataset.sha256': prepared.meta.dataset.sha256,
      'referee.tests_total': prepared.tests.length,
      ...prepared.spanAttributes,
      [ATTR.tracePer]: tracePer,
    },
  });
  const abort = linkedAbort(options.signal);
  const run: RunContext = { runId, runDir, agentConfig, factory, judge, state, emit, reporters, publish, runCtx: trace.setSpan(context.active(), runSpan), tracePer, signal: abort.signal };

  let status: RunMeta['status'] = 'finished';
  let thrown: unknown;
  const started = performance.now();
  try {
    await emit('onRunStart', { meta, runDir, tests: prepared.tests, progress: state.snapshot(), publish });
    plan.begin?.(run);
    // Issue 24: a lane that throws (a full disk) stops the others as Ctrl-C would, and they are waited for before the ending.
    await settleLanes(Array.from({ length: prepared.lanes }, (_, lane) => plan.runLane(lane, run)), abort.abort);
    status = endingStatus(abort.signal.aborted, state.snapshot(), options.maxFailedTurns);
    state.runEnded(status);
  } catch (err) {
    status = 'failed';
    thrown = err;
    writeFailureReport(runDir, runId, err, state.snapshot());
    runSpan.recordException(err as Error);
  }
  abort.dispose();
  await factory.close().catch(() => {});
  await judge?.close().catch(() => {});
  const durationS = (performance.now() - started) / 1000;
  const stats: RunStats = state.stats(runId, agentConfig.name);
  const incomplete = isIncomplete(status, stats.tests_errored, options.maxFailedTurns);
  const own = plan.ending({ status, stats, meta, durationS });
  runSpan.setAttributes({ [ATTR.score]: stats.score, [ATTR.maxScore]: stats.max_score, [ATTR.status]: status, ...own.spanAttributes });
  if (status !== 'finished') runSpan.setStatus({ code: SpanStatusCode.ERROR, message: status });
  runSpan.end();
  // The spans that failed to export (a collector down for a while) go again now, counted in runstats.json.
  const exported = await resendRunSpans(runDir);
  Object.assign(stats, exported);
  const finishedAt = new Date().toISOString();
  const history =
    own.inHistory && belongsInHistory(status, incomplete)
      ? historyLine({ runId, runType: own.runType, resumed: resume !== undefined, role, agent: agentConfig.name, about: own.about, status, finishedAt, meta, stats, tally: own.tally, runDir })
      : null;
  await writeEnding({
    writer,
    emit,
    outputDir: s.outputDir,
    ending: { status, finished_at: finishedAt, history },
    stats,
    progress: state.snapshot(),
    thrown,
    runId,
    ...(own.extra ? { extra: own.extra } : {}),
  });
  return { runId, runDir, status, stats: { ...state.stats(runId, agentConfig.name), ...exported }, incomplete, ...plan.result(durationS) };
}

/** A run's benchmark_history.jsonl line: the run's fields, then the plan's (what was run; its tally, `duration` last). */
export function historyLine(h: {
  runId: string;
  runType: string;
  resumed: boolean;
  role: string;
  agent: string;
  about: Record<string, unknown>;
  status: RunMeta['status'];
  finishedAt: string;
  meta: Pick<RunMeta, 'dataset' | 'seed'>;
  stats: RunStats;
  tally: Record<string, unknown>;
  runDir: string;
}): Record<string, unknown> {
  return {
    run_id: h.runId,
    run_type: h.runType,
    ...(h.resumed ? { resumed: true } : {}),
    role: h.role,
    agent: h.agent,
    ...h.about,
    status: h.status,
    finished_at: h.finishedAt,
    dataset_sha256: h.meta.dataset.sha256,
    seed: h.meta.seed,
    score: h.stats.score,
    max_score: h.stats.max_score,
    ...h.tally,
    agent_costs_usd: h.stats.agent_costs_usd,
    run_dir: h.runDir,
  };
}

/**
 * Issue 24: every ending in one order, so that run.json says its final status last: runstats.json,
 * the last events and run.json's record of the ending (the writer's `onRunEnd`), the other reporters'
 * `onRunEnd` (report.html), the history line, then run.json's final status. A kill -9 anywhere leaves a
 * run that `--resume` completes. A failed write (a full disk) ends the run `failed` where run.json can
 * still be written, with run_error.json if it fits, and throws the first error, which names its file.
 */
export async function writeEnding(e: {
  writer: RunDirWriter;
  emit: Emit;
  outputDir: string;
  ending: NonNullable<RunMeta['ending']>;
  stats: RunStats;
  progress: ProgressSnapshot;
  /** The error the run itself ended with: thrown after the ending, before any error of the ending's own. */
  thrown: unknown;
  runId: string;
  extra?: Partial<RunMeta>;
}): Promise<void> {
  try {
    e.writer.prepareEnding(e.ending, e.extra);
    await e.emit('onRunEnd', e.stats, e.ending.status, e.progress);
    killPoint('ending:report');
    if (e.ending.history) appendHistory(e.outputDir, e.ending.history);
    killPoint('ending:history');
    e.writer.completeEnding();
  } catch (err) {
    // The writer's space reserve, freed first, makes room on a full disk for run.json's `failed` and run_error.json.
    e.writer.markFailed();
    writeFailureReport(e.writer.dir, e.runId, e.thrown ?? err, e.progress);
    throw e.thrown ?? err;
  }
  if (e.thrown !== undefined) throw e.thrown;
}

/** run.json of a fresh run: the run's, the agent's, then the plan's own fields. */
function freshMeta(s: RunSetup, options: DriverOptions): RunMeta {
  const { run_type, ...own } = s.prepared.meta;
  return {
    run_id: s.runId,
    created_at: new Date().toISOString(),
    status: 'running',
    ...(options.role ? { role: options.role } : {}),
    agent: describeAgent(s.agentConfig),
    agent_config: redactAgentConfig(s.agentConfig),
    ...own,
    concurrency: s.prepared.lanes,
    scoring_version: SCORING_VERSION,
    tool_version: toolVersion(),
    git_commit: gitCommit(),
    ...hostInfo(),
    ...(run_type !== undefined ? { run_type } : {}),
    pricing: pricingRecord(s.state.pricing),
  };
}

/** run.json of a resumed run: as it was, running again, with this resume noted. */
function resumedMeta(resume: ResumedRun): RunMeta {
  const { finished_at: _finished, ...rest } = resume.meta;
  return {
    ...rest,
    status: 'running',
    resumes: [
      ...(resume.meta.resumes ?? []),
      { at: new Date().toISOString(), turns_restored: resume.turnsRestored, tool_version: toolVersion(), git_commit: gitCommit() },
    ],
  };
}

/** The writer, the stall watchdog and the caller's reporters, and the `emit` that calls a hook on each in order. */
function runReporters(s: RunSetup, writer: RunDirWriter, extra: Reporter[]): { reporters: Reporter[]; emit: Emit } {
  // Issue 4: the stall watchdog sees every turn and token, and reports through the reporters' onNotice.
  const watchdog = new StallWatchdog({
    thresholdMs: s.agentConfig.timeouts.stall_s * 1000,
    runDir: s.runDir,
    runId: s.runId,
    snapshot: () => s.state.snapshot(),
    notify: async (kind, message, data) => {
      s.state.notice = kind === 'stall' ? message : null;
      await emit('onNotice', kind, message, data, s.state.snapshot());
    },
  });
  const reporters: Reporter[] = [writer, watchdog, ...extra];
  const emit = emitTo(reporters);
  return { reporters, emit };
}

/** The run's own abort, tied to the caller's signal (already aborted included: it never fires again). */
export function linkedAbort(outer: AbortSignal | undefined): { signal: AbortSignal; abort: (reason: unknown) => void; dispose: () => void } {
  const abort = new AbortController();
  const onOuterAbort = (): void => abort.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  if (outer?.aborted) onOuterAbort();
  return { signal: abort.signal, abort: (reason) => abort.abort(reason), dispose: () => outer?.removeEventListener('abort', onOuterAbort) };
}

/** The error for a --run-id whose directory already holds a run. */
export function runDirTaken(runDir: string): ConfigError {
  return new ConfigError('CONFIG_INVALID', `${runDir}: already holds a run (run.json): give another --run-id, or --resume it`);
}
