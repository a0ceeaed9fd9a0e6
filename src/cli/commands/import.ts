import type { Argv } from 'yargs';
import { importGoodai } from '../../goodai-import/import.js';
import { ConfigError } from '../../errors.js';

const USAGE = 'referee import goodai <dir> [--runs-dir runs]';

export function importBuilder(y: Argv): Argv {
  return y
    .positional('format', { type: 'string', describe: "goodai: GoodAI's published results (a data/tests/<benchmark> folder)" })
    .positional('dir', { type: 'string', describe: 'The folder to import' })
    .options({ 'runs-dir': { type: 'string', default: 'runs', describe: 'Where to write one run directory per agent' } })
    .example('$0 import goodai "goodai-ltm-benchmark/data/tests/Benchmark 3 - 32k"', "GoodAI's published agents, beside your runs in runs/");
}

/** `referee import goodai DIR`: each agent of GoodAI's published results as a finished run, one line each. */
export async function importCommand(argv: Record<string, unknown>): Promise<number> {
  const dir = argv['dir'] as string | undefined;
  if (argv['format'] === undefined) throw new ConfigError('CONFIG_INVALID', `command line: import needs a format and a folder: ${USAGE}`);
  if (argv['format'] !== 'goodai') throw new ConfigError('CONFIG_INVALID', `command line: import: unknown format "${String(argv['format'])}" (the one format is goodai): ${USAGE}`);
  if (dir === undefined) throw new ConfigError('CONFIG_INVALID', `command line: import goodai needs a folder: ${USAGE}`);
  const started = Date.now();
  const s = await importGoodai(dir, String(argv['runs-dir']));
  for (const a of s.agents) {
    const what = a.outcome === 'skipped' ? 'skipped (already imported)' : 'imported';
    const rescored = a.rescored ? `, Referee re-scored ${a.rescored} tests, ${a.disagreements.length} disagree${a.disagreements.length ? `: ${a.disagreements.join(', ')}` : ''}` : '';
    process.stdout.write(`${what} ${a.run_id}: ${a.agent} ${round(a.score)}/${round(a.max_score)} over ${a.tests} tests${rescored}\n`);
  }
  const done = s.agents.filter((a) => a.outcome === 'imported').length;
  const disagree = s.agents.reduce((n, a) => n + (a.outcome === 'imported' ? a.disagreements.length : 0), 0);
  process.stdout.write(
    `${s.benchmark}: ${done} agents imported, ${s.agents.length - done} already there, ${disagree} tests where Referee's score disagrees with GoodAI's, into ${s.runs_dir} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return 0;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
