import { describe, expect, it } from 'vitest';
import { comparePaired, pairedPermutation, quantile, verdictText } from '../../src/match/stats.js';

/** The exact two-sided sign test (McNemar on pass/fail pairs), computed independently: 2 × the smaller binomial tail. */
function exactSignTest(k: number, m: number): number {
  let tail = 0;
  let c = 1;
  for (let i = 0; i <= Math.min(k, m - k); i++) {
    tail += c / 2 ** m;
    c = (c * (m - i)) / (i + 1);
  }
  return Math.min(1, 2 * tail);
}

describe('paired permutation test', () => {
  it('gives the exact McNemar p-value on pass/fail scores', () => {
    // 5 of 5 discordant pairs one way; ties drop out.
    expect(pairedPermutation([1, 1, 1, 1, 1, 0]).p).toBeCloseTo(exactSignTest(5, 5), 12);
    expect(pairedPermutation([1, 1, 1, 1, 1, 1, 1, -1, 0, 0]).p).toBeCloseTo(exactSignTest(7, 8), 12);
    expect(pairedPermutation([1, -1, 1, -1]).p).toBe(1);
  });

  it('is reproducible for a seed past the enumerated size, and differs across seeds', () => {
    const d = Array.from({ length: 40 }, (_, i) => ((i * 7) % 5) / 4 - 0.3);
    const a = pairedPermutation(d, { seed: 7, resamples: 2000 });
    expect(pairedPermutation(d, { seed: 7, resamples: 2000 })).toEqual(a);
    expect(a.exact).toBe(false);
    expect(pairedPermutation(d, { seed: 8, resamples: 2000 }).p).not.toBe(a.p);
    expect(a.low).toBeLessThan(a.mean);
    expect(a.high).toBeGreaterThan(a.mean);
  });

  it('matches the normal approximation on a large sample', () => {
    // 400 pairs: 60% +1, 40% 0 → mean 0.6; the sign-flip null has SE sqrt(Σd²)/n ≈ 0.0387, so the interval is about ±0.076.
    const d = Array.from({ length: 400 }, (_, i) => (i % 5 < 3 ? 1 : 0));
    const t = pairedPermutation(d, { seed: 1 });
    expect(t.p).toBeLessThan(0.001);
    expect(t.low).toBeGreaterThan(0.5);
    expect(t.low).toBeLessThan(0.56);
    expect(t.high).toBeGreaterThan(0.64);
    expect(t.high).toBeLessThan(0.7);
  });

  it('holds 0 in its interval exactly when p >= alpha, on every input tried', () => {
    const inputs: number[][] = [];
    for (let n = 1; n <= 24; n += 1) {
      for (let k = 0; k <= 4; k++) inputs.push(Array.from({ length: n }, (_, i) => [1, 0, -1, 0.5, 1, 1, -0.25][(i * (k + 3) + k) % 7]!));
    }
    for (const d of inputs) {
      const t = pairedPermutation(d, { resamples: 2000 });
      const holdsZero = t.low <= 0 && t.high >= 0;
      expect({ d, holdsZero }).toEqual({ d, holdsZero: t.p >= 0.05 });
    }
  });

  it('interpolates quantiles like numpy', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.95)).toBeCloseTo(4.8, 10);
  });
});

describe('comparePaired and the verdict', () => {
  it('calls a consistent difference on enough tests significant, with the interval from the leader side', () => {
    const a = Array.from({ length: 20 }, (_, i) => (i < 4 ? 1 : 0));
    const b = Array.from({ length: 20 }, (_, i) => (i < 16 ? 1 : 0));
    const c = comparePaired(a, b, { seed: 0 });
    expect(c.significant).toBe(true);
    expect(c.ciLowPoints).toBeGreaterThan(0);
    expect(c.diffPoints).toBeCloseTo(60, 6);
    expect(verdictText(c, { a: 'chat', b: 'memory' })).toMatch(/^memory better by 60\.0 points \(95% CI \d+\.\d\.\.\d+\.\d; paired permutation test p=/);
    // Swapped sides: the same verdict from the other side, interval still positive.
    const s = comparePaired(b, a, { seed: 0 });
    expect(verdictText(s, { a: 'memory', b: 'chat' })).toMatch(/^memory better by 60\.0 points \(95% CI \d/);
  });

  it('does not call five tests all one way significant (p = 0.0625), and its interval then holds 0', () => {
    const c = comparePaired([0, 0, 0, 0, 0, 1], [1, 1, 1, 1, 1, 1]);
    expect(c.p).toBeCloseTo(0.0625, 12);
    expect(c.significant).toBe(false);
    expect(c.ciLowPoints).toBeLessThanOrEqual(0);
    expect(verdictText(c, { a: 'chat', b: 'memory' })).toMatch(/^no significant difference \(memory ahead by 83\.3 points, 95% CI 0\.0\.\.100\.0; paired permutation test p=0\.063, n=6 tests; too few differing tests/);
  });

  it('calls six tests all one way significant (p = 0.03125), and its interval then excludes 0', () => {
    const c = comparePaired([1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0]);
    expect(c.p).toBeCloseTo(0.03125, 12);
    expect(c.significant).toBe(true);
    expect(c.ciHighPoints).toBeLessThan(0);
    expect(verdictText(c, { a: 'base', b: 'pr' })).toMatch(/^base better by 100\.0 points \(95% CI \d+\.\d\.\.100\.0; paired permutation test p=0\.031, n=6 tests\)$/);
  });

  it('reports identical runs as no difference', () => {
    const c = comparePaired([1, 0, 1], [1, 0, 1]);
    expect(c.significant).toBe(false);
    expect(verdictText(c, { a: 'x', b: 'y' })).toMatch(/^no significant difference \(equal mean score/);
  });
});
