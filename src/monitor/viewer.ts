import { join, sep } from 'node:path';
import { z } from 'zod';
import { LineSplitter, parseLine, type LinePiece } from './bounded-lines.js';
import { ltmSuiteMatrix, ltmSuiteNames } from './ltm-suites.js';
import { openInside, readRegularFileSync } from './safe-read.js';
import { queryRuns, querySamples } from './view-queries.js';
import type { MonitorHub } from './hub.js';
import { NotFound } from './views.js';
import type { RunModel, TestView } from './run-model.js';

/**
 * issue 17, `referee view`: the monitor's server and hub grown into a viewer of
 * finished (and live) runs: a filtered run list, a paged sample browser, one
 * sample's messages, and CSV/JSON export. Payloads only; server.ts routes them.
 */

const text = z.string().max(300).optional();
/** The most runs one list answer holds: past it, the list says how many more there are, and search narrows. */
export const RUN_LIST_CAP = 10_000;

export const ViewRunsQuerySchema = z.strictObject({
  q: text.describe('words that must all appear in the run id, agent, model or a dataset name'),
  status: z.enum(['running', 'finished', 'failed', 'interrupted', 'stale']).optional(),
  agent: text,
  dataset: text,
  min_score: z.coerce.number().min(0).max(1).optional().describe('lowest score rate (score / max_score)'),
  // The app asks for every run (it draws only those in view, and sorts all of them); the cap bounds one answer.
  limit: z.coerce.number().int().min(1).max(RUN_LIST_CAP).default(200),
  token: z.string().optional(),
});
export const ViewSamplesQuerySchema = z.strictObject({
  run: z.string().min(1).max(300),
  status: z.enum(['pass', 'fail', 'error', 'judge_error', 'unscored', 'pending', 'running']).optional(),
  q: text.describe('a substring of the test id or dataset'),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  // issue 21: sorted on the server, so a sorted column is sorted over every page, not one.
  sort: z.enum(['test_id', 'dataset', 'status', 'score', 'turns']).optional(),
  desc: z.enum(['0', '1']).optional(),
  token: z.string().optional(),
});
export const ViewSampleQuerySchema = z.strictObject({ run: z.string().min(1).max(300), test: z.string().min(1).max(500), token: z.string().optional() });
export const ViewMatrixQuerySchema = z.strictObject({ suite: z.string().max(300).optional(), token: z.string().optional() });
export const ViewReportQuerySchema = z.strictObject({ run: z.string().min(1).max(300).optional(), match: z.string().min(1).max(300).optional(), token: z.string().optional() });
export const ViewExportQuerySchema = z.strictObject({ run: z.string().min(1).max(300), format: z.enum(['csv', 'json']).default('csv'), token: z.string().optional() });

function model(hub: MonitorHub, run: string): RunModel {
  const m = hub.find(run);
  if (!m) throw new NotFound(`no run "${run}" under ${hub.runsDir}`);
  return m;
}

/** Every run the hub holds, as the run list shows it (before any filter). */
export function runRows(hub: MonitorHub): ReturnType<typeof runRow>[] {
  return hub.models().map(runRow);
}

function runRow(m: RunModel) {
  return { ...m.summary(), kind: runKind(m), datasets: m.datasets, score_rate: m.max_score ? m.score / m.max_score : null };
}

export function viewRuns(hub: MonitorHub, q: z.infer<typeof ViewRunsQuerySchema>): Record<string, unknown> {
  return queryRuns(runRows(hub), q);
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
  const page = querySamples(m.tests.values(), q);
  // issue 17: the state these counts are at (the last event folded in, each lane's last ended
  // step), so a live page carries on counting from here rather than from the run list's older seq.
  const laneSteps = Object.fromEntries([...m.lanes.values()].map((l) => [l.lane, l.last_step_key]));
  // Paged: a 100,000-test run sends one page at a time.
  return { run_id: m.run_id, offset: q.offset, ...page, last_seq: m.last_seq, lane_steps: laneSteps };
}

/**
 * One sample: its verdict and every message of it, from transcripts.jsonl (model text, shown as
 * text), each turn with its number within the test, whether it was the question, its call's
 * latency and tokens (turn_metrics.jsonl), and the expected and given answers from the results.
 */
export async function viewSample(hub: MonitorHub, q: z.infer<typeof ViewSampleQuerySchema>): Promise<Record<string, unknown>> {
  const m = model(hub, q.run);
  const test = m.tests.get(q.test);
  if (!test) throw new NotFound(`run "${q.run}" has no test "${q.test}"`);
  const [lines, metrics, result] = await Promise.all([
    hub.transcripts(m.key)?.find(q.test) ?? [],
    hub.lineIndex(m.key, 'turn_metrics.jsonl')?.find(q.test) ?? [],
    resultOf(hub, m, q.test),
  ]);
  // The last attempt's call stands for the turn (a retried task writes one line per attempt).
  const byTurn = new Map(metrics.map((t) => [t['turn_id'], t]));
  const turns = lines.map((t, i) => {
    const c = byTurn.get(t['turn_id']);
    return {
      turn_id: t['turn_id'],
      index: i + 1,
      user: t['user'],
      agent: t['agent'],
      metadata: t['metadata'] ?? {},
      is_question: c?.['is_question'] === true,
      status: c?.['status'] ?? null,
      total_ms: c?.['total_ms'] ?? null,
      ttft_ms: c?.['ttft_ms'] ?? null,
      tokens_in: c?.['tokens_in'] ?? null,
      tokens_out: c?.['tokens_out'] ?? null,
      finish_reason: c?.['finish_reason'] ?? null,
      span_id: c?.['span_id'] ?? null,
      timestamp: c?.['timestamp'] ?? null,
      // issue 24: a transcript line over 1 MiB is read from its first MiB; its cut text ends with the marker.
      truncated_line: t['truncated_line'] ?? null,
    };
  });
  return {
    run_id: m.run_id,
    sample: test,
    turns,
    expected: result?.['expected_responses'] ?? null,
    given: result?.['actual_responses'] ?? null,
    // issue 21: GoodAI's measure of the test (the conversation from its first line to its end), against the run's configured span.
    span_tokens: typeof result?.['tokens'] === 'number' ? result['tokens'] : null,
    memory_span: typeof m.meta['memory_span'] === 'number' && m.meta['memory_span'] > 0 ? m.meta['memory_span'] : null,
    run_turns: m.turns_total,
  };
}

/** The agent folder of a run's results (GoodAI's `results/<agent>/`); none for a name that is not one folder. */
function resultsAgent(m: RunModel): string | undefined {
  const agent = typeof m.meta['agent'] === 'object' && m.meta['agent'] ? String((m.meta['agent'] as Record<string, unknown>)['name'] ?? '') : '';
  return !agent || agent.includes('/') || agent.includes('..') ? undefined : agent;
}

/** The test's results record: GoodAI's per-test JSON for an LTM run, a line of results.jsonl for a task run. */
async function resultOf(hub: MonitorHub, m: RunModel, testId: string): Promise<Record<string, unknown> | undefined> {
  const dir = hub.dirOf(m.key);
  const agent = resultsAgent(m);
  if (!dir || !agent) return undefined;
  const lines = await hub.lineIndex(m.key, join('results', agent, 'results.jsonl'))?.find(testId);
  if (lines?.length) return lines.at(-1);
  const slash = testId.lastIndexOf('/');
  if (slash < 0) return undefined;
  const file = join(dir, 'results', agent, testId.slice(0, slash), `${testId.slice(slash + 1)}_0.json`);
  // Built from a test id: it must stay inside the run directory.
  if (!file.startsWith(join(dir, 'results') + sep)) return undefined;
  try {
    const text = readRegularFileSync(file, undefined, hub.runsDir);
    return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

const CSV_COLUMNS: (keyof TestView)[] = ['test_id', 'dataset', 'status', 'score', 'max_score', 'turns'];
/** issue 21: what each sample asked and answered, what was expected, and what its calls took. */
const CSV_DETAIL = ['prompt', 'answer', 'expected', 'latency_ms', 'tokens_in', 'tokens_out'] as const;

/** CSV cells are quoted when needed, and a cell a spreadsheet would run as a formula is prefixed with `'`. */
function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' | ') : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

type Detail = Partial<Record<(typeof CSV_DETAIL)[number], unknown>>;

/**
 * Each line of a run's JSONL file, parsed, read once from start to end (an export reads every
 * sample); a line over the bound is read from its first MiB (`truncated_line`), and a file
 * outside the runs directory not at all.
 */
async function eachLine(file: string, root: string, fn: (line: Record<string, unknown>) => void): Promise<void> {
  const fh = await openInside(file, root);
  if (!fh) return; // no such file: no detail
  try {
    if (!(await fh.stat()).isFile()) return;
    const lines = new LineSplitter();
    const each = (piece: LinePiece): void => {
      const record = parseLine(piece);
      if (record) fn(record); // else a torn or corrupt line
    };
    const buf = Buffer.alloc(1 << 20);
    for (let at = 0; ; ) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, at);
      if (bytesRead === 0) break;
      at += bytesRead;
      lines.push(buf.subarray(0, bytesRead), each);
    }
    lines.flush(each);
  } catch {
    // unreadable: the detail read so far
  } finally {
    await fh.close();
  }
}

/** Per test: the question and its answer (the last question turn), the summed call latency and tokens, the expected answer. */
async function exportDetail(hub: MonitorHub, m: RunModel): Promise<Map<string, Detail>> {
  const dir = hub.dirOf(m.key);
  const detail = new Map<string, Detail>();
  if (!dir) return detail;
  const of = (id: unknown): Detail => {
    let d = detail.get(String(id));
    if (!d) detail.set(String(id), (d = {}));
    return d;
  };
  const questionTurns = new Set<unknown>();
  await eachLine(join(dir, 'turn_metrics.jsonl'), hub.runsDir, (t) => {
    const d = of(t['test_id']);
    d.latency_ms = Number(d.latency_ms ?? 0) + Number(t['total_ms'] ?? 0);
    d.tokens_in = Number(d.tokens_in ?? 0) + Number(t['tokens_in'] ?? 0);
    d.tokens_out = Number(d.tokens_out ?? 0) + Number(t['tokens_out'] ?? 0);
    if (t['is_question'] === true) questionTurns.add(t['turn_id']);
  });
  await eachLine(join(dir, 'transcripts.jsonl'), hub.runsDir, (t) => {
    if (!questionTurns.has(t['turn_id'])) return;
    const d = of(t['test_id']);
    d.prompt = t['user'];
    d.answer = t['agent'];
  });
  // A task run's results are one JSONL file, read once; an LTM run's are a JSON file per test.
  const agent = resultsAgent(m);
  let taskResults = false;
  if (agent) {
    await eachLine(join(dir, 'results', agent, 'results.jsonl'), hub.runsDir, (r) => {
      taskResults = true;
      if (r['expected_responses'] !== undefined) of(r['test_id']).expected = r['expected_responses'];
    });
  }
  if (!taskResults) {
    for (const t of m.tests.values()) {
      const r = await resultOf(hub, m, t.test_id);
      if (r?.['expected_responses'] !== undefined) of(t.test_id).expected = r['expected_responses'];
    }
  }
  return detail;
}

export async function viewExport(hub: MonitorHub, q: z.infer<typeof ViewExportQuerySchema>): Promise<{ type: string; body: string; filename: string }> {
  const m = model(hub, q.run);
  const tests = [...m.tests.values()];
  if (q.format === 'json') {
    return { type: 'application/json; charset=utf-8', body: JSON.stringify({ run: m.summary(), results: tests }, null, 2), filename: `${m.run_id}-results.json` };
  }
  const detail = await exportDetail(hub, m);
  const lines = [[...CSV_COLUMNS, 'reasons', ...CSV_DETAIL].join(',')];
  for (const t of tests) {
    const d = detail.get(t.test_id) ?? {};
    lines.push([...CSV_COLUMNS.map((c) => csvCell(t[c])), csvCell(t.reasons ?? []), ...CSV_DETAIL.map((c) => csvCell(d[c]))].join(','));
  }
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
  const tasks = [...new Set(hub.models().map(suiteOf).filter((s): s is string => s !== null))].sort();
  // An LTM suite's matrix is its summary's (ltm-suite-<id>.json): mean ± 95% CI over seeds.
  const ltm = ltmSuiteNames(hub);
  const suites = [...tasks, ...ltm];
  const suite = q.suite ?? suites[0];
  if (suite === undefined) return { suites, suite: null, agents: [], datasets: [], cells: [] };
  if (ltm.includes(suite) && !tasks.includes(suite)) {
    const m = ltmSuiteMatrix(hub, suite, suites);
    if (m) return m as unknown as Record<string, unknown>;
  }
  const cells = new Map<string, Record<string, unknown>>();
  const runs = hub
    .models()
    .filter((m) => suiteOf(m) === suite)
    .sort((a, b) => (a.started_at ?? '').localeCompare(b.started_at ?? ''));
  for (const m of runs) {
    const s = m.summary();
    // A run of several datasets (GoodAI's published agents, imported as one run each) is a cell per dataset.
    if (m.datasets.length > 1) {
      for (const [dataset, d] of m.perDataset) {
        cells.set(`${s.agent}\u0000${dataset}`, { agent: s.agent, dataset, run: m.key, status: s.status, score: d.score, max_score: d.max_score, pass: d.pass, tests: d.total, pass_rate: d.done ? d.pass / d.done : null });
      }
      continue;
    }
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

/**
 * issue 21: a run's report.html, or a match's comparison_report.html (by the match directory the
 * run list groups its sides under). Only a directory the hub tracks is read: never a path from the URL.
 */
export function viewReport(hub: MonitorHub, q: z.infer<typeof ViewReportQuerySchema>): string {
  let file: string | undefined;
  if (q.run !== undefined) {
    const dir = hub.dirOf(model(hub, q.run).key);
    file = dir && join(dir, 'report.html');
  } else if (q.match !== undefined) {
    const side = hub.models().find((m) => m.group === q.match);
    const dir = side && hub.dirOf(side.key);
    file = dir && join(dir, '..', 'comparison_report.html');
  }
  const html = file === undefined ? undefined : readRegularFileSync(file, 64 * 1024 * 1024, hub.runsDir);
  if (html === undefined) throw new NotFound(q.match !== undefined ? `match "${q.match}" has no comparison report` : `run "${q.run ?? ''}" has no report`);
  return html;
}
