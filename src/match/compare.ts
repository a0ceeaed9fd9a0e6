import { randomBytes } from 'node:crypto';
import { readRunDir, type RunDirContents } from '../artifacts/run-dir-reader.js';
import { isCounted } from '../artifacts/test-tally.js';
import { RunDirError } from '../errors.js';
import { computeRunMetrics } from './metrics.js';
import type { MatchResult, PairedComparisonResult } from './schemas.js';
import { comparePaired, verdictText, type PairedComparison } from './stats.js';

export interface CompareOptions {
  /** Compare runs on different datasets anyway (their tests are paired by test id). @default false */
  allowDifferentDatasets?: boolean;
  /** Sign patterns drawn by the permutation test past 16 tests (up to 16, all are enumerated). @default 10000 */
  resamples?: number;
  /** Seed of the permutation test's RNG. @default 0 */
  seed?: number;
  /** Significance level; the interval is at 1 − alpha, from the same test, so the two never disagree. @default 0.05 */
  alpha?: number;
  /** @default a fresh `match-<time>-<hex>` */
  matchId?: string;
  /** Problems found on the way (a crashed child), carried into match.json. */
  problems?: string[];
}

export function newMatchId(now = new Date()): string {
  return `match-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '')}-${randomBytes(2).toString('hex')}`;
}

function toResult(c: PairedComparison, names: { a: string; b: string }): PairedComparisonResult {
  return {
    n: c.n,
    diff_points: c.diffPoints,
    ci_low_points: c.ciLowPoints,
    ci_high_points: c.ciHighPoints,
    confidence: c.confidence,
    resamples: c.resamples,
    test: c.test,
    p_value: c.p,
    min_p_value: c.minP,
    challenger_better: c.bBetter,
    champion_better: c.aBetter,
    ties: c.ties,
    significant: c.significant,
    leader: c.diffPoints > 0 ? 'challenger' : c.diffPoints < 0 ? 'champion' : 'tie',
    verdict: verdictText(c, names),
  };
}

/** Same name on both sides (an agent against itself) would make the verdict ambiguous. */
function displayNames(a: string, b: string): { a: string; b: string } {
  return a === b ? { a: `${a} (champion)`, b: `${b} (challenger)` } : { a, b };
}

/**
 * Compares two run directories test by test: the library behind `referee
 * compare` and the end of a match. Runs on different datasets are refused
 * unless `allowDifferentDatasets`.
 */
export function compareRunContents(champion: RunDirContents, challenger: RunDirContents, options: CompareOptions = {}): MatchResult {
  const a = computeRunMetrics(champion);
  const b = computeRunMetrics(challenger);
  const problems = [...(options.problems ?? [])];
  const datasetsMatch = a.dataset_sha256 === b.dataset_sha256;
  if (!datasetsMatch) {
    if (!options.allowDifferentDatasets) {
      throw new RunDirError(
        'DATASET_MISMATCH',
        `${challenger.dir}: dataset sha256 ${b.dataset_sha256} differs from ${champion.dir}'s ${a.dataset_sha256}; the runs saw different tests (use --allow-different-datasets to compare anyway)`,
      );
    }
    problems.push(`the runs used different datasets (${a.dataset_sha256.slice(0, 12)} vs ${b.dataset_sha256.slice(0, 12)}); tests are paired by id`);
  }
  for (const [side, run] of [['champion', a], ['challenger', b]] as const) {
    if (run.status !== 'finished') problems.push(`${side} run ${run.run_id} is ${run.status === 'running' ? 'incomplete (its process died)' : run.status}`);
  }

  // issue 25: a test left unscored (no judge) on either side has no score to pair; it is listed unpaired.
  const bById = new Map(challenger.tests.filter(isCounted).map((t) => [t.test_id, t]));
  const paired = champion.tests.filter(isCounted).flatMap((t) => {
    const other = bById.get(t.test_id);
    return other ? [{ test_id: t.test_id, dataset: t.dataset, champion: norm(t.score, t.max_score), challenger: norm(other.score, other.max_score) }] : [];
  });
  const pairedIds = new Set(paired.map((p) => p.test_id));
  const unpaired = [...champion.tests, ...challenger.tests].map((t) => t.test_id).filter((id) => !pairedIds.has(id));

  const names = displayNames(a.agent_name, b.agent_name);
  const settings = { resamples: options.resamples ?? 10_000, seed: options.seed ?? 0, alpha: options.alpha ?? 0.05, confidence: 1 - (options.alpha ?? 0.05) };
  const run = (rows: typeof paired): PairedComparisonResult =>
    toResult(
      comparePaired(
        rows.map((r) => r.champion),
        rows.map((r) => r.challenger),
        settings,
      ),
      names,
    );
  const perDataset: Record<string, PairedComparisonResult> = {};
  for (const dataset of [...new Set(paired.map((p) => p.dataset))].sort()) perDataset[dataset] = run(paired.filter((p) => p.dataset === dataset));

  return {
    match_id: options.matchId ?? newMatchId(),
    created_at: new Date().toISOString(),
    dataset_id: a.dataset_sha256,
    datasets_match: datasetsMatch,
    champion: a,
    challenger: b,
    comparison: { ...run(paired), per_dataset: perDataset, per_test: paired, unpaired_tests: [...new Set(unpaired)].sort() },
    settings,
    problems,
  };
}

/** `compareRunContents` on two run directory paths. */
export function compareRuns(championDir: string, challengerDir: string, options: CompareOptions = {}): MatchResult {
  return compareRunContents(readRunDir(championDir), readRunDir(challengerDir), options);
}

function norm(score: number, max: number): number {
  return max > 0 ? Math.min(1, Math.max(0, score / max)) : 0;
}
