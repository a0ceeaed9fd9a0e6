#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { reportError } from './errors.js';
import { runBuilder, runCommand } from './commands/run.js';
import { simCommand } from './commands/sim.js';
import { compareBuilder, compareCommand, type CompareArgs } from './commands/compare.js';
import { validateCommand } from './commands/validate.js';

/** Runs a command body and turns its result or error into the exit code. */
async function exec(body: () => Promise<number> | number): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (err) {
    process.exitCode = reportError(err);
  }
}

await yargs(hideBin(process.argv))
  .scriptName('referee')
  .usage('$0 <command> [options]')
  .command('run', 'Run a benchmark against an agent', runBuilder, (argv) => exec(() => runCommand(argv)))
  .command(
    'validate <files..>',
    'Check agent or dataset configs without running',
    (y) => y.positional('files', { type: 'string', array: true, demandOption: true }),
    (argv) => exec(() => validateCommand(argv.files as string[])),
  )
  .command('compare [runs..]', 'Compare two finished runs: comparison_report.html, exit 3 on a --baseline regression', compareBuilder, (argv) =>
    exec(() => compareCommand(argv as unknown as CompareArgs)),
  )
  .command(
    'sim',
    'Serve the simulated model (OpenAI-compatible) on loopback',
    (y) =>
      y.options({
        port: { type: 'number', default: 8000 },
        host: { type: 'string', default: '127.0.0.1' },
        'ttft-ms': { type: 'number', default: 0 },
        'tokens-per-s': { type: 'number', default: 0 },
        'latency-ms': { type: 'number', default: 0 },
      }),
    (argv) => exec(() => simCommand(argv)),
  )
  .demandCommand(1, 'Name a command: run, compare, validate, sim')
  .strict()
  .fail((msg, err) => {
    process.stderr.write(`referee: ${err ? err.message : msg}\n`);
    process.exit(2);
  })
  .help()
  .parseAsync();
