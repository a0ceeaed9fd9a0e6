import type { LtmMatrix, RunSummary } from '../../monitor/run-views.js';
import { queryRuns, querySamples, type SampleQueryRow, type SampleSort } from '../../monitor/view-queries.js';

/**
 * The viewer's data layer: every request the views make, typed, in one place. Views never
 * build URLs themselves; the access token (when the server asks for one) rides along here.
 */

/** A run as the list shows it: the monitor's summary (one shape, the server's), its kind and datasets. */
export interface RunRow extends RunSummary {
  kind: string;
  datasets: string[];
}

export interface SampleRow extends SampleQueryRow {
  reasons?: string[];
}

export interface SamplesPage {
  run_id: string;
  total: number;
  offset: number;
  samples: SampleRow[];
  last_seq: number;
  lane_steps: Record<string, string | null>;
  distribution: { bucket: string; samples: number }[];
}

export interface SampleTurn {
  turn_id: number;
  index: number;
  user: unknown;
  agent: unknown;
  metadata: Record<string, unknown>;
  is_question: boolean;
  status: string | null;
  total_ms: number | null;
  ttft_ms: number | null;
  tokens_in: number | null;
  tokens_out: number | null;
  finish_reason: string | null;
  /** The turn's span, for a link to Phoenix. */
  span_id: string | null;
  timestamp: string | null;
}

export interface SampleDetail {
  run_id: string;
  sample: SampleRow;
  turns: SampleTurn[];
  expected: unknown;
  given: unknown;
  span_tokens: number | null;
  memory_span: number | null;
  run_turns: number;
}

export interface MatrixCell {
  agent: string;
  dataset: string;
  run: string;
  status: string;
  score: number;
  max_score: number;
  pass: number;
  tests: number;
  pass_rate: number | null;
}

/** An LTM suite's matrix: mean ± 95% CI over seeds per cell, as its ltm-suite-<id>.json says. */
export type { LtmMatrix };

/** A suite's matrix: a task suite's (pass rate per cell, `kind` absent) or an LTM suite's. */
export type Matrix = TaskMatrix | LtmMatrix;

export interface TaskMatrix {
  kind?: undefined;
  suites: string[];
  suite: string | null;
  agents: string[];
  datasets: string[];
  cells: MatrixCell[];
}

export interface CompareSide extends RunRow {
  metrics: { latency_ms: { p50: number | null } };
}

export interface Comparison {
  run_a: CompareSide;
  run_b: CompareSide;
  delta: { score: number; score_rate: number | null; success_rate: number | null; latency_p50_ms: number | null; cost_usd: number | null };
}

export interface SampleDiff {
  test_id: string;
  dataset: string;
  a: { status: string; score: number | null; max_score: number | null } | null;
  b: { status: string; score: number | null; max_score: number | null } | null;
}

export interface DatasetRow {
  dataset: string;
  a: { score: number; max_score: number; tests: number } | null;
  b: { score: number; max_score: number; tests: number } | null;
}

export interface RunFilters {
  q: string;
  status: string;
  min_score: string;
}

/**
 * A static bundle (`referee view --bundle`) sets this before the app loads: the runs it holds,
 * their samples and sample details, the suites' matrices, and the files it copied beside it.
 */
export interface Bundle {
  runs: RunRow[];
  samples: Record<string, SampleRow[]>;
  details: Record<string, Record<string, SampleDetail>>;
  matrices: Record<string, Matrix>;
  exports: Record<string, { csv: string; json: string }>;
  reports: Record<string, string>;
  phoenix_url: string | null;
}

const bundle = (window as unknown as { REFEREE_BUNDLE?: Bundle }).REFEREE_BUNDLE;

/** True in a static bundle: no server, no live stream. */
export const isBundle = bundle !== undefined;

const token = new URLSearchParams(location.search).get('token');

/** A URL of the server's API, with the page's token. */
export function apiUrl(path: string, params: Record<string, string | number | undefined | null> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== undefined && v !== null) q.set(k, String(v));
  if (token) q.set('token', token);
  return `${path}?${q}`;
}

async function get<T>(path: string, params: Record<string, string | number | undefined | null> = {}): Promise<T | null> {
  const r = await fetch(apiUrl(path, params));
  return r.ok ? ((await r.json()) as T) : null;
}

type SamplesParams = { run: string; status: string; q: string; offset: number; limit: number; sort?: string; desc?: string };

/** The server's answers. */
const server = {
  runs: (f: Partial<RunFilters> & { limit?: number }) => get<{ total: number; runs: RunRow[] }>('api/view/runs', f),
  samples: (p: SamplesParams) => get<SamplesPage>('api/view/samples', p),
  sample: (run: string, test: string) => get<SampleDetail>('api/view/sample', { run, test }),
  matrix: (suite: string | null) => get<Matrix>('api/view/matrix', { suite }),
  compare: (a: string, b: string) => get<{ comparison: Comparison }>('api/benchmark/compare', { runs: `${a},${b}` }),
  config: () => get<{ phoenix_url: string | null }>('api/view/config'),
  /** Every sample of a run, for a per-sample diff (the server caps a page at 500). */
  allSamples: async (run: string): Promise<SampleRow[]> => {
    const out: SampleRow[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await get<SamplesPage>('api/view/samples', { run, offset, limit: 500 });
      if (!page) return out;
      out.push(...page.samples);
      if (offset + 500 >= page.total) return out;
    }
  },
  exportUrl: (run: string, format: 'csv' | 'json'): string => apiUrl('api/view/export', { run, format }),
  reportUrl: (match: string): string | null => apiUrl('api/view/report', { match }),
  stream: (params: Record<string, string>): EventSource | null => new EventSource(apiUrl('api/benchmark/telemetry/stream', { interval: 0, ...params })),
};

/** The same answers from a bundle's data, through the same queries the server runs (view-queries). */
function fromBundle(b: Bundle): typeof server {
  const done = <T>(v: T): Promise<T> => Promise.resolve(v);
  const suites = Object.keys(b.matrices).sort();
  return {
    runs: (f) => done(queryRuns(b.runs, { q: f.q, status: f.status || undefined, min_score: f.min_score ? Number(f.min_score) : undefined, limit: f.limit ?? 200 })),
    samples: (p) =>
      done({
        run_id: b.runs.find((r) => r.key === p.run)?.run_id ?? p.run,
        offset: p.offset,
        ...querySamples(b.samples[p.run] ?? [], { status: p.status || undefined, q: p.q, offset: p.offset, limit: p.limit, sort: p.sort as SampleSort | undefined, desc: p.desc as '0' | '1' | undefined }),
        last_seq: 0,
        lane_steps: {},
      }),
    sample: (run, test) => done(b.details[run]?.[test] ?? null),
    matrix: (suite) => {
      const name = suite ?? suites[0];
      const m = name === undefined ? undefined : b.matrices[name];
      return done(m ? { ...m, suites } : { suites, suite: null, agents: [], datasets: [], cells: [] });
    },
    compare: (a, c) => {
      const x = b.runs.find((r) => r.key === a);
      const y = b.runs.find((r) => r.key === c);
      if (!x || !y) return done(null);
      const rate = (r: RunRow): number | null => (r.max_score ? r.score / r.max_score : null);
      const diff = (p: number | null, q: number | null): number | null => (p === null || q === null ? null : q - p);
      // A bundle keeps no latencies: that row reads — here.
      const side = (r: RunRow): CompareSide => ({ ...r, metrics: { latency_ms: { p50: null } } });
      return done({
        comparison: {
          run_a: side(x),
          run_b: side(y),
          delta: { score: y.score - x.score, score_rate: diff(rate(x), rate(y)), success_rate: diff(x.success_rate, y.success_rate), latency_p50_ms: null, cost_usd: y.cost_usd - x.cost_usd },
        },
      });
    },
    config: () => done({ phoenix_url: b.phoenix_url }),
    allSamples: (run) => done(b.samples[run] ?? []),
    exportUrl: (run, format) => b.exports[run]?.[format] ?? '#',
    reportUrl: (match) => b.reports[match] ?? null,
    stream: () => null,
  };
}

export const api = bundle ? fromBundle(bundle) : server;
