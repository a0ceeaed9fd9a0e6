import { createRng } from '../datasets/rng.js';

/**
 * Paired statistics for comparing two agents test by test. Pure functions: the
 * same inputs and seed give the same numbers on every machine.
 *
 * One rule gives the verdict, the p-value and the interval: the paired
 * permutation (sign-flip) test of the mean difference, and the interval made
 * of the shifts that test does not reject. So "significant" and "the interval
 * excludes 0" are the same statement, and never contradict. On pass/fail
 * scores the p-value is the exact McNemar test's.
 */

export interface PermutationOptions {
  /** Random sign patterns drawn when there are too many tests to enumerate them all. @default 10000 */
  resamples?: number;
  /** Seed of the sign-pattern RNG, so a report is reproducible. @default 0 */
  seed?: number;
  /** Significance level; the interval is at 1 − alpha. @default 0.05 */
  alpha?: number;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Quantile with linear interpolation between order statistics (R type 7, numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  return a + (sorted[hi]! - a) * (pos - lo);
}

/** Up to this many tests every one of the 2^n sign patterns is enumerated (65,536 at 16). */
export const EXACT_MAX_TESTS = 16;

/**
 * The sign patterns of the test, each reduced to two sums: A = Σ sᵢdᵢ and
 * B = Σ sᵢ. The statistic of the shifted differences dᵢ − δ under a pattern is
 * A − δB, so one pass over the data serves every δ the interval search tries.
 */
interface SignPatterns {
  a: Float64Array;
  b: Float64Array;
  exact: boolean;
}

function signPatterns(d: readonly number[], resamples: number, seed: number): SignPatterns {
  const n = d.length;
  if (n <= EXACT_MAX_TESTS) {
    const count = 2 ** n;
    const a = new Float64Array(count);
    const b = new Float64Array(count);
    for (let mask = 0; mask < count; mask++) {
      let sa = 0;
      let sb = 0;
      for (let i = 0; i < n; i++) {
        const s = mask & (1 << i) ? -1 : 1;
        sa += s * d[i]!;
        sb += s;
      }
      a[mask] = sa;
      b[mask] = sb;
    }
    return { a, b, exact: true };
  }
  const rng = createRng(seed);
  const a = new Float64Array(resamples);
  const b = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sa = 0;
    let sb = 0;
    for (let i = 0; i < n; i++) {
      const s = rng.next() < 0.5 ? -1 : 1;
      sa += s * d[i]!;
      sb += s;
    }
    a[r] = sa;
    b[r] = sb;
  }
  return { a, b, exact: false };
}

/** Sums within this of the observed one count as "as extreme" (the scores are sums of floats). */
const EPS = 1e-9;

/** Two-sided p-value of H0: the mean difference is δ. */
function pValueAt(p: SignPatterns, sum: number, n: number, delta: number): number {
  const observed = Math.abs(sum - n * delta) - EPS;
  let extreme = 0;
  for (let r = 0; r < p.a.length; r++) if (Math.abs(p.a[r]! - delta * p.b[r]!) >= observed) extreme++;
  // Enumerated: the exact share (the identity pattern is among them). Drawn: the identity added, so p is never 0.
  return p.exact ? extreme / p.a.length : (extreme + 1) / (p.a.length + 1);
}

/**
 * The interval's end on one side: between a shift the test keeps (`kept`) and
 * one it rejects (`rejected`), by bisection to far below a display digit.
 */
function boundary(p: SignPatterns, sum: number, n: number, alpha: number, kept: number, rejected: number): number {
  for (let i = 0; i < 40; i++) {
    const mid = (kept + rejected) / 2;
    if (pValueAt(p, sum, n, mid) >= alpha) kept = mid;
    else rejected = mid;
  }
  return kept;
}

export interface PermutationResult {
  mean: number;
  low: number;
  high: number;
  p: number;
  /** Sign patterns used: all 2^n when `exact`, else the drawn ones. */
  resamples: number;
  exact: boolean;
  /** The smallest p-value these differences could give (2 / 2^m for m non-zero differences, when enumerated). */
  minP: number;
}

/**
 * The paired permutation test of mean(d) = 0 and its inverted interval.
 * Each end is searched from the side of 0 it lies on, so the interval holds 0
 * exactly when p ≥ alpha. Differences are in [−1, 1]; so is the interval.
 */
export function pairedPermutation(differences: readonly number[], options: PermutationOptions = {}): PermutationResult {
  const n = differences.length;
  const alpha = options.alpha ?? 0.05;
  if (n === 0) return { mean: 0, low: 0, high: 0, p: 1, resamples: 0, exact: true, minP: 1 };
  const patterns = signPatterns(differences, options.resamples ?? 10_000, options.seed ?? 0);
  let sum = 0;
  for (const x of differences) sum += x;
  const m = sum / n;
  const p = pValueAt(patterns, sum, n, 0);
  // Differences lie in [−1, 1]: a shift of 2 either way is rejected whenever anything can be.
  const lo = -2;
  const hi = 2;
  // From the mean (p = 1 there) outwards; on 0's side, from 0 when 0 is kept, else between 0 and the mean.
  const keeps0 = p >= alpha;
  const toward = (far: number, zeroSide: boolean): number =>
    zeroSide ? (keeps0 ? boundary(patterns, sum, n, alpha, 0, far) : boundary(patterns, sum, n, alpha, m, 0)) : boundary(patterns, sum, n, alpha, m, far);
  const low = toward(lo, m >= 0);
  const high = toward(hi, m < 0);
  const nonZero = differences.filter((x) => Math.abs(x) > EPS).length;
  const minP = patterns.exact ? Math.min(1, 2 / 2 ** nonZero) : 1 / (patterns.a.length + 1);
  return { mean: m, low: clamp(low), high: clamp(high), p, resamples: patterns.a.length, exact: patterns.exact, minP };
}

function clamp(x: number): number {
  return Math.max(-1, Math.min(1, x));
}

export interface PairedComparison {
  /** Paired tests compared. */
  n: number;
  /** Mean of B − A over tests, in percentage points of each test's max score. */
  diffPoints: number;
  ciLowPoints: number;
  ciHighPoints: number;
  confidence: number;
  resamples: number;
  /** `permutation-exact` when every sign pattern was enumerated, else `permutation` (drawn patterns). */
  test: 'permutation-exact' | 'permutation';
  p: number;
  /** The smallest p these tests could give: at or above alpha, no difference can be significant. */
  minP: number;
  /** Tests where B scored higher / lower / the same (descriptive; the test uses the differences). */
  bBetter: number;
  aBetter: number;
  ties: number;
  /** p < alpha, which is the same as the interval excluding 0. */
  significant: boolean;
  alpha: number;
}

/**
 * Compares per-test normalized scores (score / max_score, in [0, 1]) of A and
 * B with the paired permutation test (see the module comment).
 */
export function comparePaired(a: readonly number[], b: readonly number[], options: PermutationOptions = {}): PairedComparison {
  if (a.length !== b.length) throw new RangeError(`comparePaired needs paired scores, got ${a.length} and ${b.length}`);
  const diffs = a.map((x, i) => b[i]! - x);
  const alpha = options.alpha ?? 0.05;
  const t = pairedPermutation(diffs, { ...options, alpha });
  return {
    n: diffs.length,
    diffPoints: round(t.mean * 100),
    ciLowPoints: round(t.low * 100),
    ciHighPoints: round(t.high * 100),
    confidence: 1 - alpha,
    resamples: t.resamples,
    test: t.exact ? 'permutation-exact' : 'permutation',
    p: t.p,
    minP: t.minP,
    bBetter: diffs.filter((x) => x > EPS).length,
    aBetter: diffs.filter((x) => x < -EPS).length,
    ties: diffs.filter((x) => Math.abs(x) <= EPS).length,
    significant: diffs.length > 0 && t.p < alpha,
    alpha,
  };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** One line a person reads: who is better, by how much, and whether it is real. */
export function verdictText(c: PairedComparison, names: { a: string; b: string }): string {
  if (c.n === 0) return 'no paired tests to compare';
  const pText = `paired permutation test p=${formatP(c.p)}, n=${c.n} tests`;
  const tooFew = c.minP >= c.alpha ? `; too few differing tests for any difference to be significant at ${pct(c.alpha)}` : '';
  if (c.diffPoints === 0 && !c.significant) return `no significant difference (equal mean score; ${pText}${tooFew})`;
  // Worded from the leader's side, so the interval is of leader minus the other.
  const bLeads = c.diffPoints >= 0;
  const leader = bLeads ? names.b : names.a;
  const [low, high] = bLeads ? [c.ciLowPoints, c.ciHighPoints] : [-c.ciHighPoints, -c.ciLowPoints];
  const ci = `${pct(c.confidence)} CI ${fmt(low)}..${fmt(high)}`;
  const by = fmt(Math.abs(c.diffPoints));
  if (c.significant) return `${leader} better by ${by} points (${ci}; ${pText})`;
  return `no significant difference (${leader} ahead by ${by} points, ${ci}; ${pText}${tooFew})`;
}

function fmt(x: number): string {
  return (Math.round(x * 10) / 10).toFixed(1);
}

function pct(c: number): string {
  return `${Math.round(c * 100)}%`;
}

export function formatP(p: number): string {
  if (p < 0.0001) return '<0.0001';
  return p < 0.01 ? p.toPrecision(2) : p.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
}
