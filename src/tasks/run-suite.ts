/**
 * The models × datasets matrix of a suite (issue 8, seed 004): one run
 * directory per cell, run one after another (a local GPU serves one model at
 * a time), and a matrix summary in the output root.
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { unwritableOutput } from '../artifacts/make-dir.js';
import { writeJsonAtomic } from '../artifacts/run-dir-writer.js';
import { agentModel, type AgentConfig } from '../config/agent.js';
import type { Reporter } from '../events/reporter.js';
import type { TracePerChoice } from '../telemetry/trace-per.js';
import { newRunId } from '../runner/run-id.js';
import type { LoadedSuite } from './load.js';
import { requireJudge, runTasks, type TaskRunResult } from './run-tasks.js';
import { requireCodeSandbox } from '../scoring/code-policy.js';
import { endedTaskRun, prepareTaskResume, resumedTaskOptions } from './task-resume.js';
import { killPoint } from '../kill-point.js';
import { ConfigError } from '../errors.js';
import { piecesOf, type CellPiece, type ShardSpec } from '../shards/partition.js';
import { suiteShard, shardSuffix, type SuiteShard } from '../shards/shard-info.js';
import type { MatrixCell, MatrixSummary, SuiteChallenger } from './matrix-summary.js';

export type { MatrixCell, MatrixSummary, SuiteChallenger } from './matrix-summary.js';

export interface SuiteRunOptions {
  /** Output root: each cell's run directory and the matrix summary go here. */
  outputDir: string;
  /** Overrides the suite's `defaults.concurrency`. */
  concurrency?: number;
  /** Overrides the suite's `defaults.attempts`. */
  attempts?: number;
  /** Overrides the suite's `defaults.cooling_s`, seconds. */
  coolingS?: number;
  /** Overrides the suite's `judge`. */
  judgeConfig?: AgentConfig;
  /** The file `judgeConfig` was read from, recorded in the summary for `--resume`. */
  judgeConfigFile?: string;
  /** The `--overrides` the suite was loaded with, as written: recorded in the summary for `--resume`. */
  overrides?: readonly string[];
  /** issue 14: run code tasks without bubblewrap where it is missing (`--unsafe-code-exec`). @default false */
  unsafeCodeExec?: boolean;
  /**
   * Names the runs: a one-cell matrix's run id, else the prefix of each cell's
   * `<runId>-<agent>-<dataset>` and the summary's `matrix-<runId>.json`.
   * @default generated ids
   */
  runId?: string;
  /** Reporters for one cell (a fresh set per run directory). */
  reporters?: (cell: { agent: string; dataset: string; runId: string }) => Reporter[];
  /** Wraps each cell (the CLI starts and stops the cell's telemetry here). */
  around?: <T>(cell: { agent: string; dataset: string; runId: string; runDir: string }, body: () => Promise<T>) => Promise<T>;
  /** Called after each cell. */
  onCell?: (cell: MatrixCell) => void;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Issue 13: the share of failed turns (0..1) above which a cell ends `failed`. @default 1 */
  maxFailedTurns?: number;
  /** Each cell's traces: one per run, or one per task. @default 'auto' */
  tracePer?: TracePerChoice;
  /**
   * issue 13: the suite's last agent is a challenger (`--compare-with`), recorded in the
   * summary so that `--resume` runs it again and compares.
   */
  challenger?: SuiteChallenger;
  /** Issue 13: continue the suite whose matrix summary this is: finished cells stay, the rest run (an interrupted one resumes). */
  resume?: { summaryFile: string; summary: MatrixSummary };
  /** `--shard i/N`: run only this shard's pieces of the matrix (needs `runId`, shared by every shard). */
  shard?: ShardSpec;
}

export interface SuiteRunResult {
  summary: MatrixSummary;
  /** `<outputDir>/matrix-<suite>-<stamp>.json` */
  summaryFile: string;
}

export async function runSuite(loaded: LoadedSuite, options: SuiteRunOptions): Promise<SuiteRunResult> {
  const outputDir = resolve(options.outputDir);
  const d = loaded.suite.defaults;
  const judgeConfig = options.judgeConfig ?? loaded.judge?.config;
  // A matrix that would stop at its third cell for want of a judge stops before its first.
  for (const dataset of loaded.datasets) {
    requireJudge(dataset, d.evaluator, judgeConfig);
    requireCodeSandbox(dataset, d.evaluator, options.unsafeCodeExec ?? false);
  }
  const created = new Date();
  const earlier = options.resume?.summary;
  const runIdPrefix = options.runId ?? earlier?.run_id;
  const challenger = options.challenger ?? earlier?.challenger;
  if (options.shard && runIdPrefix === undefined) throw new ConfigError('CONFIG_INVALID', 'command line: --shard needs --run-id, the same for every shard (it names the merged run)');
  // A resumed shard keeps the plan it was started on.
  const shard = earlier?.shard ?? (options.shard ? suiteShard(loaded, options.shard, { runId: runIdPrefix as string, ...pick(options, d) }) : undefined);
  const pieces = shard ? new Map(piecesOf(suiteCells(loaded), shard).map((p) => [p.key, p])) : undefined;
  const summary: MatrixSummary = {
    suite: loaded.name,
    suite_file: resolve(loaded.file),
    created_at: earlier?.created_at ?? created.toISOString(),
    finished_at: created.toISOString(),
    agents: loaded.agents.map((a) => a.config.name),
    datasets: loaded.datasets.map((x) => x.name),
    ...(runIdPrefix !== undefined ? { run_id: runIdPrefix } : {}),
    ...(challenger ? { challenger } : {}),
    ...(shard ? { shard: { ...shard, pieces: pieces?.size ?? 0 } } : {}),
    ...recordedSettings(options),
    cells: [],
  };
  const suffix = shard ? shardSuffix(shard) : '';
  const summaryFile =
    options.resume?.summaryFile ?? join(outputDir, `${runIdPrefix !== undefined ? `matrix-${runIdPrefix}${suffix}` : newRunId(`matrix-${loaded.name}`, created)}.json`);
  const oneCell = loaded.agents.length * loaded.datasets.length === 1;
  for (const agent of loaded.agents) {
    for (const dataset of loaded.datasets) {
      if (options.signal?.aborted) break;
      const piece = pieces?.get(cellKey(agent.config.name, dataset.name));
      if (pieces && !piece) continue;
      const before = earlier?.cells.find((c) => c.agent === agent.config.name && c.dataset === dataset.name);
      // Issue 13: a resumed suite keeps its finished cells and resumes the one it was killed in.
      if (before?.status === 'finished') {
        summary.cells.push(before);
        continue;
      }
      const wholeRunId = runIdPrefix === undefined ? newRunId(`${agent.config.name}-${dataset.name}`) : oneCell ? runIdPrefix : `${runIdPrefix}-${agent.config.name}-${dataset.name}`;
      const runId = before?.run_id ?? `${wholeRunId}${suffix}`;
      const concurrency = options.concurrency ?? d.concurrency;
      const cellInfo = { agent: agent.config.name, dataset: dataset.name, runId, runDir: join(outputDir, runId) };
      // Issue 13: the cell is in the summary before it starts, so a kill -9 inside it leaves its run id to resume.
      try {
        writeJsonAtomic(summaryFile, { ...summary, cells: [...summary.cells, pendingCell(cellInfo, agentModel(agent.config))] });
      } catch (err) {
        // issue 24: a runs directory that cannot be written is a set-up error (exit 2), the real errno named.
        throw summary.cells.length === 0 && !options.resume ? unwritableOutput(summaryFile, 'cannot write the matrix summary', err) : err;
      }
      killPoint('suite:cell-started');
      const resumed = before && existsSync(join(cellInfo.runDir, 'run.json')) ? await prepareTaskResume(cellInfo.runDir) : undefined;
      // Issue 24: killed after the cell's run ended and before this summary held it: the cell is read from its run directory.
      const ended = before && !resumed && existsSync(join(cellInfo.runDir, 'run.json')) ? endedTaskRun(cellInfo.runDir) : undefined;
      const body = (): Promise<TaskRunResult> =>
        runTasks({
          agentConfig: agent.config,
          dataset,
          outputDir,
          runId,
          concurrency,
          ...(shard && piece && pieces ? { shard: pieceShard(shard, piece, { runId: wholeRunId, cellTasks: dataset.tasks.length, concurrency }, [...pieces.values()]) } : {}),
          attempts: options.attempts ?? d.attempts,
          coolingMs: (options.coolingS ?? d.cooling_s) * 1000,
          evaluator: d.evaluator,
          ...(d.timeouts.call_s !== undefined ? { callTimeoutMs: d.timeouts.call_s * 1000 } : {}),
          codeTimeoutMs: d.timeouts.code_s * 1000,
          codeMemoryMb: d.code_memory_mb,
          reporters: options.reporters?.(cellInfo) ?? [],
          suite: loaded.name,
          runType: 'suite',
          ...(judgeConfig ? { judgeConfig } : {}),
          ...(options.unsafeCodeExec ? { unsafeCodeExec: true } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.env ? { env: options.env } : {}),
          ...(options.maxFailedTurns !== undefined ? { maxFailedTurns: options.maxFailedTurns } : {}),
          ...(options.tracePer ? { tracePer: options.tracePer } : {}),
          ...(resumed ? resumedTaskOptions(resumed) : {}),
        });
      let r: TaskRunResult;
      try {
        r = ended ?? (options.around ? await options.around(cellInfo, body) : await body());
      } catch (err) {
        // issue 24: a first cell whose set-up failed (its run never existed) leaves no summary behind either.
        if (!options.resume && summary.cells.length === 0 && !existsSync(join(cellInfo.runDir, 'run.json'))) rmSync(summaryFile, { force: true });
        throw err;
      }
      killPoint('suite:cell-ended');
      const cell = toCell(r, agentModel(agent.config));
      summary.cells.push(cell);
      summary.finished_at = new Date().toISOString();
      // Written after every cell, so an interrupted matrix still has its summary.
      writeJsonAtomic(summaryFile, summary);
      killPoint('suite:cell-recorded');
      options.onCell?.(cell);
    }
  }
  writeJsonAtomic(summaryFile, summary);
  return { summary, summaryFile };
}

/** What the command line gave every cell, as the summary records it (absent: not given). */
function recordedSettings(options: SuiteRunOptions): Pick<MatrixSummary, 'overrides' | 'concurrency' | 'attempts' | 'cooling_s' | 'judge_config'> {
  return {
    ...(options.overrides?.length ? { overrides: [...options.overrides] } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
    ...(options.coolingS !== undefined ? { cooling_s: options.coolingS } : {}),
    ...(options.judgeConfigFile !== undefined ? { judge_config: options.judgeConfigFile } : {}),
  };
}

function cellKey(agent: string, dataset: string): string {
  return `${agent}\u0000${dataset}`;
}

/** The matrix as the partition sees it: one cell per agent × dataset, by task ids, in run order. */
export function suiteCells(loaded: LoadedSuite): { key: string; tasks: string[] }[] {
  return loaded.agents.flatMap((a) => loaded.datasets.map((ds) => ({ key: cellKey(a.config.name, ds.name), tasks: ds.tasks.map((t) => t.id) })));
}

/** The settings that decide a suite's results, as this run takes them (flags over the suite's defaults). */
function pick(options: SuiteRunOptions, d: LoadedSuite['suite']['defaults']): { attempts: number; evaluator: unknown; codeTimeoutS: number; codeMemoryMb: number } {
  return { attempts: options.attempts ?? d.attempts, evaluator: d.evaluator, codeTimeoutS: d.timeouts.code_s, codeMemoryMb: d.code_memory_mb };
}

function pieceShard(shard: SuiteShard, piece: CellPiece, cell: { runId: string; cellTasks: number; concurrency: number }, all: readonly CellPiece[]) {
  const { pieces: _pieces, ...suite } = shard;
  const whole = { shard_tasks: all.reduce((n, p) => n + p.tasks.length, 0), shard_pieces: all.length };
  return { ...suite, tasks: piece.tasks, whole: piece.whole, run_id: cell.runId, cell_tasks: cell.cellTasks, concurrency: cell.concurrency, ...whole };
}

/** A cell that has started and not ended: its place in the summary until it ends. */
function pendingCell(cell: { agent: string; dataset: string; runId: string; runDir: string }, model: string | null): MatrixCell {
  return {
    agent: cell.agent,
    model,
    dataset: cell.dataset,
    run_id: cell.runId,
    run_dir: cell.runDir,
    status: 'running',
    tasks: 0,
    passed: 0,
    errored: 0,
    attempts: 0,
    pass_rate: 0,
    score: 0,
    max_score: 0,
    tokens_in: 0,
    tokens_out: 0,
    cost_usd: 0,
    duration_s: 0,
    tasks_per_s: 0,
  };
}

export function toCell(r: TaskRunResult, model: string | null): MatrixCell {
  return {
    agent: r.agent,
    model,
    dataset: r.dataset,
    run_id: r.runId,
    run_dir: r.runDir,
    status: r.status,
    tasks: r.tasks,
    passed: r.passed,
    errored: r.errored,
    attempts: r.attempts,
    pass_rate: r.tasks ? r.passed / r.tasks : 0,
    score: r.stats.score,
    max_score: r.stats.max_score,
    tokens_in: r.stats.tokens_in,
    tokens_out: r.stats.tokens_out,
    cost_usd: r.stats.agent_costs_usd,
    duration_s: Math.round(r.durationS * 1000) / 1000,
    tasks_per_s: r.durationS > 0 ? Math.round((r.tasks / r.durationS) * 10) / 10 : 0,
  };
}

/** The matrix as a text table: agents down, datasets across, `passed/tasks pct` per cell. */
export function formatMatrix(summary: MatrixSummary): string {
  const header = ['agent (model)', ...summary.datasets, 'all'];
  const rows = summary.agents.map((agent) => {
    const cells = summary.cells.filter((c) => c.agent === agent);
    const model = cells[0]?.model ?? null;
    const perDataset = summary.datasets.map((ds) => {
      const c = cells.find((x) => x.dataset === ds);
      return c ? fmt(c.passed, c.tasks, c.errored) : '-';
    });
    const passed = cells.reduce((a, c) => a + c.passed, 0);
    const tasks = cells.reduce((a, c) => a + c.tasks, 0);
    const errored = cells.reduce((a, c) => a + c.errored, 0);
    return [model === null ? agent : `${agent} (${model})`, ...perDataset, fmt(passed, tasks, errored)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function fmt(passed: number, tasks: number, errored: number): string {
  const pct = tasks ? Math.round((passed / tasks) * 100) : 0;
  return `${passed}/${tasks} ${pct}%${errored ? ` (${errored} err)` : ''}`;
}
