import { createRng } from '../datasets/rng.js';

/**
 * Paired statistics for comparing two agents test by test. Pure functions: the
 * same inputs and seed give the same numbers on every machine.
 */

export interface BootstrapOptions {
  /** Resamples drawn. @default 10000 */
  resamples?: number;
  /** Seed of the resampling RNG, so a report is reproducible. @default 0 */
  seed?: number;
  /** Two-sided confidence level. @default 0.95 */
  confidence?: number;
}

export interface BootstrapInterval {
  mean: number;
  low: number;
  high: number;
  resamples: number;
  confidence: number;
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

/**
 * Percentile bootstrap confidence interval of the mean of paired differences:
 * tests are resampled with replacement, so the pairing (same test, both agents)
 * is kept. An empty input gives a zero interval.
 */
export function pairedBootstrap(differences: readonly number[], options: BootstrapOptions = {}): BootstrapInterval {
  const resamples = options.resamples ?? 10_000;
  const confidence = options.confidence ?? 0.95;
  const n = differences.length;
  if (n === 0) return { mean: 0, low: 0, high: 0, resamples: 0, confidence };
  const rng = createRng(options.seed ?? 0);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += differences[Math.floor(rng.next() * n)]!;
    means[r] = sum / n;
  }
  means.sort();
  const alpha = (1 - confidence) / 2;
  const sorted = Array.from(means);
  return { mean: mean(differences), low: quantile(sorted, alpha), high: quantile(sorted, 1 - alpha), resamples, confidence };
}

export interface SignTestResult {
  /** `mcnemar-exact` when every score is pass/fail, else `sign`. */
  test: 'mcnemar-exact' | 'sign';
  /** Pairs where B scored higher / lower; ties carry no information and are dropped. */
  bBetter: number;
  aBetter: number;
  ties: number;
  /** Two-sided exact binomial p-value (1 when there is no untied pair). */
  p: number;
}

/** ln C(n, k), exact enough for n in the millions. */
function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials[i] = logFactorials[i - 1]! + Math.log(i);
  return logFactorials[n]!;
}

/** Two-sided exact binomial test of k successes in n trials against p = 1/2. */
export function binomialTwoSided(k: number, n: number): number {
  if (n === 0) return 1;
  const m = Math.min(k, n - k);
  let tail = 0;
  for (let i = 0; i <= m; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/**
 * Sign test on paired scores. When both agents' scores are all 0 or 1 this is
 * the exact McNemar test (the discordant pairs are the untied ones), and it is
 * labelled so.
 */
export function signTest(a: readonly number[], b: readonly number[]): SignTestResult {
  if (a.length !== b.length) throw new RangeError(`signTest needs paired scores, got ${a.length} and ${b.length}`);
  let bBetter = 0;
  let aBetter = 0;
  let ties = 0;
  let binary = true;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if ((x !== 0 && x !== 1) || (y !== 0 && y !== 1)) binary = false;
    if (y > x) bBetter++;
    else if (x > y) aBetter++;
    else ties++;
  }
  return { test: binary ? 'mcnemar-exact' : 'sign', bBetter, aBetter, ties, p: binomialTwoSided(bBetter, bBetter + aBetter) };
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
  test: SignTestResult['test'];
  p: number;
  bBetter: number;
  aBetter: number;
  ties: number;
  /** The sign/McNemar p is below alpha and the bootstrap interval excludes 0. */
  significant: boolean;
}

export interface PairedOptions extends BootstrapOptions {
  /** Significance level of the sign/McNemar test. @default 0.05 */
  alpha?: number;
}

/**
 * Compares per-test normalized scores (score / max_score, in [0, 1]) of A and
 * B. Significance asks for both the exact test and the interval, so a handful
 * of tests that all went one way is not called a real difference.
 */
export function comparePaired(a: readonly number[], b: readonly number[], options: PairedOptions = {}): PairedComparison {
  const sign = signTest(a, b);
  const diffs = a.map((x, i) => b[i]! - x);
  const ci = pairedBootstrap(diffs, options);
  const alpha = options.alpha ?? 0.05;
  const excludesZero = ci.low > 0 || ci.high < 0;
  return {
    n: diffs.length,
    diffPoints: round(ci.mean * 100),
    ciLowPoints: round(ci.low * 100),
    ciHighPoints: round(ci.high * 100),
    confidence: ci.confidence,
    resamples: ci.resamples,
    test: sign.test,
    p: sign.p,
    bBetter: sign.bBetter,
    aBetter: sign.aBetter,
    ties: sign.ties,
    significant: diffs.length > 0 && sign.p < alpha && excludesZero,
  };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** One line a person reads: who is better, by how much, and whether it is real. */
export function verdictText(c: PairedComparison, names: { a: string; b: string }): string {
  if (c.n === 0) return 'no paired tests to compare';
  const testName = c.test === 'mcnemar-exact' ? 'exact McNemar' : 'sign test';
  const pText = `${testName} p=${formatP(c.p)}, n=${c.n} tests`;
  if (c.diffPoints === 0 && !c.significant) return `no significant difference (equal mean score; ${pText})`;
  // Worded from the leader's side, so the interval is of leader minus the other.
  const bLeads = c.diffPoints >= 0;
  const leader = bLeads ? names.b : names.a;
  const [low, high] = bLeads ? [c.ciLowPoints, c.ciHighPoints] : [-c.ciHighPoints, -c.ciLowPoints];
  const ci = `${pct(c.confidence)} CI ${fmt(low)}..${fmt(high)}`;
  const by = fmt(Math.abs(c.diffPoints));
  if (c.significant) return `${leader} better by ${by} points (${ci}; ${pText})`;
  return `no significant difference (${leader} ahead by ${by} points, ${ci}; ${pText})`;
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
