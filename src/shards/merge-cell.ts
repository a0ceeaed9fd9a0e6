/**
 * One task run put back together from its shards' pieces: the run directory a single process
 * would have written for the cell. The pieces' lines are carried over as they are (turn ids moved
 * past the earlier pieces', the piece's run id renamed to the cell's), and the ending (runstats.json,
 * run.json, report.html, the history line) is written by the same writer and in the same order as
 * the ending of any task run.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { RunDirWriter } from '../artifacts/run-dir-writer.js';
import { RunMetaSchema, RunStatsSchema, type RunMeta, type RunStats, type TestScore } from '../artifacts/schemas.js';
import { agentPricing } from '../costs/pricing.js';
import { emitTo } from '../events/emit.js';
import type { Reporter } from '../events/reporter.js';
import { RunDirError } from '../errors.js';
import { HtmlReportReporter } from '../report/report-reporter.js';
import { check, parseJsonFile } from '../runner/run-dir-files.js';
import { historyLine, runDirTaken, writeEnding } from '../runner/run-plan.js';
import { belongsInHistory, isIncomplete } from '../runner/run-ending.js';
import { RunState } from '../runner/run-state.js';
import type { TaskRunResult } from '../tasks/run-tasks.js';
import { taskShardOf, type TaskShard } from './shard-info.js';

/** A piece of a cell as read from its run directory. */
export interface CellPieceDir {
  runDir: string;
  meta: RunMeta & Record<string, unknown>;
  stats: RunStats;
  shard: TaskShard;
}

const TallySchema = z.object({ tasks: z.number(), passed: z.number(), errored: z.number(), attempts: z.number(), duration_s: z.number() });

/** Reads and checks a piece's run.json and runstats.json; a piece that has not ended `finished` is refused. */
export function readPiece(runDir: string): CellPieceDir {
  const metaFile = join(runDir, 'run.json');
  if (!existsSync(metaFile)) throw new RunDirError('RUN_DIR_INVALID', `${runDir}: no run.json: this shard's piece never started; run the shard (or --resume it)`);
  const meta = check(RunMetaSchema.loose(), metaFile, parseJsonFile(metaFile)) as RunMeta & Record<string, unknown>;
  const shard = taskShardOf(meta.dataset_config);
  if (!shard) throw new RunDirError('RUN_DIR_INVALID', `${metaFile}: dataset_config.shard: not a shard's run (run with --shard i/N)`);
  if (meta.status !== 'finished') {
    throw new RunDirError('RUN_DIR_INVALID', `${metaFile}: status ${meta.status}: shard ${shard.index}/${shard.count} has not finished; referee run --resume ${runDir}, then merge`);
  }
  const statsFile = join(runDir, 'runstats.json');
  const stats = check(RunStatsSchema, statsFile, parseJsonFile(statsFile));
  return { runDir, meta, stats, shard };
}

/** A JSONL file's lines, each passed through `edit` (a torn or empty line is dropped). */
function carry(file: string, edit: (line: string) => string): string {
  if (!existsSync(file)) return '';
  let out = '';
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      JSON.parse(line);
    } catch {
      continue;
    }
    out += `${edit(line)}\n`;
  }
  return out;
}

/** The piece's run id replaced by the cell's wherever it is written (events, spans, session ids). */
function renamer(from: string, to: string): (line: string) => string {
  return from === to ? (l) => l : (l) => l.split(from).join(to);
}

/** Turn ids moved by `offset`: a record's own `turn_id` and master_log's `data.turn_id`. */
function shiftTurn(offset: number, line: string): string {
  if (offset === 0 || !line.includes('"turn_id"')) return line;
  const v = JSON.parse(line) as Record<string, unknown>;
  if (typeof v['turn_id'] === 'number' && v['turn_id'] >= 0) v['turn_id'] += offset;
  const data = v['data'] as Record<string, unknown> | undefined;
  if (data && typeof data['turn_id'] === 'number' && data['turn_id'] >= 0) data['turn_id'] += offset;
  return JSON.stringify(v);
}

function turnsOf(runDir: string): number {
  let next = 0;
  carry(join(runDir, 'turn_metrics.jsonl'), (l) => {
    const id = (JSON.parse(l) as { turn_id?: unknown }).turn_id;
    if (typeof id === 'number') next = Math.max(next, id + 1);
    return l;
  });
  return next;
}

export interface MergeCellOptions {
  /** Output root: the cell's run directory is `<outputDir>/<run id>`. */
  outputDir: string;
  /** Reporters beside the writer and report.html (the CLI's telemetry, for example). */
  reporters?: Reporter[];
}

/**
 * Writes the cell's run directory from its pieces (in shard order, which is the task file's order).
 * The pieces must cover the cell's tasks exactly once.
 */
export async function mergeCell(pieces: readonly CellPieceDir[], options: MergeCellOptions): Promise<TaskRunResult> {
  const sorted = [...pieces].sort((a, b) => a.shard.index - b.shard.index);
  const first = sorted[0];
  if (!first) throw new RunDirError('RUN_DIR_INVALID', 'merge: a cell with no pieces');
  const runId = first.shard.run_id;
  const covered = sorted.reduce((n, p) => n + p.shard.tasks.length, 0);
  const ids = new Set(sorted.flatMap((p) => p.shard.tasks));
  if (ids.size !== covered || covered !== first.shard.cell_tasks) {
    throw new RunDirError('RUN_DIR_INVALID', `${first.runDir}: the pieces of ${runId} hold ${ids.size} distinct of ${covered} tasks; the cell has ${first.shard.cell_tasks}`);
  }
  const runDir = join(options.outputDir, runId);
  if (existsSync(join(runDir, 'run.json'))) throw runDirTaken(runDir);
  mkdirSync(join(runDir, 'dataset'), { recursive: true });
  for (const f of readdirSync(join(first.runDir, 'dataset'))) copyFileSync(join(first.runDir, 'dataset', f), join(runDir, 'dataset', f));

  const agent = String(first.meta.agent['name'] ?? first.stats.agent);
  const files = ['turn_metrics.jsonl', 'transcripts.jsonl', 'master_log.jsonl', 'spans.jsonl', 'metrics.jsonl', join('results', agent, 'results.jsonl')];
  const text = new Map(files.map((f) => [f, '']));
  const events: Record<string, unknown>[] = [];
  let offset = 0;
  for (const p of sorted) {
    const rename = renamer(p.meta.run_id, runId);
    for (const f of files) {
      const shift = f === 'spans.jsonl' || f === 'metrics.jsonl' ? (l: string) => l : (l: string) => shiftTurn(offset, l);
      text.set(f, text.get(f)! + carry(join(p.runDir, f), (l) => shift(rename(l))));
    }
    carry(join(p.runDir, 'events.jsonl'), (l) => {
      const e = JSON.parse(shiftTurn(offset, rename(l))) as Record<string, unknown>;
      if (e['type'] !== 'run_start' && e['type'] !== 'run_end') events.push(e);
      return l;
    });
    offset += turnsOf(p.runDir);
  }
  for (const [f, t] of text) {
    if (!t) continue;
    mkdirSync(join(runDir, f, '..'), { recursive: true });
    writeFileSync(join(runDir, f), t);
  }

  const tallies = sorted.map((p) => TallySchema.parse(p.meta['task_tally'] ?? { tasks: 0, passed: 0, errored: 0, attempts: 0, duration_s: 0 }));
  const durationS = tallies.reduce((s, t) => s + t.duration_s, 0);
  const state = new RunState(first.shard.cell_tasks, first.shard.cell_tasks, agentPricing(first.meta.agent_config as Parameters<typeof agentPricing>[0]), durationS * 1000);
  for (const p of sorted) {
    carry(join(p.runDir, 'turn_metrics.jsonl'), (l) => {
      state.turnFinished(JSON.parse(l));
      return l;
    });
    state.addManagingCost(p.stats.managing_costs_usd);
  }
  const scores: TestScore[] = sorted.flatMap((p) => p.stats.tests);
  const meta = mergedMeta(sorted, runDir);
  const writer = new RunDirWriter(runDir, runId, { taskRun: true });
  const emit = emitTo([writer, new HtmlReportReporter(), ...(options.reporters ?? [])]);
  const tests = scores.map((s) => ({ testId: s.test_id, dataset: s.dataset }));
  await emit('onRunStart', { meta, runDir, tests: tests as never, progress: state.snapshot(), publish: () => {} });
  for (const { seq: _seq, type, run_id: _run, ...rest } of events) writer.event(String(type), rest);
  for (const s of scores) state.testFinished(s);
  state.runEnded('finished');
  const stats = state.stats(runId, agent);
  const passed = tallies.reduce((s, t) => s + t.passed, 0);
  const errored = tallies.reduce((s, t) => s + t.errored, 0);
  const attempts = tallies.reduce((s, t) => s + t.attempts, 0);
  const finishedAt = new Date().toISOString();
  const config = meta.dataset_config;
  const incomplete = isIncomplete('finished', stats.tests_errored, undefined);
  const history = belongsInHistory('finished', incomplete)
    ? historyLine({
        runId,
        runType: String(config['run_type'] ?? 'tasks'),
        resumed: false,
        role: 'single',
        agent,
        about: { dataset: String(config['name']), ...(config['suite'] !== undefined ? { suite: config['suite'] } : {}) },
        status: 'finished',
        finishedAt,
        meta,
        stats,
        tally: { passed, tasks: first.shard.cell_tasks, duration: stats.duration },
        runDir,
      })
    : null;
  await writeEnding({
    writer,
    emit,
    outputDir: options.outputDir,
    ending: { status: 'finished', finished_at: finishedAt, history },
    stats,
    progress: state.snapshot(),
    thrown: undefined,
    runId,
    extra: { task_tally: { tasks: first.shard.cell_tasks, passed, errored, attempts, duration_s: durationS } },
  });
  return { runId, runDir, status: 'finished', stats, incomplete, agent, dataset: String(config['name']), tasks: first.shard.cell_tasks, passed, errored, attempts, durationS };
}

/** run.json of the whole cell: the first piece's, as a single process would have written it, plus where it came from. */
function mergedMeta(pieces: readonly CellPieceDir[], runDir: string): RunMeta & Record<string, unknown> {
  const first = pieces[0]!;
  const { finished_at: _f, resumes: _r, ending: _e, task_tally: _t, ...rest } = first.meta;
  const { shard, ...config } = first.meta.dataset_config as Record<string, unknown> & { shard: TaskShard };
  return {
    ...rest,
    run_id: shard.run_id,
    created_at: pieces.map((p) => p.meta.created_at).sort()[0]!,
    status: 'running',
    dataset_config: { ...config, tasks: shard.cell_tasks },
    dataset: { ...first.meta.dataset, dir: join(runDir, 'dataset') },
    concurrency: Math.max(1, Math.min(shard.concurrency, shard.cell_tasks)),
    merged_from: pieces.map((p) => ({ shard: `${p.shard.index}/${p.shard.count}`, run_dir: p.runDir, tasks: p.shard.tasks.length })),
  };
}

