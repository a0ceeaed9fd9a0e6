import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { assetDir, webBundle } from './asset-paths.js';
import { MonitorHub } from './hub.js';
import { readRegularFileSync } from './safe-read.js';
import { runRows, viewExport, viewMatrix, viewSample } from './viewer.js';

export interface BundleOptions {
  /** The runs directory to read. */
  runsDir: string;
  /** Where the static site goes (created; files in it are overwritten). */
  outDir: string;
  /** Run ids or keys (`match/run-id`) to include. @default every run */
  runs?: string[];
  /** The Phoenix UI its turn links point at. @default none */
  phoenixUrl?: string;
}

export interface BundleResult {
  dir: string;
  runs: number;
  samples: number;
}

/** A file name for a run key or match directory: its path separators and anything odd become `_`. */
const fileName = (key: string): string => key.replace(/[^\w.-]/g, '_');

/**
 * issue 21, `referee view --bundle DIR [runs…]`: the viewer and the chosen runs as a static site
 * that opens from any static host or straight from disk (file://), with no server: the app, its
 * stylesheet, the runs' data as one script (a page opened from disk may not fetch files), their
 * CSV/JSON exports and their matches' comparison reports beside it.
 */
export async function writeViewerBundle(options: BundleOptions): Promise<BundleResult> {
  const hub = new MonitorHub({ runsDir: resolve(options.runsDir) });
  await hub.start();
  try {
    const all = runRows(hub);
    const wanted = options.runs?.length ? options.runs : undefined;
    for (const name of wanted ?? []) {
      if (!all.some((r) => r.run_id === name || r.key === name)) throw new ConfigError('CONFIG_INVALID', `command line: no run "${name}" under ${hub.runsDir}`);
    }
    const rows = all.filter((r) => !wanted || wanted.includes(r.run_id) || wanted.includes(r.key));
    const out = resolve(options.outDir);
    mkdirSync(join(out, 'assets'), { recursive: true });
    mkdirSync(join(out, 'exports'), { recursive: true });
    mkdirSync(join(out, 'reports'), { recursive: true });
    const data = {
      runs: rows,
      samples: {} as Record<string, unknown[]>,
      details: {} as Record<string, Record<string, unknown>>,
      matrices: {} as Record<string, unknown>,
      exports: {} as Record<string, { csv: string; json: string }>,
      reports: {} as Record<string, string>,
      phoenix_url: options.phoenixUrl ?? null,
    };
    let samples = 0;
    for (const r of rows) {
      const m = hub.find(r.key)!;
      const tests = [...m.tests.values()];
      data.samples[r.key] = tests;
      samples += tests.length;
      const details: Record<string, unknown> = {};
      for (const t of tests) details[t.test_id] = await viewSample(hub, { run: r.key, test: t.test_id });
      data.details[r.key] = details;
      const exports = { csv: `exports/${fileName(r.key)}.csv`, json: `exports/${fileName(r.key)}.json` };
      for (const format of ['csv', 'json'] as const) writeFileSync(join(out, exports[format]), (await viewExport(hub, { run: r.key, format })).body);
      data.exports[r.key] = exports;
      // A match's comparison report, beside its two runs.
      if (r.kind === 'match' && r.group && !data.reports[r.group]) {
        const dir = hub.dirOf(r.key);
        // Read as the server reads it: a regular file inside the runs directory (issue 24: no symlink out of it).
        const report = dir && readRegularFileSync(join(dir, '..', 'comparison_report.html'), 64 * 1024 * 1024, hub.runsDir);
        if (report) {
          const copy = `reports/${fileName(r.group)}.html`;
          writeFileSync(join(out, copy), report);
          data.reports[r.group] = copy;
        }
      }
    }
    const keys = new Set(rows.map((r) => r.key));
    for (const suite of (viewMatrix(hub, {}) as { suites: string[] }).suites) {
      const m = viewMatrix(hub, { suite }) as { cells: { run?: string; runs?: { run: string }[] }[]; agents: string[]; datasets: string[] };
      // A task suite's cell is one run; an LTM suite's averages several (its seeds).
      const cells = m.cells.filter((c) => (c.run !== undefined && keys.has(c.run)) || c.runs?.some((r) => keys.has(r.run)));
      if (cells.length) data.matrices[suite] = { ...m, cells };
    }
    // `<` escaped: the data is a script, and model text may hold `</script>` or `<!--`.
    writeFileSync(join(out, 'data.js'), `window.REFEREE_BUNDLE = ${JSON.stringify(data).replace(/</g, '\\u003c')};\n`);
    for (const name of ['app.js', 'app.js.LEGAL.txt']) copyFileSync(webBundle(name), join(out, 'assets', name));
    copyFileSync(join(assetDir(), 'app.css'), join(out, 'assets', 'app.css'));
    // The server's page, with the data loaded before the app.
    const page = readFileSync(join(assetDir(), 'index.html'), 'utf8');
    writeFileSync(join(out, 'index.html'), page.replace('<script src="assets/app.js"></script>', '<script src="data.js"></script>\n<script src="assets/app.js"></script>'));
    return { dir: out, runs: rows.length, samples };
  } finally {
    hub.stop();
  }
}
