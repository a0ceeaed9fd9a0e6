/**
 * `referee merge`: the shards of a task run or suite (each a matrix summary with its `shard`, and
 * its cells' run directories) put back together as the run a single process would have written:
 * every cell's run directory, the matrix summary, the history lines. Shards of another plan or other
 * datasets, a missing shard and a shard given twice are refused before anything is written.
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeJsonAtomic } from '../artifacts/run-dir-writer.js';
import { RunDirError } from '../errors.js';
import type { Reporter } from '../events/reporter.js';
import { check, parseJsonFile } from '../runner/run-dir-files.js';
import { toCell, type MatrixCell, type MatrixSummary } from '../tasks/run-suite.js';
import { mergeCell, readPiece, type CellPieceDir } from './merge-cell.js';
import { SuiteShardSchema, type SuiteShard } from './shard-info.js';
import { writeLtmSuiteReport } from '../ltm-suite/report.js';
import { ltmCells, ltmSummaryFile } from '../ltm-suite/run-ltm-suite.js';
import { LtmSuiteSummarySchema, type LtmSuiteRun, type LtmSuiteSummary } from '../ltm-suite/schema.js';

/** One shard as found on disk. */
export interface FoundShard {
  file: string;
  /** A task suite's matrix summary, or an LTM suite's (`kind: ltm`, its `runs`). */
  summary: MatrixSummary & { shard: SuiteShard; kind?: 'ltm'; runs?: LtmSuiteRun[] };
}

/** The shards' matrix summaries among `inputs`: summary files, or directories holding them. */
export function findShards(inputs: readonly string[]): FoundShard[] {
  const found: FoundShard[] = [];
  for (const input of inputs) {
    const path = resolve(input);
    if (!existsSync(path)) throw new RunDirError('RUN_DIR_INVALID', `${input}: no such file or directory`);
    const files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((f) => /^(matrix|ltm-suite)-.*\.json$/.test(f))
          .sort()
          .map((f) => join(path, f))
      : [path];
    const shards = files.map(readShard).filter((s): s is FoundShard => s !== undefined);
    if (shards.length === 0) throw new RunDirError('RUN_DIR_INVALID', `${input}: holds no shard's matrix summary (matrix-<run-id>.shard-<i>-of-<N>.json, written by referee run --shard i/N)`);
    found.push(...shards);
  }
  return found;
}

function readShard(file: string): FoundShard | undefined {
  const value = parseJsonFile(file) as Partial<MatrixSummary> | undefined;
  if (!value || typeof value !== 'object' || value.shard === undefined) return undefined;
  const shard = SuiteShardSchema.safeParse(value.shard);
  if (!shard.success) throw new RunDirError('RUN_DIR_INVALID', `${file}: shard: ${shard.error.issues[0]?.message ?? 'invalid'}`);
  return { file, summary: { ...(value as MatrixSummary), shard: shard.data } };
}

/** Every shard of one plan, once each, or the one line that says what is wrong. */
export function checkShards(shards: readonly FoundShard[]): FoundShard[] {
  const first = shards[0];
  if (!first) throw new RunDirError('RUN_DIR_INVALID', 'merge: no shards given');
  const { count, plan, datasets } = first.summary.shard;
  const byIndex = new Map<number, FoundShard>();
  for (const s of shards) {
    const sh = s.summary.shard;
    if (sh.datasets !== datasets) throw new RunDirError('RUN_DIR_INVALID', `${s.file}: a shard of other datasets than ${first.file} (datasets ${sh.datasets.slice(0, 12)} vs ${datasets.slice(0, 12)})`);
    if (sh.plan !== plan || sh.count !== count) throw new RunDirError('RUN_DIR_INVALID', `${s.file}: a shard of another plan than ${first.file} (plan ${sh.plan.slice(0, 12)}, ${sh.count} shards vs ${plan.slice(0, 12)}, ${count} shards)`);
    const twin = byIndex.get(sh.index);
    if (twin) throw new RunDirError('RUN_DIR_INVALID', `${s.file}: shard ${sh.index}/${count} given twice (also ${twin.file})`);
    byIndex.set(sh.index, s);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) throw new RunDirError('RUN_DIR_INVALID', `merge: shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing (found ${[...byIndex.keys()].sort((a, b) => a - b).join(', ')} of ${count})`);
  for (const s of byIndex.values()) {
    const sh = s.summary.shard;
    const entries: { run_id: string; status: string }[] = s.summary.runs ?? s.summary.cells;
    const unfinished = entries.find((c) => c.status !== 'finished');
    if (unfinished || (sh.pieces !== undefined && entries.length < sh.pieces)) {
      const where = unfinished ? `${s.summary.runs ? 'run' : 'cell'} ${unfinished.run_id} is ${unfinished.status}` : `${entries.length} of its ${sh.pieces} ${s.summary.runs ? 'runs' : 'cells'} ran`;
      throw new RunDirError('RUN_DIR_INVALID', `${s.file}: shard ${sh.index}/${count} has not finished (${where}); referee run --resume ${s.file}, then merge`);
    }
  }
  return [...byIndex.values()].sort((a, b) => a.summary.shard.index - b.summary.shard.index);
}

export interface MergeOptions {
  /** Shard summaries, or directories holding them. */
  inputs: string[];
  /** Where the merged run (its cells and matrix summary) is written. */
  outputDir: string;
  /** Reporters for one merged cell. */
  reporters?: (cell: { agent: string; dataset: string; runId: string }) => Reporter[];
}

export interface MergeResult {
  summary: MatrixSummary;
  summaryFile: string;
  shards: number;
}

export async function mergeShards(options: MergeOptions): Promise<MergeResult> {
  const shards = checkShards(findShards(options.inputs));
  const outputDir = resolve(options.outputDir);
  if (shards[0]!.summary.kind === 'ltm') return mergeLtmShards(shards, outputDir);
  const first = shards[0]!.summary;
  // Every piece is read and checked before a byte is written.
  const byCell = new Map<string, CellPieceDir[]>();
  for (const s of shards) {
    for (const c of s.summary.cells) {
      const piece = readPiece(c.run_dir);
      const key = `${c.agent}\u0000${c.dataset}`;
      byCell.set(key, [...(byCell.get(key) ?? []), piece]);
    }
  }
  const { shard: _shard, ...rest } = first;
  const summary: MatrixSummary = {
    ...rest,
    created_at: shards.map((s) => s.summary.created_at).sort()[0]!,
    finished_at: new Date().toISOString(),
    cells: [],
  };
  const summaryFile = join(outputDir, `matrix-${first.run_id ?? first.suite}.json`);
  if (existsSync(summaryFile)) throw new RunDirError('RUN_DIR_INVALID', `${summaryFile}: already exists: merge into another --output-dir`);
  const models = new Map<string, string | null>(shards.flatMap((s) => s.summary.cells.map((c) => [c.agent, c.model] as const)));
  for (const agent of first.agents) {
    for (const dataset of first.datasets) {
      const pieces = byCell.get(`${agent}\u0000${dataset}`);
      if (!pieces) throw new RunDirError('RUN_DIR_INVALID', `merge: no shard ran agent ${agent} on dataset ${dataset}`);
      const runId = pieces[0]!.shard.run_id;
      const r = await mergeCell(pieces, { outputDir, reporters: options.reporters?.({ agent, dataset, runId }) ?? [] });
      const cell: MatrixCell = toCell(r, models.get(agent) ?? null);
      summary.cells.push(cell);
    }
  }
  summary.finished_at = new Date().toISOString();
  writeJsonAtomic(summaryFile, summary);
  return { summary, summaryFile, shards: shards.length };
}

/** A merged LTM run is the run a single process writes: its run.json loses the shard record the shard gave it. */
function unsharded(r: LtmSuiteRun): LtmSuiteRun {
  const file = join(r.run_dir, 'run.json');
  const { shard, ...meta } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  if (shard !== undefined) writeJsonAtomic(file, meta);
  return r;
}

/**
 * An LTM suite's shards: its runs are whole LTM runs, so merging them is gathering them (copied
 * into the output root when they are elsewhere, with their history lines) and computing the
 * suite's cells over every seed.
 */
function mergeLtmShards(shards: readonly FoundShard[], outputDir: string): MergeResult & { ltm: LtmSuiteSummary } {
  const first = check(LtmSuiteSummarySchema, shards[0]!.file, shards[0]!.summary);
  const summaryFile = ltmSummaryFile(outputDir, first.run_id);
  if (existsSync(summaryFile)) throw new RunDirError('RUN_DIR_INVALID', `${summaryFile}: already exists: merge into another --output-dir`);
  const order = (r: LtmSuiteRun): number => (first.agents.indexOf(r.agent) * first.datasets.length + first.datasets.indexOf(r.dataset)) * first.seeds.length + first.seeds.indexOf(r.seed);
  const runs = shards.flatMap((s) => s.summary.runs ?? []).sort((a, b) => order(a) - order(b));
  for (const r of runs) if (!existsSync(join(r.run_dir, 'run.json'))) throw new RunDirError('RUN_DIR_INVALID', `${r.run_dir}: no run.json: run ${r.run_id} of the shards is not there`);
  mkdirSync(outputDir, { recursive: true });
  const merged = runs.map((r) => {
    const to = join(outputDir, r.run_id);
    if (resolve(r.run_dir) === to) return unsharded(r);
    if (existsSync(to)) throw new RunDirError('RUN_DIR_INVALID', `${to}: already exists: merge into another --output-dir`);
    cpSync(r.run_dir, to, { recursive: true });
    unsharded({ ...r, run_dir: to });
    const history = join(dirname(r.run_dir), 'benchmark_history.jsonl');
    if (existsSync(history)) {
      const lines = readFileSync(history, 'utf8')
        .split('\n')
        .filter((l) => l.includes(`"run_id":"${r.run_id}"`));
      if (lines.length) appendFileSync(join(outputDir, 'benchmark_history.jsonl'), `${lines.map((l) => l.split(r.run_dir).join(to)).join('\n')}\n`);
    }
    return { ...r, run_dir: to };
  });
  const { shard: _shard, ...rest } = first;
  const ltm: LtmSuiteSummary = { ...rest, runs: merged, cells: [] };
  ltm.cells = ltmCells(ltm);
  writeJsonAtomic(summaryFile, ltm);
  writeLtmSuiteReport(ltm, summaryFile);
  return { summary: { ...(ltm as unknown as MatrixSummary) }, summaryFile, shards: shards.length, ltm };
}
