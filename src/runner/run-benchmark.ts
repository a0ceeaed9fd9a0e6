import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createAgentFactory, describeAgent } from '../agents/factory.js';
import type { AgentFactory } from '../agents/types.js';
import { RunDirWriter } from '../artifacts/run-dir-writer.js';
import type { RunMeta, RunStats } from '../artifacts/schemas.js';
import type { AgentConfig } from '../config/agent.js';
import type { DatasetConfig } from '../config/dataset.js';
import { resolvePricing } from '../costs/pricing.js';
import { createFillerSource } from '../datasets/filler.js';
import { generateDataset, type DatasetSpec } from '../datasets/generate.js';
import { loadDataset } from '../datasets/load.js';
import { deriveSeed } from '../datasets/rng.js';
import type { TestDefinition } from '../datasets/types.js';
import { DatasetError, RefereeError } from '../errors.js';
import { SCORING_VERSION } from '../scoring/registry.js';
import { ATTR, SPAN, TRACER_NAME } from '../telemetry/names.js';
import { countTokens } from '../tokens.js';
import { gitCommit, hostInfo, toolVersion } from './metadata.js';
import type { Reporter } from './reporter.js';
import { newRunId } from './run-id.js';
import { buildSchedule } from './scheduler.js';
import { runLane } from './lane.js';
import { RunState } from './run-state.js';

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
  const { agentConfig, datasetConfig } = options;
  const env = options.env ?? process.env;
  const runId = options.runId ?? newRunId(agentConfig.name);
  const outputDir = resolve(options.outputDir);
  const runDir = join(outputDir, runId);
  try {
    mkdirSync(runDir, { recursive: true });
  } catch (err) {
    throw new RefereeError('OUTPUT_UNWRITABLE', `${runDir}: cannot create run directory (${(err as NodeJS.ErrnoException).code ?? err})`);
  }

  const dataset = await prepareDataset(datasetConfig, options.datasetDir ?? join(runDir, 'dataset'), {
    existing: options.datasetDir !== undefined,
    ...(options.allowDatasetMismatch !== undefined ? { allowMismatch: options.allowDatasetMismatch } : {}),
  });
  const args = datasetConfig.datasets.args;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const schedule = buildSchedule(dataset.definitions, {
    memorySpan: args.memory_span,
    lanes: concurrency,
    incompatibilities: datasetConfig.config.incompatibilities,
    countTokens,
    createFiller: (lane) => createFillerSource(deriveSeed(args.seed, `filler/${lane}`)),
  });

  const pricing = resolvePricing(agentConfig.llm.model, agentConfig.pricing);
  const meta: RunMeta = {
    run_id: runId,
    created_at: new Date().toISOString(),
    status: 'running',
    ...(options.role ? { role: options.role } : {}),
    agent: describeAgent(agentConfig),
    agent_config: redactConfig(agentConfig),
    dataset_config: datasetConfig as unknown as Record<string, unknown>,
    dataset: { dir: dataset.dir, sha256: dataset.sha256 },
    seed: args.seed,
    memory_span: args.memory_span,
    concurrency,
    scoring_version: SCORING_VERSION,
    tool_version: toolVersion(),
    git_commit: gitCommit(),
    ...hostInfo(),
  };

  const writer = new RunDirWriter(runDir, runId);
  const reporters: Reporter[] = [writer, ...(options.reporters ?? [])];
  const state = new RunState(dataset.definitions.length, schedule.totalTurns, pricing);
  const emit = async <K extends keyof Reporter>(hook: K, ...hookArgs: Parameters<NonNullable<Reporter[K]>>): Promise<void> => {
    for (const r of reporters) {
      const fn = r[hook] as ((...a: unknown[]) => unknown) | undefined;
      if (fn) await fn.apply(r, hookArgs);
    }
  };

  const tracer = trace.getTracer(TRACER_NAME);
  const factory: AgentFactory = await createAgentFactory(agentConfig, { env });
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
      schedule.lanes.map((steps, lane) =>
        runLane({
          lane,
          steps,
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
          schedule,
        }),
      ),
    );
    if (abort.signal.aborted) status = 'interrupted';
  } catch (err) {
    status = 'failed';
    runSpan.recordException(err as Error);
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    await factory.close().catch(() => {});
    const stats = state.stats(runId, agentConfig.name);
    runSpan.setAttributes({ [ATTR.score]: stats.score, [ATTR.maxScore]: stats.max_score, [ATTR.status]: status });
    if (status !== 'finished') runSpan.setStatus({ code: SpanStatusCode.ERROR, message: status });
    runSpan.end();
    await emit('onRunEnd', stats, status, state.snapshot());
    appendHistory(outputDir, {
      run_id: runId,
      run_type: options.runType ?? 'single',
      role: options.role ?? 'single',
      agent: agentConfig.name,
      status,
      finished_at: new Date().toISOString(),
      dataset_sha256: dataset.sha256,
      seed: args.seed,
      score: stats.score,
      max_score: stats.max_score,
      duration: stats.duration,
      agent_costs_usd: stats.agent_costs_usd,
      run_dir: runDir,
    });
  }
  return { runId, runDir, status, stats: state.stats(runId, agentConfig.name) };
}

function appendHistory(outputDir: string, line: Record<string, unknown>): void {
  try {
    appendFileSync(join(outputDir, 'benchmark_history.jsonl'), JSON.stringify(line) + '\n');
  } catch (err) {
    process.stderr.write(`referee: could not append benchmark_history.jsonl: ${(err as Error).message}\n`);
  }
}

/** The agent config as recorded in run.json: header values are dropped, only names kept. */
function redactConfig(config: AgentConfig): Record<string, unknown> {
  return {
    ...config,
    llm: { ...config.llm, headers: Object.fromEntries(Object.keys(config.llm.headers).map((k) => [k, '[redacted]'])) },
  };
}
