/**
 * An LTM suite's runs, one after another (a local GPU serves one model at a time): every agent ×
 * dataset config × seed is one ordinary LTM run (`runBenchmark`), never split inside; then each
 * cell's score over seeds as a mean with a 95% CI, per dataset and overall. Run again with the
 * same --run-id, finished runs are kept and an interrupted one resumes. `--shard i/N` runs only
 * this shard's runs; `referee merge` puts the shards' summaries together.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from '../artifacts/run-dir-writer.js';
import { RunMetaSchema, RunStatsSchema, type RunStats } from '../artifacts/schemas.js';
import type { AgentConfig } from '../config/agent.js';
import type { DatasetConfig } from '../config/dataset.js';
import { ConfigError } from '../errors.js';
import type { Reporter } from '../events/reporter.js';
import { prepareResume } from '../runner/resume.js';
import { datasetSpecs, runBenchmark } from '../runner/run-benchmark.js';
import { definitionsToRun, specsWithData } from '../datasets/coverage.js';
import { check } from '../runner/run-dir-files.js';
import { partitionCells, type ShardSpec } from '../shards/partition.js';
import { sha256Json, shardSuffix, type LtmRunShard, type SuiteShard } from '../shards/shard-info.js';
import { redactAgentConfig } from '../events/secrets.js';
import type { TracePerChoice } from '../telemetry/trace-per.js';
import { meanCi } from './ci.js';
import type { LtmSuiteCell, LtmSuiteRun, LtmSuiteSummary } from './schema.js';
import { withSeed, type LoadedLtmSuite } from './load.js';
import { writeLtmSuiteReport } from './report.js';

export type { LtmSuiteCell, LtmSuiteRun, LtmSuiteSummary } from './schema.js';

export interface LtmSuiteOptions {
  outputDir: string;
  /** Names the runs `<runId>-<agent>-<dataset>-s<seed>` and the summary `ltm-suite-<runId>.json`. */
  runId: string;
  shard?: ShardSpec;
  reporters?: (run: { agent: AgentConfig; runId: string }) => Reporter[];
  around?: <T>(run: { runId: string; runDir: string; agent: string }, body: () => Promise<T>) => Promise<T>;
  onRun?: (run: LtmSuiteRun) => void;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Each run's, as a single LTM run takes them (run-plan.ts DriverOptions). */
  maxFailedTurns?: number;
  tracePer?: TracePerChoice;
  /** Overrides the suite's `defaults.concurrency` for every run; recorded in the summary. */
  concurrency?: number;
  /** Judges every run's LLM-judged evaluations (`runBenchmark`'s judgeConfig); its file is recorded in the summary. */
  judge?: { file: string; config: AgentConfig };
}

interface Planned {
  agent: { file: string; config: AgentConfig };
  dataset: { name: string; config: DatasetConfig };
  seed: number;
  runId: string;
}

/** Every run of the suite, in order: agents, then datasets, then seeds. */
export function ltmSuitePlan(loaded: LoadedLtmSuite, runId: string): Planned[] {
  return loaded.agents.flatMap((agent) =>
    loaded.datasets.flatMap((dataset) => loaded.suite.seeds.map((seed) => ({ agent, dataset, seed, runId: `${runId}-${agent.config.name}-${dataset.name}-s${seed}` }))),
  );
}

/** The LTM suite's shard record: its plan covers agents, dataset configs, seeds and the run id. */
export function ltmSuiteShard(loaded: LoadedLtmSuite, spec: ShardSpec, runId: string): SuiteShard {
  const datasets = loaded.datasets.map((d) => ({ name: d.name, config: d.config }));
  return {
    index: spec.index,
    count: spec.count,
    plan: sha256Json({ kind: 'ltm', suite: loaded.name, agents: loaded.agents.map((a) => redactAgentConfig(a.config)), datasets, seeds: loaded.suite.seeds, runId, count: spec.count }),
    datasets: sha256Json(datasets),
  };
}

export function ltmSummaryFile(outputDir: string, runId: string, shard?: ShardSpec): string {
  return join(outputDir, `ltm-suite-${runId}${shard ? shardSuffix(shard) : ''}.json`);
}

export async function runLtmSuite(loaded: LoadedLtmSuite, options: LtmSuiteOptions): Promise<{ summary: LtmSuiteSummary; summaryFile: string }> {
  const outputDir = resolve(options.outputDir);
  let plan = ltmSuitePlan(loaded, options.runId);
  const shard = options.shard ? ltmSuiteShard(loaded, options.shard, options.runId) : undefined;
  if (options.shard) {
    // An LTM run is never split: each is a whole cell, dealt to the least loaded shard.
    const mine = new Set(partitionCells(plan.map((p) => ({ key: p.runId, tasks: [p.runId] })), options.shard.count)[options.shard.index - 1]!.map((p) => p.key));
    plan = plan.filter((p) => mine.has(p.runId));
  }
  // Each run records its shard and the shard's whole share, so the monitor counts it before its later runs exist.
  const runShard: LtmRunShard | undefined = shard && { ...shard, shard_tasks: plan.reduce((n, p) => n + plannedTests(withSeed(p.dataset.config, p.seed)), 0), shard_pieces: plan.length };
  const summaryFile = ltmSummaryFile(outputDir, options.runId, options.shard);
  const summary: LtmSuiteSummary = {
    kind: 'ltm',
    suite: loaded.name,
    suite_file: loaded.file,
    run_id: options.runId,
    agents: loaded.agents.map((a) => a.config.name),
    datasets: loaded.datasets.map((d) => d.name),
    seeds: loaded.suite.seeds,
    ...(shard ? { shard: { ...shard, pieces: plan.length } } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.judge ? { judge_config: options.judge.file } : {}),
    ...(loaded.overrides.length > 0 ? { overrides: loaded.overrides } : {}),
    runs: [],
    cells: [],
  };
  for (const p of plan) {
    if (options.signal?.aborted) break;
    const runDir = join(outputDir, p.runId);
    const run = await runOne(loaded, p, runDir, outputDir, options, runShard);
    summary.runs.push(run);
    summary.cells = ltmCells(summary);
    writeJsonAtomic(summaryFile, summary);
    options.onRun?.(run);
  }
  summary.cells = ltmCells(summary);
  writeJsonAtomic(summaryFile, summary);
  if (!shard) writeLtmSuiteReport(summary, summaryFile);
  return { summary, summaryFile };
}

async function runOne(loaded: LoadedLtmSuite, p: Planned, runDir: string, outputDir: string, options: LtmSuiteOptions, shard: LtmRunShard | undefined): Promise<LtmSuiteRun> {
  const done = existsSync(join(runDir, 'run.json')) ? endedRun(runDir) : undefined;
  if (done) return { ...done, agent: p.agent.config.name, dataset: p.dataset.name, seed: p.seed };
  // Restaurant's turns are steered by the judge: an interrupted run resumes with the judge it started with.
  const resume = existsSync(join(runDir, 'run.json')) ? await prepareResume(runDir, { judge: options.judge !== undefined }) : undefined;
  const body = () =>
    runBenchmark({
      agentConfig: p.agent.config,
      datasetConfig: withSeed(p.dataset.config, p.seed),
      outputDir,
      runId: p.runId,
      concurrency: options.concurrency ?? loaded.suite.defaults.concurrency,
      reporters: options.reporters?.({ agent: p.agent.config, runId: p.runId }) ?? [],
      runType: 'ltm-suite',
      ...(shard ? { shard } : {}),
      ...(resume ? { resume } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.maxFailedTurns !== undefined ? { maxFailedTurns: options.maxFailedTurns } : {}),
      ...(options.tracePer ? { tracePer: options.tracePer } : {}),
      ...(options.judge ? { judgeConfig: options.judge.config } : {}),
      sources: { agent: p.agent.file, ...(options.judge ? { judge: options.judge.file } : {}) },
    });
  const r = options.around ? await options.around({ runId: p.runId, runDir, agent: p.agent.config.name }, body) : await body();
  return runRecord(p.agent.config.name, p.dataset.name, p.seed, p.runId, runDir, r.status, r.stats);
}

/** The tests an LTM run of `config` sends, known before its dataset is generated: each runnable dataset's examples. */
function plannedTests(config: DatasetConfig): number {
  const specs = specsWithData(datasetSpecs(config));
  return definitionsToRun(specs.flatMap((s) => Array.from({ length: s.examples }, () => ({ dataset: s.name }))), { judge: false }).length;
}

function runRecord(agent: string, dataset: string, seed: number, runId: string, runDir: string, status: string, stats: Pick<RunStats, 'score' | 'max_score' | 'tests_errored'>): LtmSuiteRun {
  const { score, max_score } = stats;
  return { agent, dataset, seed, run_id: runId, run_dir: runDir, status, score, max_score, ratio: max_score > 0 ? score / max_score : 0, errored: stats.tests_errored ?? 0 };
}

/** A run of this suite that already ended `finished`, read from its directory; otherwise undefined (it runs, or resumes). */
function endedRun(runDir: string): Omit<LtmSuiteRun, 'agent' | 'dataset' | 'seed'> | undefined {
  const metaFile = join(runDir, 'run.json');
  const meta = check(RunMetaSchema.loose(), metaFile, JSON.parse(readFileSync(metaFile, 'utf8')));
  if (meta.status !== 'finished' || !existsSync(join(runDir, 'runstats.json'))) return undefined;
  const stats = check(RunStatsSchema, join(runDir, 'runstats.json'), JSON.parse(readFileSync(join(runDir, 'runstats.json'), 'utf8')));
  const r = runRecord('', '', 0, meta.run_id, runDir, meta.status, stats);
  const { agent: _a, dataset: _d, seed: _s, ...rest } = r;
  return rest;
}

/** Per agent: each dataset's ratio over seeds, and `all` (per seed, every dataset's score over their max). */
export function ltmCells(s: Pick<LtmSuiteSummary, 'agents' | 'datasets' | 'seeds' | 'runs'>): LtmSuiteCell[] {
  const cells: LtmSuiteCell[] = [];
  for (const agent of s.agents) {
    const mine = s.runs.filter((r) => r.agent === agent && r.status === 'finished');
    for (const dataset of s.datasets) {
      const ratios = s.seeds.flatMap((seed) => mine.filter((r) => r.dataset === dataset && r.seed === seed).map((r) => r.ratio));
      cells.push({ agent, dataset, ...meanCi(ratios) });
    }
    const overall = s.seeds.flatMap((seed) => {
      const runs = mine.filter((r) => r.seed === seed);
      if (runs.length !== s.datasets.length) return [];
      const max = runs.reduce((a, r) => a + r.max_score, 0);
      return [max > 0 ? runs.reduce((a, r) => a + r.score, 0) / max : 0];
    });
    cells.push({ agent, dataset: 'all', ...meanCi(overall) });
  }
  return cells;
}

/** Refuses a suite whose runs would collide with another's: the run id names every run. */
export function requireRunId(runId: string | undefined): string {
  if (runId === undefined) throw new ConfigError('CONFIG_INVALID', 'command line: an LTM suite needs --run-id (it names every run, and running it again continues it)');
  return runId;
}
