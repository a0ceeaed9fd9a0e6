import { describe, expect, it } from 'vitest';
import { binomialTwoSided, comparePaired, pairedBootstrap, quantile, signTest, verdictText } from '../../src/match/stats.js';

describe('paired bootstrap', () => {
  it('is reproducible for a seed and differs across seeds', () => {
    const d = [0.1, -0.3, 0.5, 0.2, 0, 0.9, -0.1, 0.4];
    const a = pairedBootstrap(d, { seed: 7, resamples: 2000 });
    const b = pairedBootstrap(d, { seed: 7, resamples: 2000 });
    const c = pairedBootstrap(d, { seed: 8, resamples: 2000 });
    expect(a).toEqual(b);
    expect(c.low).not.toBe(a.low);
    expect(a.low).toBeLessThan(a.mean);
    expect(a.high).toBeGreaterThan(a.mean);
    expect(a.mean).toBeCloseTo(0.2125, 10);
  });

  it('gives a zero-width interval when every difference is the same', () => {
    expect(pairedBootstrap([0.5, 0.5, 0.5])).toMatchObject({ mean: 0.5, low: 0.5, high: 0.5 });
    expect(pairedBootstrap([])).toMatchObject({ mean: 0, low: 0, high: 0, resamples: 0 });
  });

  it('matches the normal approximation on a large sample', () => {
    // 400 pairs: 60% +1, 40% 0 → mean 0.6, sd ~0.49, SE ~0.0245, 95% CI ~0.552..0.648.
    const d = Array.from({ length: 400 }, (_, i) => (i % 5 < 3 ? 1 : 0));
    const ci = pairedBootstrap(d, { seed: 1 });
    expect(ci.low).toBeGreaterThan(0.54);
    expect(ci.low).toBeLessThan(0.56);
    expect(ci.high).toBeGreaterThan(0.64);
    expect(ci.high).toBeLessThan(0.66);
  });

  it('interpolates quantiles like numpy', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.95)).toBeCloseTo(4.8, 10);
  });
});

describe('sign test / exact McNemar', () => {
  it('computes exact two-sided binomial p-values', () => {
    expect(binomialTwoSided(5, 5)).toBeCloseTo(0.0625, 12);
    expect(binomialTwoSided(0, 10)).toBeCloseTo(2 / 1024, 12);
    expect(binomialTwoSided(3, 6)).toBe(1);
    expect(binomialTwoSided(0, 0)).toBe(1);
    // 20 of 20 discordant pairs one way.
    expect(binomialTwoSided(20, 20)).toBeCloseTo(2 * 0.5 ** 20, 15);
    // Large n stays finite and symmetric.
    expect(binomialTwoSided(400, 1000)).toBeCloseTo(binomialTwoSided(600, 1000), 15);
    expect(binomialTwoSided(400, 1000)).toBeLessThan(1e-9);
  });

  it('drops ties and names McNemar only for pass/fail scores', () => {
    expect(signTest([0, 1, 1, 0], [1, 1, 0, 1])).toMatchObject({ test: 'mcnemar-exact', bBetter: 2, aBetter: 1, ties: 1 });
    expect(signTest([0.5, 1], [1, 1])).toMatchObject({ test: 'sign', bBetter: 1, ties: 1 });
    expect(() => signTest([1], [1, 0])).toThrow(RangeError);
  });
});

describe('comparePaired and the verdict', () => {
  it('calls a consistent difference on enough tests significant, with the interval from the leader side', () => {
    const a = Array.from({ length: 20 }, (_, i) => (i < 4 ? 1 : 0));
    const b = Array.from({ length: 20 }, (_, i) => (i < 16 ? 1 : 0));
    const c = comparePaired(a, b, { seed: 0 });
    expect(c.significant).toBe(true);
    expect(c.diffPoints).toBeCloseTo(60, 6);
    expect(verdictText(c, { a: 'chat', b: 'memory' })).toMatch(/^memory better by 60\.0 points \(95% CI \d+\.\d\.\.\d+\.\d; exact McNemar p=/);
    // Swapped sides: the same verdict from the other side, interval still positive.
    const s = comparePaired(b, a, { seed: 0 });
    expect(verdictText(s, { a: 'memory', b: 'chat' })).toMatch(/^memory better by 60\.0 points \(95% CI \d/);
  });

  it('does not call five tests all one way significant (p = 0.0625)', () => {
    const c = comparePaired([0, 0, 0, 0, 0, 1], [1, 1, 1, 1, 1, 1]);
    expect(c.p).toBeCloseTo(0.0625, 12);
    expect(c.ciLowPoints).toBeGreaterThan(0);
    expect(c.significant).toBe(false);
    expect(verdictText(c, { a: 'chat', b: 'memory' })).toMatch(/^no significant difference \(memory ahead by 83\.3 points/);
  });

  it('reports identical runs as no difference', () => {
    const c = comparePaired([1, 0, 1], [1, 0, 1]);
    expect(c.significant).toBe(false);
    expect(verdictText(c, { a: 'x', b: 'y' })).toMatch(/^no significant difference \(equal mean score/);
  });
});
