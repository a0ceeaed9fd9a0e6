import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed } from '../../src/datasets/rng.js';

describe('createRng', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('int covers both inclusive ends and nothing outside', () => {
    const rng = createRng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(rng.int(3, 6));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
    expect(() => rng.int(5, 4)).toThrow(RangeError);
  });

  it('shuffle returns a permutation and leaves its input alone', () => {
    const input = Array.from({ length: 30 }, (_, i) => i);
    const out = createRng(7).shuffle(input);
    expect(out).not.toEqual(input);
    expect([...out].sort((x, y) => x - y)).toEqual(input);
    expect(input[0]).toBe(0);
  });

  it('pick refuses an empty array', () => {
    expect(() => createRng(1).pick([])).toThrow(RangeError);
  });
});

describe('deriveSeed', () => {
  it('is stable, label-sensitive and seed-sensitive', () => {
    expect(deriveSeed(1, 'colours/0')).toBe(deriveSeed(1, 'colours/0'));
    expect(deriveSeed(1, 'colours/0')).not.toBe(deriveSeed(1, 'colours/1'));
    expect(deriveSeed(1, 'colours/0')).not.toBe(deriveSeed(2, 'colours/0'));
    // Seeds above 2^32 must not collapse onto small ones.
    expect(deriveSeed(2 ** 32 + 1, 'x')).not.toBe(deriveSeed(1, 'x'));
    expect(Number.isInteger(deriveSeed(5, 'y')) && deriveSeed(5, 'y') >= 0).toBe(true);
  });
});
