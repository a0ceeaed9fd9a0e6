/**
 * issue 21: the viewer's queries as pure functions over plain rows: which runs a filter keeps,
 * which samples a page holds (filtered, sorted, paged) and how their scores spread. The server
 * answers its API with them, and a static bundle (`referee view --bundle`) runs the same code
 * in the page, so a bundle and a server never disagree. No Node import: the page bundles this.
 */

/** What a run-list filter reads of a run. */
export interface RunQueryRow {
  run_id: string;
  agent: string;
  model: string | null;
  status: string;
  score: number;
  max_score: number;
  created_at: string | null;
  datasets: string[];
}

export interface RunsQuery {
  q?: string | undefined;
  status?: string | undefined;
  agent?: string | undefined;
  dataset?: string | undefined;
  min_score?: number | undefined;
  limit: number;
}

/** The runs a filter keeps, newest first, and how many there were before the limit. */
export function queryRuns<R extends RunQueryRow>(rows: readonly R[], q: RunsQuery): { total: number; runs: R[] } {
  const words = (q.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const kept = rows
    .filter((s) => {
      if (q.status && s.status !== q.status) return false;
      if (q.agent && s.agent !== q.agent) return false;
      if (q.dataset && !s.datasets.includes(q.dataset)) return false;
      if (q.min_score !== undefined && !(s.max_score > 0 && s.score / s.max_score >= q.min_score)) return false;
      const hay = [s.run_id, s.agent, s.model ?? '', ...s.datasets].join(' ').toLowerCase();
      return words.every((w) => hay.includes(w));
    })
    .sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? ''));
  return { total: kept.length, runs: kept.slice(0, q.limit) };
}

/** What a sample query reads of a sample. */
export interface SampleQueryRow {
  test_id: string;
  dataset: string;
  status: string;
  score: number | null;
  max_score: number | null;
  turns: number;
}

export type SampleSort = 'test_id' | 'dataset' | 'status' | 'score' | 'turns';

export interface SamplesQuery {
  status?: string | undefined;
  q?: string | undefined;
  sort?: SampleSort | undefined;
  desc?: '0' | '1' | undefined;
  offset: number;
  limit: number;
}

/** How the scored samples (of the filter) spread: 0, below half, half to below full, full. */
export const SCORE_BUCKETS = ['0', '< 50%', '50% to < 100%', '100%'] as const;

/** A score rate; NaN for a sample not scored. */
function rate(t: SampleQueryRow): number {
  return t.score === null || !t.max_score ? Number.NaN : t.score / t.max_score;
}

export function scoreDistribution(all: readonly SampleQueryRow[]): { bucket: string; samples: number }[] {
  const counts = [0, 0, 0, 0];
  for (const t of all) {
    const r = rate(t);
    if (Number.isNaN(r)) continue;
    counts[r <= 0 ? 0 : r < 0.5 ? 1 : r < 1 ? 2 : 3]!++;
  }
  return SCORE_BUCKETS.map((bucket, i) => ({ bucket, samples: counts[i]! }));
}

/** Sorted in place by one column; unscored samples last either way. */
function sortSamples(all: SampleQueryRow[], by: SampleSort, desc: boolean): void {
  const sign = desc ? -1 : 1;
  const key = (t: SampleQueryRow): string | number => (by === 'score' ? rate(t) : t[by]);
  all.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (typeof x === 'number' && typeof y === 'number') {
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
      return sign * (x - y);
    }
    return sign * String(x).localeCompare(String(y), 'en', { numeric: true });
  });
}

/** One page of a run's samples: filtered by status and text, sorted over all of them, then paged. */
export function querySamples<S extends SampleQueryRow>(samples: Iterable<S>, q: SamplesQuery): { total: number; samples: S[]; distribution: { bucket: string; samples: number }[] } {
  const needle = (q.q ?? '').toLowerCase();
  const all = [...samples].filter((t) => (!q.status || t.status === q.status) && (!needle || t.test_id.toLowerCase().includes(needle) || t.dataset.toLowerCase().includes(needle)));
  if (q.sort) sortSamples(all, q.sort, q.desc === '1');
  return { total: all.length, samples: all.slice(q.offset, q.offset + q.limit), distribution: scoreDistribution(all) };
}
