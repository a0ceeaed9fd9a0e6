import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { appendFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createAgentFactory, describeAgent } from '../agents/factory.js';
import type { AgentFactory } from '../agents/types.js';
import { RunDirWriter } from '../artifacts/run-dir-writer.js';
import type { RunMeta, RunStats } from '../artifacts/schemas.js';
import type { AgentConfig } from '../config/agent.js';
import type { DatasetConfig } from '../config/dataset.js';
import { agentPricing, pricingRecord } from '../costs/pricing.js';
import { generateDataset, type DatasetSpec } from '../datasets/generate.js';
import { loadDataset } from '../datasets/load.js';
import type { TestDefinition } from '../datasets/types.js';
import { ConfigError, DatasetError, RefereeError } from '../errors.js';
import { SCORING_VERSION } from '../scoring/registry.js';
import { ATTR, SPAN, TRACER_NAME } from '../telemetry/names.js';
import { gitCommit, hostInfo, toolVersion } from './metadata.js';
import type { Reporter } from './reporter.js';
import { newRunId } from './run-id.js';
import { runLane } from './lane.js';
import { outputRootOf, type ResumePlan } from './resume.js';
import { buildRunSchedule, createRunPlans } from './run-schedule.js';
import { redactAgentConfig } from './secrets.js';
import { StallWatchdog, writeFailureReport } from './watchdog.js';
import { RunState } from './run-state.js';
// issue 7: GoodAI scheduler semantics and the LLM judge
import { realWaitMaxS } from './goodai-options.js';
import { openJudge } from './judge-agent.js';

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
  /** issue 7: an agent config whose endpoint judges the evaluations GoodAI hands to an LLM; without it, the deterministic fallbacks score. */
  judgeConfig?: AgentConfig;
  /** Continue a killed run (issue 4): from `prepareResume(runDir)`; configs, run id and dataset come from it. */
  resume?: ResumePlan;
}

export interface RunResult {
  runId: string;
  runDir: string;
  status: RunMeta['status'];
  stats: RunStats;
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
  options: { existing?: boolean; allowMismatch?: boolean } = {},
): Promise<{ definitions: TestDefinition[]; sha256: string; dir: string }> {
  if (!options.existing) await generateDataset(datasetSpecs(config), dir);
  const { definitions, manifest } = await loadDataset(dir, { allowMismatch: options.allowMismatch ?? false });
  const pinned = config.config.sha256;
  if (pinned && pinned !== manifest.sha256 && !options.allowMismatch) {
    throw new DatasetError(
      'DATASET_MISMATCH',
      `${dir}: dataset sha256 ${manifest.sha256} differs from the pinned config.sha256 ${pinned} (use --allow-dataset-mismatch to run anyway)`,
    );
  }
  return { definitions, sha256: manifest.sha256, dir };
}

/**
 * Runs one agent through one dataset and writes its run directory. The
 * library entry point behind `referee run`.
 */
export async function runBenchmark(options: RunOptions): Promise<RunResult> {
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
  try {
    mkdirSync(runDir, { recursive: true });
  } catch (err) {
    throw new RefereeError('OUTPUT_UNWRITABLE', `${runDir}: cannot create run directory (${(err as NodeJS.ErrnoException).code ?? err})`);
  }

  let dataset: Awaited<ReturnType<typeof prepareDataset>>;
  try {
    dataset = await prepareDataset(datasetConfig, resume?.datasetDir ?? options.datasetDir ?? join(runDir, 'dataset'), {
      existing: resume !== undefined || options.datasetDir !== undefined,
      // A resumed run's dataset was accepted when it started; prepareResume checked it is the same one.
      ...(resume ? { allowMismatch: true } : options.allowDatasetMismatch !== undefined ? { allowMismatch: options.allowDatasetMismatch } : {}),
    });
  } catch (err) {
    // Issue 4: a run that never started leaves no half run directory behind for a later --resume to trip on.
    if (createdRunDir) rmSync(runDir, { recursive: true, force: true });
    throw err;
  }
  const args = datasetConfig.datasets.args;
  const concurrency = resume?.concurrency ?? Math.max(1, options.concurrency ?? 1);
  // issue 12: the plan hands out steps as replies arrive; a dry run gives the expected number of turns.
  const planOptions = { concurrency, maxMessageSize: agentConfig.max_message_size };
  const schedule = buildRunSchedule(dataset.definitions, datasetConfig, planOptions);
  const plans = createRunPlans(dataset.definitions, datasetConfig, planOptions);

  const pricing = agentPricing(agentConfig);
  const freshMeta: RunMeta = {
    run_id: runId,
    created_at: new Date().toISOString(),
    status: 'running',
    ...(options.role ? { role: options.role } : {}),
    agent: describeAgent(agentConfig),
    agent_config: redactAgentConfig(agentConfig),
    dataset_config: datasetConfig as unknown as Record<string, unknown>,
    dataset: { dir: dataset.dir, sha256: dataset.sha256 },
    seed: args.seed,
    memory_span: args.memory_span,
    concurrency,
    scoring_version: SCORING_VERSION,
    tool_version: toolVersion(),
    git_commit: gitCommit(),
    ...hostInfo(),
    run_type: options.runType ?? 'single',
    pricing: pricingRecord(pricing),
  };
  const meta: RunMeta = resume ? resumedMeta(resume) : freshMeta;

  const writer = new RunDirWriter(runDir, runId, resume ? { startSeq: resume.nextSeq } : {});
  const state = new RunState(dataset.definitions.length, schedule.totalTurns, pricing, resume?.priorActiveMs ?? 0);
  state.scoring = datasetConfig.config.scoring;
  // Issue 4: the stall watchdog sees every turn and token, and reports through the reporters' onNotice.
  const watchdog = new StallWatchdog({
    thresholdMs: agentConfig.timeouts.stall_s * 1000,
    runDir,
    runId,
    snapshot: () => state.snapshot(),
    notify: async (kind, message, data) => {
      state.notice = kind === 'stall' ? message : null;
      await emit('onNotice', kind, message, data, state.snapshot());
    },
  });
  const reporters: Reporter[] = [writer, watchdog, ...(options.reporters ?? [])];
  const emit = async <K extends keyof Reporter>(hook: K, ...hookArgs: Parameters<NonNullable<Reporter[K]>>): Promise<void> => {
    for (const r of reporters) {
      const fn = r[hook] as ((...a: unknown[]) => unknown) | undefined;
      if (fn) await fn.apply(r, hookArgs);
    }
  };

  const tracer = trace.getTracer(TRACER_NAME);
  const factory: AgentFactory = await createAgentFactory(agentConfig, { env });
  const judge = await openJudge(options.judgeConfig, factory, { env, onCost: (usd) => state.addManagingCost(usd) });
  const realWait = realWaitMaxS(datasetConfig);
  const runSpan = tracer.startSpan(SPAN.run, {
    attributes: {
      'openinference.span.kind': 'CHAIN',
      [ATTR.runId]: runId,
      [ATTR.agentName]: agentConfig.name,
      [ATTR.role]: options.role ?? 'single',
      'referee.dataset.sha256': dataset.sha256,
      'referee.tests_total': dataset.definitions.length,
      'referee.turns_total': schedule.totalTurns,
    },
  });
  const runCtx = trace.setSpan(context.active(), runSpan);
  const abort = new AbortController();
  const onOuterAbort = (): void => abort.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  // A signal aborted before the run started (Ctrl-C or a match stop during startup) never fires again.
  if (options.signal?.aborted) onOuterAbort();

  let status: RunMeta['status'] = 'finished';
  try {
    const publish = (type: string, data: Record<string, unknown>): void => {
      for (const r of reporters) r.onEvent?.(type, data);
    };
    await emit('onRunStart', { meta, runDir, tests: dataset.definitions, progress: state.snapshot(), publish });
    const testsById = new Map(dataset.definitions.map((t) => [t.testId, t]));
    await Promise.all(
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
          signal: abort.signal,
          reporters,
          memorySpan: args.memory_span,
          scoring: datasetConfig.config.scoring,
          ...(judge ? { judge } : {}),
          ...(realWait !== undefined ? { realWaitMaxS: realWait } : {}),
          ...(resume ? { restore: resume.lanes[lane] ?? { turns: new Map(), endedTests: new Map() } } : {}),
        }),
      ),
    );
    if (abort.signal.aborted) status = 'interrupted';
  } catch (err) {
    status = 'failed';
    writeFailureReport(runDir, runId, err, state.snapshot());
    runSpan.recordException(err as Error);
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    await factory.close().catch(() => {});
    await judge?.close().catch(() => {});
    const stats = state.stats(runId, agentConfig.name);
    runSpan.setAttributes({ [ATTR.score]: stats.score, [ATTR.maxScore]: stats.max_score, [ATTR.status]: status });
    if (status !== 'finished') runSpan.setStatus({ code: SpanStatusCode.ERROR, message: status });
    runSpan.end();
    await emit('onRunEnd', stats, status, state.snapshot());
    appendHistory(outputDir, {
      run_id: runId,
      run_type: meta.run_type ?? options.runType ?? 'single',
      ...(resume ? { resumed: true } : {}),
      role: options.role ?? 'single',
      agent: agentConfig.name,
      status,
      finished_at: new Date().toISOString(),
      dataset_sha256: dataset.sha256,
      seed: args.seed,
      score: stats.score,
      max_score: stats.max_score,
      duration: stats.wall_duration_s ?? stats.duration,
      agent_costs_usd: stats.agent_costs_usd,
      run_dir: runDir,
    });
  }
  return { runId, runDir, status, stats: state.stats(runId, agentConfig.name) };
}

export function appendHistory(outputDir: string, line: Record<string, unknown>): void {
  try {
    appendFileSync(join(outputDir, 'benchmark_history.jsonl'), JSON.stringify(line) + '\n');
  } catch (err) {
    process.stderr.write(`referee: could not append benchmark_history.jsonl: ${(err as Error).message}\n`);
  }
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
