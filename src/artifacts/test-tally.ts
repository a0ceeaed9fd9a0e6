/**
 * How a test ended and what it adds to a run's figures: the one definition (issues 22 and 25) that
 * runstats.json, the match metrics, the report, the monitor and the summary line all count with.
 *
 * - `error`: a scored turn failed (HTTP error, timeout, overflow), so the question was not answered;
 *   it counts as 0 of its max_score, and apart.
 * - `judge_error`: the judge's verdict could not be read, even asked again; 0, counted apart.
 * - `unscored`: GoodAI scores the test with its LLM judge and the run has none (`--judge-config`):
 *   its score and max_score are null, and it is in no total.
 */

/** The statuses of a test whose answers were not scored as answers. */
export const TEST_STATUSES = ['error', 'judge_error', 'unscored'] as const;
export type TestStatus = (typeof TEST_STATUSES)[number];

/** issue 25: the word every output shows for a test left unscored for want of a judge. */
export const NEEDS_JUDGE = 'unscored: needs judge';

/** The least a test carries to be counted. */
export interface TallyItem {
  dataset: string;
  score: number | null;
  max_score: number | null;
  status?: string | undefined;
}

export type TestOutcome = 'pass' | 'partial' | 'fail' | TestStatus;

/** A test's outcome: its status where it has one, else its score against its max_score. */
export function testOutcome(t: Pick<TallyItem, 'score' | 'max_score' | 'status'>): TestOutcome {
  if (t.status === 'error' || t.status === 'judge_error' || t.status === 'unscored') return t.status;
  if (t.score === null || t.max_score === null) return 'unscored';
  if (t.max_score > 0 && t.score >= t.max_score) return 'pass';
  return t.score > 0 ? 'partial' : 'fail';
}

/** Whether a test is in the totals: every test but an unscored one (an errored test counts as 0). */
export function isCounted<T extends Pick<TallyItem, 'score' | 'max_score' | 'status'>>(t: T): t is T & { score: number; max_score: number } {
  return testOutcome(t) !== 'unscored' && t.score !== null && t.max_score !== null;
}

export interface DatasetTally {
  score: number;
  max_score: number;
  /** Every test of the dataset, unscored ones included. */
  tests: number;
  /** issue 25: tests left unscored for want of a judge; absent when none. */
  unscored?: number;
}

export interface TestTally {
  score: number;
  max_score: number;
  tests: number;
  pass: number;
  partial: number;
  fail: number;
  errored: number;
  judge_errors: number;
  unscored: number;
  per_dataset: Record<string, DatasetTally>;
}

/** The totals of a run's tests: the score and max_score of the counted ones, and each outcome counted. */
export function tallyTests(tests: Iterable<TallyItem>): TestTally {
  const t: TestTally = { score: 0, max_score: 0, tests: 0, pass: 0, partial: 0, fail: 0, errored: 0, judge_errors: 0, unscored: 0, per_dataset: {} };
  for (const test of tests) addToTally(t, test);
  return t;
}

/** Adds one test to a tally (the monitor folds tests one `test_end` at a time). */
export function addToTally(t: TestTally, test: TallyItem): TestOutcome {
  const outcome = testOutcome(test);
  const d = (t.per_dataset[test.dataset] ??= { score: 0, max_score: 0, tests: 0 });
  t.tests++;
  d.tests++;
  if (outcome === 'unscored') {
    t.unscored++;
    d.unscored = (d.unscored ?? 0) + 1;
    return outcome;
  }
  const score = test.score ?? 0;
  const max = test.max_score ?? 0;
  t.score += score;
  t.max_score += max;
  d.score += score;
  d.max_score += max;
  if (outcome === 'error') t.errored++;
  else if (outcome === 'judge_error') t.judge_errors++;
  else t[outcome]++;
  return outcome;
}
