import { describe, expect, it } from 'vitest';
import { MIN_TASKS_PER_PIECE, parseShard, partitionCells, piecesOf, type PlanCell } from '../../src/shards/partition.js';

const cell = (key: string, n: number): PlanCell => ({ key, tasks: Array.from({ length: n }, (_, i) => `${key}-${i}`) });

describe('the shard partition', () => {
  it('covers every task of the plan exactly once, for any shard count', () => {
    const cells = [cell('a', 12), cell('b', 6), cell('c', 1), cell('d', 40), cell('e', 3)];
    for (let n = 1; n <= 9; n++) {
      const all = partitionCells(cells, n).flatMap((s) => s.flatMap((p) => p.tasks));
      expect(all.sort()).toEqual(cells.flatMap((c) => c.tasks).sort());
    }
  });

  it('cuts a cell with at least 2 tasks per shard into contiguous slices, and keeps a smaller cell whole', () => {
    expect(MIN_TASKS_PER_PIECE).toBe(2);
    const shards = partitionCells([cell('basics', 12), cell('code', 6)], 4);
    expect(shards.map((s) => s.map((p) => `${p.key}:${p.whole ? 'whole' : p.tasks.join(',')}`))).toEqual([
      ['basics:basics-0,basics-1,basics-2', 'code:whole'],
      ['basics:basics-3,basics-4,basics-5'],
      ['basics:basics-6,basics-7,basics-8'],
      ['basics:basics-9,basics-10,basics-11'],
    ]);
  });

  it('gives whole cells to the least loaded shard, the lowest index on a tie, and runs each shard in plan order', () => {
    const shards = partitionCells([cell('x', 5), cell('y', 2), cell('z', 3), cell('w', 1)], 3);
    expect(shards.map((s) => s.map((p) => p.key))).toEqual([['x'], ['y', 'w'], ['z']]);
  });

  it('always cuts a plan of one cell, even into empty shards', () => {
    const shards = partitionCells([cell('only', 3)], 4);
    expect(shards.map((s) => s.flatMap((p) => p.tasks))).toEqual([[], ['only-0'], ['only-1'], ['only-2']]);
  });

  it('is the same on every call (shards computed apart agree)', () => {
    const cells = [cell('a', 17), cell('b', 4), cell('c', 9)];
    expect(piecesOf(cells, { index: 2, count: 3 })).toEqual(partitionCells(cells, 3)[1]);
    expect(JSON.stringify(partitionCells(cells, 3))).toBe(JSON.stringify(partitionCells([...cells], 3)));
  });

  it('reads --shard i/N and refuses anything else in one line', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '2', '2/0', 'a/b', '-1/3']) expect(() => parseShard(bad)).toThrow(/--shard: ".*" is not i\/N/);
  });
});
