import { z } from 'zod';
import type { MonitorHub } from './hub.js';
import { NotFound } from './views.js';
import type { RunModel, TestView } from './run-model.js';

/**
 * issue 17, `referee view`: the monitor's server and hub grown into a viewer of
 * finished (and live) runs: a filtered run list, a paged sample browser, one
 * sample's messages, and CSV/JSON export. Payloads only; server.ts routes them.
 */

const text = z.string().max(300).optional();
export const ViewRunsQuerySchema = z.strictObject({
  q: text.describe('words that must all appear in the run id, agent, model or a dataset name'),
  status: z.enum(['running', 'finished', 'failed', 'interrupted']).optional(),
  agent: text,
  dataset: text,
  min_score: z.coerce.number().min(0).max(1).optional().describe('lowest score rate (score / max_score)'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  token: z.string().optional(),
});
export const ViewSamplesQuerySchema = z.strictObject({
  run: z.string().min(1).max(300),
  status: z.enum(['pass', 'fail', 'pending', 'running']).optional(),
  q: text.describe('a substring of the test id or dataset'),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  token: z.string().optional(),
});
export const ViewSampleQuerySchema = z.strictObject({ run: z.string().min(1).max(300), test: z.string().min(1).max(500), token: z.string().optional() });
export const ViewMatrixQuerySchema = z.strictObject({ suite: z.string().max(300).optional(), token: z.string().optional() });
export const ViewExportQuerySchema = z.strictObject({ run: z.string().min(1).max(300), format: z.enum(['csv', 'json']).default('csv'), token: z.string().optional() });

function model(hub: MonitorHub, run: string): RunModel {
  const m = hub.find(run);
  if (!m) throw new NotFound(`no run "${run}" under ${hub.runsDir}`);
  return m;
}

export function viewRuns(hub: MonitorHub, q: z.infer<typeof ViewRunsQuerySchema>): Record<string, unknown> {
  const words = (q.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const runs = hub
    .models()
    .filter((m) => {
      const s = m.summary();
      if (q.status && s.status !== q.status) return false;
      if (q.agent && s.agent !== q.agent) return false;
      if (q.dataset && !m.datasets.includes(q.dataset)) return false;
      if (q.min_score !== undefined && !(s.max_score > 0 && s.score / s.max_score >= q.min_score)) return false;
      const hay = [s.run_id, s.agent, s.model ?? '', ...m.datasets].join(' ').toLowerCase();
      return words.every((w) => hay.includes(w));
    })
    .map((m) => ({ ...m.summary(), kind: runKind(m), datasets: m.datasets, score_rate: m.max_score ? m.score / m.max_score : null }))
    .sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? ''));
  return { total: runs.length, runs: runs.slice(0, q.limit) };
}

/** LTM, tasks (a task file), suite (a suite's cell) or a match side, from run.json. */
function runKind(m: RunModel): string {
  if (m.meta['role'] === 'champion' || m.meta['role'] === 'challenger' || m.meta['run_type'] === 'match') return 'match';
  if (datasetConfig(m)['kind'] === 'tasks') return suiteOf(m) ? 'suite' : 'tasks';
  const t = m.meta['run_type'];
  return typeof t === 'string' && t !== 'single' ? t : 'ltm';
}

export function viewSamples(hub: MonitorHub, q: z.infer<typeof ViewSamplesQuerySchema>): Record<string, unknown> {
  const m = model(hub, q.run);
  const needle = (q.q ?? '').toLowerCase();
  const all = [...m.tests.values()].filter(
    (t) => (!q.status || t.status === q.status) && (!needle || t.test_id.toLowerCase().includes(needle) || t.dataset.toLowerCase().includes(needle)),
  );
  // issue 17: the state these counts are at (the last event folded in, each lane's last ended
  // step), so a live page carries on counting from here rather than from the run list's older seq.
  const laneSteps = Object.fromEntries([...m.lanes.values()].map((l) => [l.lane, l.last_step_key]));
  // Paged: a 100,000-test run sends one page at a time.
  return { run_id: m.run_id, total: all.length, offset: q.offset, samples: all.slice(q.offset, q.offset + q.limit), last_seq: m.last_seq, lane_steps: laneSteps };
}

/** One sample: its verdict and every message of it, from transcripts.jsonl (model text, shown as text). */
export async function viewSample(hub: MonitorHub, q: z.infer<typeof ViewSampleQuerySchema>): Promise<Record<string, unknown>> {
  const m = model(hub, q.run);
  const test = m.tests.get(q.test);
  if (!test) throw new NotFound(`run "${q.run}" has no test "${q.test}"`);
  const lines = (await hub.transcripts(m.key)?.find(q.test)) ?? [];
  const turns = lines.map((t) => ({ turn_id: t['turn_id'], user: t['user'], agent: t['agent'], metadata: t['metadata'] ?? {} }));
  return { run_id: m.run_id, sample: test, turns };
}

const CSV_COLUMNS: (keyof TestView)[] = ['test_id', 'dataset', 'status', 'score', 'max_score', 'turns'];

/** CSV cells are quoted when needed, and a cell a spreadsheet would run as a formula is prefixed with `'`. */
function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' | ') : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function viewExport(hub: MonitorHub, q: z.infer<typeof ViewExportQuerySchema>): { type: string; body: string; filename: string } {
  const m = model(hub, q.run);
  const tests = [...m.tests.values()];
  if (q.format === 'json') {
    return { type: 'application/json; charset=utf-8', body: JSON.stringify({ run: m.summary(), results: tests }, null, 2), filename: `${m.run_id}-results.json` };
  }
  const lines = [[...CSV_COLUMNS, 'reasons'].join(',')];
  for (const t of tests) lines.push([...CSV_COLUMNS.map((c) => csvCell(t[c])), csvCell(t.reasons ?? [])].join(','));
  return { type: 'text/csv; charset=utf-8', body: lines.join('\n') + '\n', filename: `${m.run_id}-results.csv` };
}

function datasetConfig(m: RunModel): Record<string, unknown> {
  const d = m.meta['dataset_config'];
  return d && typeof d === 'object' ? (d as Record<string, unknown>) : {};
}

/**
 * The suite a run is a cell of. `referee run --tasks F` writes its run as a
 * one-dataset suite named after F: that is a task run, not a matrix.
 */
function suiteOf(m: RunModel): string | null {
  const d = datasetConfig(m);
  const name = d['suite'];
  if (typeof name !== 'string') return null;
  return d['kind'] === 'tasks' && name === d['name'] ? null : name;
}

/**
 * A suite's matrix (agents x datasets): one cell per pair, the newest run of it,
 * with its score and pass rate and the run to open. Without `suite`: the names.
 */
export function viewMatrix(hub: MonitorHub, q: z.infer<typeof ViewMatrixQuerySchema>): Record<string, unknown> {
  const suites = [...new Set(hub.models().map(suiteOf).filter((s): s is string => s !== null))].sort();
  const suite = q.suite ?? suites[0];
  if (suite === undefined) return { suites, suite: null, agents: [], datasets: [], cells: [] };
  const cells = new Map<string, Record<string, unknown>>();
  const runs = hub
    .models()
    .filter((m) => suiteOf(m) === suite)
    .sort((a, b) => (a.started_at ?? '').localeCompare(b.started_at ?? ''));
  for (const m of runs) {
    const s = m.summary();
    const dataset = m.datasets[0] ?? 'unknown';
    cells.set(`${s.agent}\u0000${dataset}`, {
      agent: s.agent,
      dataset,
      run: m.key,
      status: s.status,
      score: s.score,
      max_score: s.max_score,
      pass: s.pass,
      tests: s.tests_total,
      pass_rate: s.tests_done ? s.pass / s.tests_done : null,
    });
  }
  const all = [...cells.values()];
  const uniq = (k: string): string[] => [...new Set(all.map((c) => String(c[k])))].sort();
  return { suites, suite, agents: uniq('agent'), datasets: uniq('dataset'), cells: all };
}
