import { basename, dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { writeJsonAtomic } from '../../artifacts/run-dir-writer.js';
import { readRunDir } from '../../artifacts/run-dir-reader.js';
import { ConfigError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { compareRunContents } from '../../match/compare.js';
import { writeComparisonReport } from '../../report/write.js';

export function compareBuilder(y: Argv): Argv {
  return y
    .positional('runs', { type: 'string', array: true, describe: 'Run directories: champion (A) then challenger (B); one with --baseline' })
    .options({
      baseline: { type: 'string', describe: 'Baseline run directory (A); exit 3 when the other run is significantly worse' },
      out: { type: 'string', describe: 'Where to write the HTML report (default: <output dir of B>/comparison_report-<A>-vs-<B>.html)' },
      json: { type: 'string', describe: 'Also write the MatchResult (match.json) here' },
      'allow-different-datasets': { type: 'boolean', default: false, describe: 'Compare runs on different datasets (tests paired by id)' },
      seed: { type: 'number', default: 0, describe: 'Seed of the permutation test (used past 16 tests)' },
    })
    .example('$0 compare runs/a runs/b', 'compare two finished runs')
    .example('$0 compare --baseline runs/main runs/pr', 'fail (exit 3) on a significant regression');
}

export interface CompareArgs {
  runs?: string[];
  baseline?: string;
  out?: string;
  json?: string;
  'allow-different-datasets': boolean;
  seed: number;
}

/**
 * `referee compare A B` / `referee compare --baseline A B`: the comparison
 * report for two finished runs. With --baseline, a significant regression of
 * B against A exits 3 (a significant improvement or no difference exits 0).
 */
export function compareCommand(args: CompareArgs): number {
  const runs = args.runs ?? [];
  const [aDir, bDir] = args.baseline ? [args.baseline, runs[0]] : [runs[0], runs[1]];
  const expected = args.baseline ? 1 : 2;
  if (!aDir || !bDir || runs.length !== expected) {
    throw new ConfigError('CONFIG_INVALID', `command line: compare needs ${args.baseline ? 'one run directory besides --baseline' : 'two run directories'}, got ${runs.length}`);
  }
  const a = readRunDir(resolve(aDir));
  const b = readRunDir(resolve(bDir));
  const match = compareRunContents(a, b, { allowDifferentDatasets: args['allow-different-datasets'], seed: args.seed });
  const out = writeComparisonReport(args.out !== undefined ? resolve(args.out) : defaultReportPath(aDir, bDir), match, a, b);
  if (args.json) writeJsonAtomic(resolve(args.json), match);
  const c = match.comparison;
  for (const p of match.problems) process.stderr.write(`[referee] ${p}\n`);
  process.stderr.write(
    `[referee] ${match.champion.agent_name} ${round(match.champion.total_score)}/${round(match.champion.max_score)} vs ${match.challenger.agent_name} ${round(match.challenger.total_score)}/${round(match.challenger.max_score)}: ${c.verdict}\n`,
  );
  process.stdout.write(`${out}\n`);
  if (args.baseline && c.significant && c.leader === 'champion') {
    process.stderr.write(`[referee] regression: ${match.challenger.run_id} is significantly worse than the baseline ${match.champion.run_id}\n`);
    return EXIT.regression;
  }
  return 0;
}

/**
 * issue 17: without --out the report goes under the output dir the runs live in
 * (the challenger's), named for the pair, never into the current directory.
 */
export function defaultReportPath(aDir: string, bDir: string): string {
  const b = resolve(bDir);
  return join(dirname(b), `comparison_report-${basename(resolve(aDir))}-vs-${basename(b)}.html`);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
