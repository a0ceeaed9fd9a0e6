import type { Argv } from 'yargs';
import { MonitorFlagsSchema } from '../../config/monitor-options.js';
import { yargsOptionsFromSchema } from '../../config/run-options.js';
import { listRuns, type RunListEntry } from '../../monitor/run-list.js';
import { formatDuration } from '../progress.js';

export function runsBuilder(y: Argv): Argv {
  return y
    // The same --runs-dir (description, default, alias) as `view` and `monitor`.
    .options(yargsOptionsFromSchema(MonitorFlagsSchema.pick({ 'runs-dir': true })))
    .options({
      json: { type: 'boolean', default: false, describe: 'Print {runs_dir, runs: [...]} as JSON on stdout' },
    })
    .example('$0 runs', 'the runs under runs/, newest first')
    .example('$0 runs --runs-dir results --json', 'the same as JSON, for scripts');
}

const COLUMNS = ['RUN', 'KIND', 'AGENT', 'STATUS', 'SCORE', 'TURNS', 'STARTED (UTC)', 'DURATION'] as const;

/** `referee runs` (issue 21): the viewer's run list in the terminal. */
export async function runsCommand(argv: Record<string, unknown>): Promise<number> {
  const list = await listRuns(String(argv['runs-dir']));
  if (argv['json'] === true) {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  if (!list.runs.length) {
    // stderr: a script reading the rows reads none.
    process.stderr.write(`referee: no runs under ${list.runs_dir}\n`);
    return 0;
  }
  const rows = list.runs.map(cells);
  process.stdout.write(process.stdout.isTTY ? table(rows) : rows.map((r) => r.join('\t')).join('\n').concat('\n'));
  return 0;
}

function cells(r: RunListEntry): string[] {
  return [
    r.key,
    r.kind,
    r.agent,
    r.status,
    `${round(r.score)}/${round(r.max_score)}`,
    r.turns_total ? `${r.turns_done}/${r.turns_total}` : String(r.turns_done),
    r.started_at ? r.started_at.slice(0, 19).replace('T', ' ') : '-',
    formatDuration(r.duration_s * 1000),
  ];
}

/** At a terminal: a header and aligned columns (piped, the rows are tab-separated, for cut and awk). */
function table(rows: string[][]): string {
  const all = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n').concat('\n');
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
