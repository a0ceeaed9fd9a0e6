/**
 * The deterministic split of a plan over N shards (STYLE.md 16): the same plan and N give every
 * shard the same pieces on every machine, so N processes that never talk to each other cover the
 * plan exactly once. Pure: no I/O, no clock, no randomness.
 */
import { z } from 'zod';
import { ConfigError } from '../errors.js';

/** `--shard i/N`: shard i (1-based) of N. */
export interface ShardSpec {
  index: number;
  count: number;
}

export const ShardSpecSchema = z.object({ index: z.number().int().min(1), count: z.number().int().min(1) }).refine((s) => s.index <= s.count, {
  message: 'the shard index is at most the shard count',
});

/** Parses `i/N` (1 ≤ i ≤ N); a bad value is one line naming the flag. */
export function parseShard(text: string, where = 'command line: --shard'): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const spec = m ? { index: Number(m[1]), count: Number(m[2]) } : undefined;
  if (!spec || !ShardSpecSchema.safeParse(spec).success) throw new ConfigError('CONFIG_INVALID', `${where}: "${text}" is not i/N with 1 ≤ i ≤ N (for example 2/4)`);
  return spec;
}

/** One cell of a plan (an agent × dataset run of single-turn tasks), by its task ids in file order. */
export interface PlanCell {
  key: string;
  tasks: readonly string[];
}

/** What one shard runs of a cell: every task (`whole`), or a contiguous slice of its tasks. */
export interface CellPiece {
  key: string;
  whole: boolean;
  tasks: string[];
}

/**
 * A cell is cut across the shards when each would get at least this many of its tasks; a smaller
 * cell runs whole on one shard (a run directory of two tasks is not worth its set-up). A plan of one
 * cell is always cut: that is the only way to spread it.
 */
export const MIN_TASKS_PER_PIECE = 2;

/**
 * Every shard's pieces. Large cells are cut into N contiguous slices (slice k to shard k); small
 * cells go whole, in plan order, to the shard with the fewest tasks so far (the lowest index on a
 * tie). The union over shards is the plan; no task is in two pieces.
 */
export function partitionCells(cells: readonly PlanCell[], count: number): CellPiece[][] {
  const shards: CellPiece[][] = Array.from({ length: count }, () => []);
  const load = new Array<number>(count).fill(0);
  const cut = (c: PlanCell): boolean => cells.length === 1 || c.tasks.length >= MIN_TASKS_PER_PIECE * count;
  for (const c of cells) {
    if (!cut(c) || count === 1) continue;
    for (let k = 0; k < count; k++) {
      const slice = c.tasks.slice(Math.floor((k * c.tasks.length) / count), Math.floor(((k + 1) * c.tasks.length) / count));
      if (slice.length === 0) continue;
      shards[k]!.push({ key: c.key, whole: false, tasks: slice });
      load[k]! += slice.length;
    }
  }
  for (const c of cells) {
    if (cut(c) && count > 1) continue;
    let k = 0;
    for (let j = 1; j < count; j++) if (load[j]! < load[k]!) k = j;
    shards[k]!.push({ key: c.key, whole: true, tasks: [...c.tasks] });
    load[k]! += c.tasks.length;
  }
  // Each shard runs its pieces in plan order, whatever order they were dealt in.
  const order = new Map(cells.map((c, i) => [c.key, i]));
  for (const s of shards) s.sort((a, b) => order.get(a.key)! - order.get(b.key)!);
  return shards;
}

/** The pieces shard `spec.index` runs. */
export function piecesOf(cells: readonly PlanCell[], spec: ShardSpec): CellPiece[] {
  return partitionCells(cells, spec.count)[spec.index - 1]!;
}
