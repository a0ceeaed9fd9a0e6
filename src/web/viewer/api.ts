/**
 * The viewer's data layer: every request the views make, typed, in one place. Views never
 * build URLs themselves; the access token (when the server asks for one) rides along here.
 */

export interface RunRow {
  key: string;
  run_id: string;
  group: string | null;
  agent: string;
  model: string | null;
  role: string;
  kind: string;
  status: string;
  loading: boolean;
  created_at: string | null;
  datasets: string[];
  last_seq: number;
  tests_total: number;
  tests_done: number;
  turns_total: number;
  turns_total_estimated: boolean;
  turns_done: number;
  turns_failed: number;
  pass: number;
  fail: number;
  partial: number;
  score: number;
  max_score: number;
  success_rate: number | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  pricing_source: string | null;
  elapsed_seconds: number;
}

export interface SampleRow {
  test_id: string;
  dataset: string;
  status: string;
  score: number | null;
  max_score: number | null;
  turns: number;
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
}

export interface SampleDetail {
  run_id: string;
  sample: SampleRow;
  turns: SampleTurn[];
  expected: unknown;
  given: unknown;
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

export interface Matrix {
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

export const api = {
  runs: (f: Partial<RunFilters> & { limit?: number }) => get<{ total: number; runs: RunRow[] }>('api/view/runs', f),
  samples: (p: { run: string; status: string; q: string; offset: number; limit: number; sort?: string; desc?: string }) => get<SamplesPage>('api/view/samples', p),
  sample: (run: string, test: string) => get<SampleDetail>('api/view/sample', { run, test }),
  matrix: (suite: string | null) => get<Matrix>('api/view/matrix', { suite }),
  compare: (a: string, b: string) => get<{ comparison: Comparison }>('api/benchmark/compare', { runs: `${a},${b}` }),
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
  exportUrl: (run: string, format: 'csv' | 'json') => apiUrl('api/view/export', { run, format }),
  stream: (params: Record<string, string>) => new EventSource(apiUrl('api/benchmark/telemetry/stream', { interval: 0, ...params })),
};
