/**
 * The LTM suites of a runs directory, for the viewer's suite route: each `ltm-suite-<run-id>.json`
 * at its top (a shard's own summary aside: `referee merge` writes the whole), read as written.
 * A cell's text is the terminal's and the HTML report's (ci.ts formatMeanCi); each cell links to
 * the runs it averages. Nothing is computed again here.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatMeanCi } from '../ltm-suite/ci.js';
import { LtmSuiteSummarySchema, type LtmSuiteSummary } from '../ltm-suite/schema.js';
import type { MonitorHub } from './hub.js';
import type { LtmMatrix } from './run-views.js';
import { readRegularFileSync } from './safe-read.js';

const SUMMARY = /^(ltm-suite-.+)\.json$/;
/** A summary past this is not a suite's: 10,000 runs take about 3 MB. */
const MAX_BYTES = 32 * 1024 * 1024;

/** The LTM suites' names (the summary's file name without `.json`), sorted. */
export function ltmSuiteNames(hub: MonitorHub): string[] {
  let names: string[];
  try {
    names = readdirSync(hub.runsDir);
  } catch {
    return [];
  }
  return names
    .map((f) => SUMMARY.exec(f)?.[1])
    .filter((n): n is string => n !== undefined && !n.includes('.shard-'))
    .sort();
}

function readSummary(hub: MonitorHub, name: string): LtmSuiteSummary | undefined {
  if (!ltmSuiteNames(hub).includes(name)) return undefined;
  const text = readRegularFileSync(join(hub.runsDir, `${name}.json`), MAX_BYTES, hub.runsDir);
  if (text === undefined) return undefined;
  try {
    const parsed = LtmSuiteSummarySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The suite `name`'s matrix: agents down, dataset configs and `all` across, or undefined when there is none. */
export function ltmSuiteMatrix(hub: MonitorHub, name: string, suites: string[]): LtmMatrix | undefined {
  const s = readSummary(hub, name);
  if (!s) return undefined;
  // A run the hub tracks opens by its key (`<group>/<run>` under a match directory); otherwise by its id.
  const key = (runId: string): string => hub.find(runId)?.key ?? runId;
  const cells = s.cells.map((c) => ({
    ...c,
    text: formatMeanCi(c),
    runs: s.runs
      .filter((r) => r.agent === c.agent && (c.dataset === 'all' || r.dataset === c.dataset))
      .map((r) => ({ run: key(r.run_id), seed: r.seed, dataset: r.dataset, status: r.status })),
  }));
  return { kind: 'ltm', suites, suite: name, title: `${s.suite} (run ${s.run_id})`, agents: s.agents, datasets: [...s.datasets, 'all'], seeds: s.seeds, cells };
}
