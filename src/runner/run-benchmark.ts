import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { existsSync, rmSync } from 'node:fs';
import { createOutputDir } from '../artifacts/make-dir.js';
import { join, resolve } from 'node:path';
import { createAgentFactory, describeAgent } from '../agents/factory.js';
import type { AgentFactory } from '../agents/types.js';
import { RunDirWriter } from '../artifacts/run-dir-writer.js';
import type { RunMeta, RunStats } from '../artifacts/schemas.js';
import type { AgentConfig } from '../config/agent.js';
import type { DatasetConfig } from '../config/dataset.js';
import { agentPricing, pricingRecord } from '../costs/pricing.js';
import { datasetCoverage, definitionsToRun, specsWithData, type DatasetCoverage } from '../datasets/coverage.js';
import { generateDataset, type DatasetSpec } from '../datasets/generate.js';
import { loadDataset } from '../datasets/load.js';
import type { TestDefinition } from '../datasets/types.js';
import { AgentError, ConfigError, DatasetError, RefereeError } from '../errors.js';
import { SCORING_VERSION } from '../scoring/registry.js';
import { ATTR, SPAN, TRACER_NAME } from '../telemetry/names.js';
import { gitCommit, hostInfo, toolVersion } from './metadata.js';
import type { Reporter } from '../events/reporter.js';
import { newRunId } from './run-id.js';
import { runLane } from './lane.js';
import { emitTo, type Emit } from '../events/emit.js';
import { outputRootOf, type ResumePlan } from './resume.js';
import { countRunTurns, createRunPlans } from './run-schedule.js';
import type { LanePlan } from './lane-plan.js';
import { redactAgentConfig } from '../events/secrets.js';
import { acquireRunLock, releasingLock, type RunLock } from './run-lock.js';
import { appendHistory, belongsInHistory, endingStatus, isIncomplete } from './run-ending.js';
import { killPoint } from '../kill-point.js';
import type { ProgressSnapshot } from '../events/reporter.js';
import { StallWatchdog, writeFailureReport } from './watchdog.js';
import { settleLanes } from './settle-lanes.js';
import { RunState } from './run-state.js';
// issue 7: GoodAI scheduler semantics and the LLM judge
import { realWaitMaxS } from './goodai-options.js';
import { openJudge, type JudgeHandle } from './judge-agent.js';
import { resolveTracePer, type TracePerChoice } from '../telemetry/trace-per.js';
import { resendRunSpans } from '../telemetry/run-resend.js';

export interface RunOptions {
  agentConfig: AgentConfig;
  datasetConfig: DatasetConfig;
  /** Output root; the run directory is `<outputDir>/<runId>`. */
  outputDir: string;
  runId?: string;
  /** A dataset generated earlier (match mode): both agents run on the very same files. */
  datasetDir?: string;
  /** Conversations run at once; turns within one stay in order. @default 1 */
  concurrency?: number;
  /** `champion`/`challenger` in match mode. */
  role?: string;
  /** Reporters beside the run directory writer (progress bar, metrics, monitor feed). */
  reporters?: Reporter[];
  /** Aborts the run (Ctrl-C): in-flight calls are cancelled, completed turns stay on disk. */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Run even if the dataset does not match the sha256 pinned in the dataset config. */
  allowDatasetMismatch?: boolean;
  /** `run_type` in benchmark_history.jsonl. @default "single" */
  runType?: string;
  /** issue 7: an agent config whose endpoint judges the evaluations GoodAI hands to an LLM; without it (issue 25), those tests are `unscored: needs judge`. */
  judgeConfig?: AgentConfig;
  /** Continue a killed run (issue 4): from `prepareResume(runDir)`; configs, run id and dataset come from it. */
  resume?: ResumePlan;
  /**
   * Issue 13: the share of failed turns (0..1) above which the run ends `failed` (exit 4, kept out of
   * benchmark_history.jsonl). Issue 22: left out, a run with tests not answered (a scored call
   * failed) is incomplete (exit 5, no history line); given, only the share decides.
   * @default 1 (only a run in which every turn failed), and incomplete runs flagged
   */
  maxFailedTurns?: number;
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

/** Turns a GoodAI dataset config into one generator spec per dataset. */
export function datasetSpecs(config: DatasetConfig): DatasetSpec[] {
  const shared = config.datasets.args;
  return config.datasets.datasets.map((entry) => {
    const { dataset_examples, ...args } = entry.args as { dataset_examples?: unknown } & Record<string, unknown>;
    return {
      name: entry.name,
      examples: typeof dataset_examples === 'number' ? dataset_examples : shared.dataset_examples,
      seed: shared.seed,
      args,
    };
  });
}

/** Generates (or loads) the dataset and checks a pinned sha256. */
export async function prepareDataset(
  config: DatasetConfig,
  dir: string,
  options: { existing?: boolean; allowMismatch?: boolean; judge?: boolean } = {},
): Promise<{ definitions: TestDefinition[]; sha256: string; dir: string; coverage: DatasetCoverage | undefined }> {
  // A dataset whose data the user has not supplied is skipped; `coverage` says the run is incomplete.
  if (!options.existing) await generateDataset(specsWithData(datasetSpecs(config)), dir);
  const loaded = await loadDataset(dir, { allowMismatch: options.allowMismatch ?? false });
  const { manifest } = loaded;
  // Restaurant asks the judge during the run: without one it is skipped, and counted in `coverage`.
  const definitions = definitionsToRun(loaded.definitions, { judge: options.judge ?? false });
  const pinned = config.config.sha256;
  if (pinned && pinned !== manifest.sha256 && !options.allowMismatch) {
    throw new DatasetError(
      'DATASET_MISMATCH',
      `${dir}: dataset sha256 ${manifest.sha256} differs from the pinned config.sha256 ${pinned} (use --allow-dataset-mismatch to run anyway)`,
    );
  }
  return { definitions, sha256: manifest.sha256, dir, coverage: datasetCoverage(config, definitions) };
}

/**
 * Runs one agent through one dataset and writes its run directory. The
 * library entry point behind `referee run`.
 */
export async function runBenchmark(options: RunOptions): Promise<RunResult> {
  return releasingLock(await setUpRun(options), (setup) => executeRun(setup, options));
}

/** What a run needs before its first turn: resolved configs, its locked directory, dataset, schedule, agent factory and judge. */
interface RunSetup {
  agentConfig: AgentConfig;
  datasetConfig: DatasetConfig;
  runId: string;
  outputDir: string;
  runDir: string;
  lock: RunLock;
  dataset: Awaited<ReturnType<typeof prepareDataset>>;
  concurrency: number;
  /** The expected number of turns (a dry run's; the real one depends on the replies, issue 12). */
  turnsTotal: number;
  /** issue 12: one plan per lane, handing out steps as replies arrive. */
  plans: LanePlan[];
  state: RunState;
  factory: AgentFactory;
  judge: JudgeHandle | undefined;
}

/**
 * Creates and locks the run directory, then prepares the dataset, the agent
 * factory and the judge. Issue 13: a set-up that fails leaves nothing behind
 * (no run directory, no `dataset/`) and its error names the file at fault.
 */
async function setUpRun(options: RunOptions): Promise<RunSetup> {
  const resume = options.resume;
  const agentConfig = resume?.agentConfig ?? options.agentConfig;
  const datasetConfig = resume?.datasetConfig ?? options.datasetConfig;
  const env = options.env ?? process.env;
  const runId = resume?.runId ?? options.runId ?? newRunId(agentConfig.name);
  const outputDir = resume ? outputRootOf(resume.runDir) : resolve(options.outputDir);
  const runDir = join(outputDir, runId);
  const createdRunDir = !existsSync(runDir);
  // Appending a second run's lines to the first's files would corrupt both.
  if (!resume && existsSync(join(runDir, 'run.json'))) throw runDirTaken(runDir);
  createOutputDir(runDir, 'run directory');
  const lock = resume?.lock ?? acquireRunLock(runDir);
  const ownDataset = join(runDir, 'dataset');
  const generated = !resume && options.datasetDir === undefined && !existsSync(ownDataset);
  let factory: AgentFactory | undefined;
  try {
    const dataset = await prepareDataset(datasetConfig, resume?.datasetDir ?? options.datasetDir ?? ownDataset, {
      existing: resume !== undefined || options.datasetDir !== undefined,
      judge: options.judgeConfig !== undefined,
      // A resumed run's dataset was accepted when it started; prepareResume checked it is the same one.
      ...(resume ? { allowMismatch: true } : options.allowDatasetMismatch !== undefined ? { allowMismatch: options.allowDatasetMismatch } : {}),
    });
    const concurrency = resume?.concurrency ?? Math.max(1, options.concurrency ?? 1);
    // issue 12: the plan hands out steps as replies arrive; a dry run gives the expected number of turns.
    const planOptions = { concurrency, maxMessageSize: agentConfig.max_message_size };
    const turnsTotal = countRunTurns(dataset.definitions, datasetConfig, planOptions);
    const plans = createRunPlans(dataset.definitions, datasetConfig, planOptions);
    const state = new RunState(dataset.definitions.length, turnsTotal, agentPricing(agentConfig), resume?.priorActiveMs ?? 0);
    state.scoring = datasetConfig.config.scoring;
    state.coverage = dataset.coverage;
    // issue 21: the dry run's count is what the plan expects; the real one follows the replies.
    state.turnsTotalEstimated = true;
    factory = await createAgentFactory(agentConfig, { env, probe: true }).catch((err: unknown) => {
      throw naming(err, resume ? `${join(runDir, 'run.json')} agent_config` : options.sources?.agent);
    });
    const judge = await openJudge(options.judgeConfig, factory, { env, onCost: (usd) => state.addManagingCost(usd) }).catch((err: unknown) => {
      throw naming(err, options.sources?.judge);
    });
    return { agentConfig, datasetConfig, runId, outputDir, runDir, lock, dataset, concurrency, turnsTotal, plans, state, factory, judge };
  } catch (err) {
    lock.release();
    // Issue 4 and 13: a run that never started leaves no half run directory (nor a dataset/) behind for a later --resume to trip on.
    if (createdRunDir) rmSync(runDir, { recursive: true, force: true });
    else if (generated) rmSync(ownDataset, { recursive: true, force: true });
    throw err;
  }
}

/** An agent set-up error, prefixed with the file its config came from. */
function naming(err: unknown, file: string | undefined): unknown {
  if (file === undefined || !(err instanceof RefereeError) || err.message.startsWith(file)) return err;
  return new AgentError(err.code, `${file}: ${err.message}`, { cause: err, exitCode: err.exitCode });
}

/** Runs the lanes of a set-up run and writes its ending: run.json status, runstats.json, history line. */
async function executeRun(s: RunSetup, options: RunOptions): Promise<RunResult> {
  const { agentConfig, datasetConfig, runId, runDir, dataset, turnsTotal, plans, state, factory, judge } = s;
  const resume = options.resume;
  const args = datasetConfig.datasets.args;
  const meta: RunMeta = resume ? resumedMeta(resume) : freshMeta(s, options);
  const writer = new RunDirWriter(runDir, runId, resume ? { startSeq: resume.nextSeq } : {});
  const { reporters, emit } = runReporters(s, writer, options.reporters ?? []);
  const tracePer = resolveTracePer(options.tracePer, turnsTotal);
  const runSpan = trace.getTracer(TRACER_NAME).startSpan(SPAN.run, {
    attributes: {
      'openinference.span.kind': 'CHAIN',
      [ATTR.runId]: runId,
      [ATTR.agentName]: agentConfig.name,
      [ATTR.role]: options.role ?? 'single',
      'referee.dataset.sha256': dataset.sha256,
      'referee.tests_total': dataset.definitions.length,
      'referee.turns_total': turnsTotal,
      [ATTR.tracePer]: tracePer,
    },
  });
  const runCtx = trace.setSpan(context.active(), runSpan);
  const abort = linkedAbort(options.signal);
  const realWait = realWaitMaxS(datasetConfig);

  let status: RunMeta['status'] = 'finished';
  let incomplete = false;
  let thrown: unknown;
  try {
    const publish = (type: string, data: Record<string, unknown>): void => {
      for (const r of reporters) r.onEvent?.(type, data);
    };
    await emit('onRunStart', { meta, runDir, tests: dataset.definitions, progress: state.snapshot(), publish });
    const testsById = new Map(dataset.definitions.map((t) => [t.testId, t]));
    // Issue 13: from here the lanes' map is the definitions' only holder, and lets each go as its test begins.
    dataset.definitions.length = 0;
    await settleLanes(
      plans.map((plan, lane) =>
        runLane({
          lane,
          plan,
          runId,
          runDir,
          agentConfig,
          factory,
          testsById,
          state,
          emit,
          runCtx,
          tracePer,
          signal: abort.signal,
          reporters,
          memorySpan: args.memory_span,
          scoring: datasetConfig.config.scoring,
          ...(judge ? { judge } : {}),
          ...(realWait !== undefined ? { realWaitMaxS: realWait } : {}),
          ...(resume ? { restore: resume.lanes[lane] ?? { turns: new Map(), endedTests: new Map() } } : {}),
        }),
      ),
      abort.abort,
    );
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
  const stats: RunStats = state.stats(runId, agentConfig.name);
  incomplete = isIncomplete(status, stats.tests_errored, options.maxFailedTurns);
  runSpan.setAttributes({ [ATTR.score]: stats.score, [ATTR.maxScore]: stats.max_score, [ATTR.status]: status, 'referee.tests_errored': stats.tests_errored ?? 0 });
  if (status !== 'finished') runSpan.setStatus({ code: SpanStatusCode.ERROR, message: status });
  runSpan.end();
  // The spans that failed to export (a collector down for a while) go again now, counted in runstats.json.
  const exported = await resendRunSpans(runDir);
  Object.assign(stats, exported);
  const finishedAt = new Date().toISOString();
  const history = belongsInHistory(status, incomplete)
    ? {
        run_id: runId,
        run_type: meta.run_type ?? options.runType ?? 'single',
        ...(resume ? { resumed: true } : {}),
        role: options.role ?? 'single',
        agent: agentConfig.name,
        status,
        finished_at: finishedAt,
        dataset_sha256: dataset.sha256,
        seed: args.seed,
        score: stats.score,
        max_score: stats.max_score,
        // issue 25: the score leaves out tests left unscored for want of a judge; the line says how many.
        ...(stats.tests_unscored ? { tests_unscored: stats.tests_unscored } : {}),
        duration: stats.wall_duration_s ?? stats.duration,
        agent_costs_usd: stats.agent_costs_usd,
        run_dir: runDir,
      }
    : null;
  await writeEnding({ writer, emit, outputDir: s.outputDir, ending: { status, finished_at: finishedAt, history }, stats, progress: state.snapshot(), thrown, runId });
  return { runId, runDir, status, stats: { ...state.stats(runId, agentConfig.name), ...exported }, incomplete };
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

function freshMeta(s: RunSetup, options: RunOptions): RunMeta {
  const args = s.datasetConfig.datasets.args;
  return {
    run_id: s.runId,
    created_at: new Date().toISOString(),
    status: 'running',
    ...(options.role ? { role: options.role } : {}),
    agent: describeAgent(s.agentConfig),
    agent_config: redactAgentConfig(s.agentConfig),
    dataset_config: s.datasetConfig as unknown as Record<string, unknown>,
    dataset: { dir: s.dataset.dir, sha256: s.dataset.sha256 },
    seed: args.seed,
    memory_span: args.memory_span,
    concurrency: s.concurrency,
    scoring_version: SCORING_VERSION,
    tool_version: toolVersion(),
    git_commit: gitCommit(),
    ...hostInfo(),
    run_type: options.runType ?? 'single',
    pricing: pricingRecord(s.state.pricing),
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

/** run.json of a resumed run: as it was, running again, with this resume noted. */
function resumedMeta(resume: ResumePlan): RunMeta {
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

/** The error for a --run-id whose directory already holds a run. */
export function runDirTaken(runDir: string): ConfigError {
  return new ConfigError('CONFIG_INVALID', `${runDir}: already holds a run (run.json): give another --run-id, or --resume it`);
}
