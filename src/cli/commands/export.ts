import type { Argv } from 'yargs';
import { exportGoodai, UNSCORED_DIR } from '../../artifacts/goodai-export.js';
import { ConfigError } from '../../errors.js';

const USAGE = 'referee export goodai <run-dir> <out-dir>';

/**
 * issue 21: the positionals are optional to yargs, so that a missing one is our
 * one-line error with the usage, not yargs' "Not enough non-option arguments".
 */
export function exportBuilder(y: Argv): Argv {
  return y
    .positional('format', { type: 'string', describe: "goodai: GoodAI's layout, for its reporting and evaluate.py" })
    .positional('run-dir', { type: 'string', describe: 'A finished run directory' })
    .positional('out-dir', { type: 'string', describe: 'Where to write <run_name>/{definitions, results/<agent>}' })
    .example('$0 export goodai runs/my-run goodai-out', "runs/my-run in GoodAI's layout under goodai-out/");
}

/** `referee export goodai <run-dir> <out-dir>` (issue 12): the run in GoodAI's layout. */
export function exportCommand(argv: Record<string, unknown>): number {
  const runDir = argv['run-dir'] as string | undefined;
  const outDir = argv['out-dir'] as string | undefined;
  if (argv.format === undefined) throw new ConfigError('CONFIG_INVALID', `command line: export needs a format, a run directory and an output directory: ${USAGE}`);
  if (argv.format !== 'goodai') throw new ConfigError('CONFIG_INVALID', `command line: export: unknown format "${String(argv.format)}" (the one format is goodai): ${USAGE}`);
  if (runDir === undefined || outDir === undefined) throw new ConfigError('CONFIG_INVALID', `command line: export goodai needs a run directory and an output directory: ${USAGE}`);
  const r = exportGoodai(runDir, outDir);
  process.stdout.write(`wrote ${r.definitions} definitions and ${r.results} results of agent ${r.agent} to ${r.dir} (GoodAI's layout)\n`);
  // issue 22: the export keeps GoodAI's shapes; which 0s are not answers is in a note beside them.
  if (r.note && (r.errored.length > 0 || r.judgeErrors.length > 0)) process.stdout.write(`${r.errored.length} tests not answered (a scored call failed) and ${r.judgeErrors.length} not judged score 0 in GoodAI's files: named in ${r.note}\n`);
  // issue 25: a test left for a judge has no score; its result is kept out of results/ and named.
  if (r.note && r.unscored.length > 0) process.stdout.write(`${r.unscored.length} tests unscored (need a judge) are left out of results/ (their results are in ${UNSCORED_DIR}/): named in ${r.note}\n`);
  return 0;
}
