/**
 * A suite's output as a user reads it, timings aside: what `referee merge` must give exactly as a
 * single-process run of the same plan gives it. Timing fields are dropped by name, times and
 * durations inside strings blanked, the output root written as <root>, and lines written in
 * completion order (which concurrency decides) sorted by test.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportGoodai } from '../../src/artifacts/goodai-export.js';
import { readRunDir } from '../../src/artifacts/run-dir-reader.js';
import { MonitorHub } from '../../src/monitor/hub.js';
import { viewRuns } from '../../src/monitor/viewer.js';
import { singleReportData } from '../../src/report/report-data.js';
import { tempDir } from '../helpers.js';

const TIMING_KEY = /(^|_)(ms|s|at|ts|timestamp|duration|elapsed|seconds|per_s|latency|ttft|time)($|_)|_ms$|_s$|^duration|^elapsed|^started|^finished|^created|^ttft|tokens_per_s/i;
/** Where a run was, not what it found: host, tool and commit, the provenance of a merge. */
const PLACE_KEY = /^(host|node_version|git_commit|tool_version|merged_from|dir|run_dir|key)$/;
/** Set by the order in which concurrent tasks happened to start or end. */
const ORDER_KEY = /^(turn_id|seq|last_seq|lane|step)$/;
/** The report's radar scores mix speed (a timing) with accuracy and tokens; their raw figures stay compared. */
const DERIVED_KEY = /^values$/;

export function stripTimings(value: unknown, root: string): unknown {
  if (Array.isArray(value)) return value.map((v) => stripTimings(v, root));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (TIMING_KEY.test(k) || PLACE_KEY.test(k) || ORDER_KEY.test(k) || DERIVED_KEY.test(k)) continue;
      out[k] = stripTimings(v, root);
    }
    return out;
  }
  if (typeof value === 'string') {
    return value
      .split(root)
      .join('<root>')
      .replace(/\d{4}-\d{2}-\d{2}[ T][\d:.]+Z?/g, '<time>')
      .replace(/\d+(\.\d+)? ?ms\b/g, '<n> ms');
  }
  return value;
}

function lines(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const byTest = (a: Record<string, unknown>, b: Record<string, unknown>): number => String(a['test_id']).localeCompare(String(b['test_id']));

/** Every JSON file under `dir`, by path relative to it. */
function jsonFiles(dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (d: string, rel: string): void => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
      else if (e.name.endsWith('.json')) out[`${rel}${e.name}`] = JSON.parse(readFileSync(join(d, e.name), 'utf8'));
    }
  };
  walk(dir, '');
  return out;
}

/** One run directory as a user reads it: run.json, runstats.json, results, transcripts, report data, GoodAI export, viewer row. */
function runAsRead(dir: string, agent: string, viewer: unknown, root: string): unknown {
  const meta = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
  // GoodAI's layout exists for GoodAI-shaped (LTM) runs; a task run has none to export.
  const ltm = (meta['dataset_config'] as { kind?: string }).kind !== 'tasks';
  const exported = tempDir('referee-export-');
  const goodai = ltm ? exportGoodai(dir, exported) : null;
  return stripTimings(
    {
      run: meta,
      runstats: JSON.parse(readFileSync(join(dir, 'runstats.json'), 'utf8')),
      results: ltm ? jsonFiles(join(dir, 'results')) : lines(join(dir, 'results', agent, 'results.jsonl')).sort(byTest),
      transcripts: lines(join(dir, 'transcripts.jsonl'))
        .map(({ turn_id: _t, ...rest }) => rest)
        .sort((a, b) => byTest(a, b) || JSON.stringify(a).localeCompare(JSON.stringify(b))),
      report: singleReportData(readRunDir(dir)),
      report_html: existsSync(join(dir, 'report.html')),
      goodai: goodai ? { definitions: goodai.definitions, results: goodai.results, files: jsonFiles(exported) } : null,
      viewer,
    },
    root,
  );
}

async function viewerRows(root: string): Promise<{ run_id: string }[]> {
  const hub = new MonitorHub({ runsDir: root });
  await hub.start();
  const rows = (viewRuns(hub, { limit: Number.MAX_SAFE_INTEGER }) as { runs: { run_id: string }[] }).runs;
  hub.stop();
  return rows;
}

function historyOf(root: string, runIds: readonly string[]): unknown {
  const h = lines(join(root, 'benchmark_history.jsonl'))
    .filter((l) => runIds.includes(String(l['run_id'])))
    .sort((a, b) => String(a['run_id']).localeCompare(String(b['run_id'])));
  return stripTimings(h, root);
}

/** The results, scores, reports, GoodAI export and viewer rows of the suite `matrix-<runId>.json` in `root`. */
export async function suiteAsRead(root: string, runId: string): Promise<Record<string, unknown>> {
  const summary = JSON.parse(readFileSync(join(root, `matrix-${runId}.json`), 'utf8')) as { cells: { run_id: string; agent: string }[] };
  const rows = await viewerRows(root);
  const cells: Record<string, unknown> = {};
  for (const c of summary.cells) cells[c.run_id] = runAsRead(join(root, c.run_id), c.agent, rows.find((r) => r.run_id === c.run_id) ?? null, root);
  return { summary: stripTimings(summary, root), cells, history: historyOf(root, summary.cells.map((c) => c.run_id)) };
}

/** The same for an LTM suite's `ltm-suite-<runId>.json` and its runs. */
export async function ltmSuiteAsRead(root: string, runId: string): Promise<Record<string, unknown>> {
  const summary = JSON.parse(readFileSync(join(root, `ltm-suite-${runId}.json`), 'utf8')) as { runs: { run_id: string; agent: string }[] };
  const rows = await viewerRows(root);
  const runs: Record<string, unknown> = {};
  for (const r of summary.runs) runs[r.run_id] = runAsRead(join(root, r.run_id), r.agent, rows.find((x) => x.run_id === r.run_id) ?? null, root);
  return { summary: stripTimings(summary, root), runs, history: historyOf(root, summary.runs.map((r) => r.run_id)) };
}
