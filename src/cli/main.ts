#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { reportError } from './errors.js';
import { monitorBuilder, monitorCommand } from './commands/monitor.js';
import { runBuilder, runCommand } from './commands/run.js';
import { simCommand } from './commands/sim.js';
import { compareBuilder, compareCommand, type CompareArgs } from './commands/compare.js';
import { validateCommand } from './commands/validate.js';
import { replayCommand } from './commands/replay.js';
import { stackCommand, stackPortOptions, stackPortsFromArgv } from './commands/stack.js';
import { exportGoodaiCommand } from './commands/export.js';

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
  .command('monitor', 'Serve the live monitor (REST, SSE and a page) over run directories', monitorBuilder, (argv) =>
    exec(() => monitorCommand(argv)),
  )
  .command(
    'validate <files..>',
    'Check agent, dataset and suite configs and task files without running',
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
  // issue 12: a run in GoodAI's layout, for GoodAI's own reporting and evaluate.py
  .command(
    'export goodai <run-dir> <out-dir>',
    "Write a run in GoodAI's layout: <out-dir>/<run_name>/{definitions, results/<agent>}",
    (y) => y.positional('run-dir', { type: 'string', demandOption: true }).positional('out-dir', { type: 'string', demandOption: true }),
    (argv) => exec(() => exportGoodaiCommand(argv['run-dir'] as string, argv['out-dir'] as string)),
  )
  // issue 3: telemetry replay and the native collector/Phoenix/Prometheus stack
  .command(
    'replay <run-dir>',
    "Re-send a run's spans.jsonl and metrics.jsonl over OTLP/HTTP (original ids and timestamps)",
    (y) =>
      y
        .positional('run-dir', { type: 'string', demandOption: true })
        .option('endpoint', { type: 'string', describe: 'OTLP/HTTP base URL (default OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / _METRICS_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT, else http://127.0.0.1:4318)' }),
    (argv) => exec(() => replayCommand(argv['run-dir'] as string, argv.endpoint)),
  )
  .command(
    'stack <action>',
    'Build, start, stop or check the collector, Phoenix and Prometheus on 127.0.0.1',
    (y) => stackPortOptions(y.positional('action', { choices: ['build', 'up', 'down', 'status'] as const, demandOption: true })),
    (argv) => exec(() => stackCommand(argv.action as string, stackPortsFromArgv(argv))),
  )
  .demandCommand(1, 'Name a command: run, compare, monitor, validate, sim, replay, stack')
  .strict()
  .fail((msg, err) => {
    process.stderr.write(`referee: ${err ? err.message : msg}\n`);
    process.exit(2);
  })
  .help()
  .parseAsync();
