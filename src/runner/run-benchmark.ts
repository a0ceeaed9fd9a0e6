/**
 * The LTM plan (a GoodAI-style schedule over a generated dataset) and
 * `runBenchmark`, the library entry point behind `referee run` that hands it
 * to the one driver (run-plan.ts).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig } from '../config/agent.js';
import type { DatasetConfig } from '../config/dataset.js';
import { datasetCoverage, definitionsToRun, specsWithData, type DatasetCoverage } from '../datasets/coverage.js';
import { generateDataset, type DatasetSpec } from '../datasets/generate.js';
import { loadDataset } from '../datasets/load.js';
import type { TestDefinition } from '../datasets/types.js';
import { DatasetError } from '../errors.js';
import type { LtmRunShard } from '../shards/shard-info.js';
import { runLane } from './lane.js';
import type { LanePlan } from './lane-plan.js';
import type { Plan } from './plan.js';
import type { ResumePlan } from './resume.js';
import { runPlan, type DriverOptions, type RunResult } from './run-plan.js';
import { countRunTurns, createRunPlans } from './run-schedule.js';
// issue 7: GoodAI scheduler semantics
import { realWaitMaxS } from './goodai-options.js';

export type { RunResult } from './run-plan.js';

export interface RunOptions extends DriverOptions {
  datasetConfig: DatasetConfig;
  /** A dataset generated earlier (match mode): both agents run on the very same files. */
  datasetDir?: string;
  /** Conversations run at once; turns within one stay in order. @default 1 */
  concurrency?: number;
  /** Run even if the dataset does not match the sha256 pinned in the dataset config. */
  allowDatasetMismatch?: boolean;
  /** `run_type` in benchmark_history.jsonl. @default "single" */
  runType?: string;
  /** issue 7: an agent config whose endpoint judges the evaluations GoodAI hands to an LLM; without it (issue 25), those tests are `unscored: needs judge`. */
  judgeConfig?: AgentConfig;
  /** Continue a killed run (issue 4): from `prepareResume(runDir)`; configs, run id and dataset come from it. */
  resume?: ResumePlan;
  /** The LTM suite shard this run belongs to, recorded in run.json (a resume keeps run.json's). */
  shard?: LtmRunShard;
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
 * library entry point behind `referee run`: the LTM plan, executed by the one driver.
 */
export async function runBenchmark(options: RunOptions): Promise<RunResult> {
  return runPlan(ltmPlan(options), options);
}

/**
 * The LTM plan: GoodAI's schedule over a generated dataset, one lane per conversation, handing
 * out steps as replies arrive (issue 12); each lane runs through `runLane`, which scores a test
 * as it ends.
 */
export function ltmPlan(options: RunOptions): Plan {
  const resume = options.resume;
  const datasetConfig = resume?.datasetConfig ?? options.datasetConfig;
  const args = datasetConfig.datasets.args;
  let plans: LanePlan[] = [];
  let testsById = new Map<string, TestDefinition>();
  let definitions: TestDefinition[] = [];
  let dataset: Awaited<ReturnType<typeof prepareDataset>>;
  return {
    async prepare({ runDir, agentConfig }) {
      const ownDataset = join(runDir, 'dataset');
      const generated = !resume && options.datasetDir === undefined && !existsSync(ownDataset);
      try {
        dataset = await prepareDataset(datasetConfig, resume?.datasetDir ?? options.datasetDir ?? ownDataset, {
          existing: resume !== undefined || options.datasetDir !== undefined,
          judge: options.judgeConfig !== undefined,
          // A resumed run's dataset was accepted when it started; prepareResume checked it is the same one.
          ...(resume ? { allowMismatch: true } : options.allowDatasetMismatch !== undefined ? { allowMismatch: options.allowDatasetMismatch } : {}),
        });
      } catch (err) {
        if (generated) rmSync(ownDataset, { recursive: true, force: true });
        throw err;
      }
      definitions = dataset.definitions;
      const concurrency = resume?.concurrency ?? Math.max(1, options.concurrency ?? 1);
      // issue 12: the plan hands out steps as replies arrive; a dry run gives the expected number of turns.
      const planOptions = { concurrency, maxMessageSize: agentConfig.max_message_size };
      const turnsTotal = countRunTurns(definitions, datasetConfig, planOptions);
      plans = createRunPlans(definitions, datasetConfig, planOptions);
      return {
        tests: definitions,
        lanes: concurrency,
        turnsTotal,
        meta: {
          dataset_config: datasetConfig as unknown as Record<string, unknown>,
          dataset: { dir: dataset.dir, sha256: dataset.sha256 },
          seed: args.seed,
          memory_span: args.memory_span,
          run_type: options.runType ?? 'single',
          ...(options.shard ? { shard: options.shard } : {}),
        },
        spanAttributes: { 'referee.turns_total': turnsTotal },
        judgeConfig: options.judgeConfig,
        configureState(state) {
          state.scoring = datasetConfig.config.scoring;
          state.coverage = dataset.coverage;
          // issue 21: the dry run's count is what the plan expects; the real one follows the replies.
          state.turnsTotalEstimated = true;
        },
        abandon() {
          if (generated) rmSync(ownDataset, { recursive: true, force: true });
        },
      };
    },
    begin() {
      testsById = new Map(definitions.map((t) => [t.testId, t]));
      // Issue 13: from here the lanes' map is the definitions' only holder, and lets each go as its test begins.
      definitions.length = 0;
    },
    runLane(lane, run) {
      const realWait = realWaitMaxS(datasetConfig);
      return runLane({
        lane,
        plan: plans[lane] as LanePlan,
        runId: run.runId,
        runDir: run.runDir,
        agentConfig: run.agentConfig,
        factory: run.factory,
        testsById,
        state: run.state,
        emit: run.emit,
        runCtx: run.runCtx,
        tracePer: run.tracePer,
        signal: run.signal,
        reporters: run.reporters,
        memorySpan: args.memory_span,
        scoring: datasetConfig.config.scoring,
        ...(run.judge ? { judge: run.judge } : {}),
        ...(realWait !== undefined ? { realWaitMaxS: realWait } : {}),
        ...(resume ? { restore: resume.lanes[lane] ?? { turns: new Map(), endedTests: new Map() } } : {}),
      });
    },
    ending({ stats, meta }) {
      return {
        spanAttributes: { 'referee.tests_errored': stats.tests_errored ?? 0 },
        inHistory: true,
        runType: meta.run_type ?? options.runType ?? 'single',
        about: {},
        tally: {
          // issue 25: the score leaves out tests left unscored for want of a judge; the line says how many.
          ...(stats.tests_unscored ? { tests_unscored: stats.tests_unscored } : {}),
          duration: stats.wall_duration_s ?? stats.duration,
        },
      };
    },
    result: () => ({}),
  };
}
