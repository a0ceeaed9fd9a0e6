#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { reportError, usageErrorLine } from './errors.js';
import { monitorBuilder, monitorCommand } from './commands/monitor.js';
import { runBuilder, runCommand } from './commands/run.js';
import { simCommand } from './commands/sim.js';
import { compareBuilder, compareCommand, type CompareArgs } from './commands/compare.js';
import { validateCommand } from './commands/validate.js';
import { replayCommand } from './commands/replay.js';
import { stackCommand, stackPortOptions, stackPortsFromArgv } from './commands/stack.js';
import { exportBuilder, exportCommand } from './commands/export.js';
import { importBuilder, importCommand } from './commands/import.js';
import { viewBuilder, viewCommand } from './commands/view.js';
import { runsBuilder, runsCommand } from './commands/runs.js';
import { mergeBuilder, mergeCommand } from './commands/merge.js';
import { launchBuilder, launchCommand } from './commands/launch.js';
import { boundHeapGrowth } from '../heap-growth.js';
import { EXIT, formatExitCodeTable } from '../exit-codes.js';

/** Runs a command body and turns its result or error into the exit code. */
async function exec(body: () => Promise<number> | number): Promise<void> {
  try {
    // Issue 13: before any work, so a day-long run's heap stays near its live size.
    boundHeapGrowth();
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
  .command('view [runs..]', 'Browse finished and live runs: run list, samples, compare, CSV/JSON export (the monitor at /view); --bundle writes a static copy', viewBuilder, (argv) =>
    exec(() => viewCommand(argv)),
  )
  .command('runs', 'List the runs in a runs directory: kind, agent, status, score, turns, start and duration', runsBuilder, (argv) =>
    exec(() => runsCommand(argv)),
  )
  .command('merge [shards..]', 'Write the run (or suite) a single process would have, from the shards of run --shard i/N', mergeBuilder, (argv) =>
    exec(() => mergeCommand(argv)),
  )
  .command('launch [platform] [suite]', "Write (and submit) a suite's shards and their merge for a cluster: launch slurm|k8s SUITE --shards N", launchBuilder, (argv) =>
    exec(() => launchCommand(argv)),
  )
  .command(
    'validate <files..>',
    'Check agent, dataset and suite configs and task files without running',
    (y) =>
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'Agent, dataset or suite YAMLs and task files (.jsonl, .csv)' })
        .example('$0 validate configs/agents/memory.yaml configs/datasets/default.yaml', 'check an agent and a dataset config')
        .example('$0 validate configs/suites/judged.yaml', 'check a suite with the task files, agents and judge it names'),
    (argv) => exec(() => validateCommand(argv.files as string[])),
  )
  .command('compare [runs..]', 'Compare two finished runs: comparison_report.html, exit 3 on a --baseline regression', compareBuilder, (argv) =>
    exec(() => compareCommand(argv as unknown as CompareArgs)),
  )
  .command(
    'sim',
    'Serve the simulated model (OpenAI-compatible) on loopback',
    (y) =>
      y
        .options({
          port: { type: 'number', default: 8000, describe: 'TCP port (0: any free port)' },
          host: { type: 'string', default: '127.0.0.1', describe: 'Interface to bind' },
          'ttft-ms': { type: 'number', default: 0, describe: 'Delay before the first streamed token, ms' },
          'tokens-per-s': { type: 'number', default: 0, describe: 'Streaming speed of the reply (0: as fast as possible)' },
          'latency-ms': { type: 'number', default: 0, describe: 'Delay after a request arrives, before anything is sent, ms' },
        })
        .example('$0 sim --port 8000 --ttft-ms 200 --tokens-per-s 40', 'a slow model at http://127.0.0.1:8000/v1 for an agent with provider: openai'),
    (argv) => exec(() => simCommand(argv)),
  )
  // issue 12: a run in GoodAI's layout, for GoodAI's own reporting and evaluate.py
  .command('export [format] [run-dir] [out-dir]', "Write a run in another tool's layout: export goodai <run-dir> <out-dir>", exportBuilder, (argv) =>
    exec(() => exportCommand(argv)),
  )
  .command('import [format] [dir]', "Read another tool's published results as runs: import goodai <data/tests/benchmark folder>", importBuilder, (argv) =>
    exec(() => importCommand(argv)),
  )
  // issue 3: telemetry replay and the native collector/Phoenix/Prometheus stack
  .command(
    'replay <run-dir>',
    "Re-send a run's spans.jsonl and metrics.jsonl over OTLP/HTTP (original ids and timestamps)",
    (y) =>
      y
        .positional('run-dir', { type: 'string', demandOption: true, describe: 'A finished or interrupted run directory' })
        .example('$0 replay runs/my-run --endpoint http://127.0.0.1:4318', 'send a run to a collector after the fact')
        .option('endpoint', { type: 'string', describe: 'OTLP/HTTP base URL (default OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / _METRICS_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT, else http://127.0.0.1:4318)' }),
    (argv) => exec(() => replayCommand(argv['run-dir'] as string, argv.endpoint)),
  )
  .command(
    'stack <action>',
    'Build, start, stop or check the collector, Phoenix and Prometheus on 127.0.0.1',
    (y) =>
      stackPortOptions(
        y
          .positional('action', {
            choices: ['build', 'up', 'down', 'status'] as const,
            demandOption: true,
            describe: 'build: fetch and build the native binaries; up: start them; down: stop them; status: which are running',
          })
          .example('$0 stack up', 'start the collector (4318), Phoenix (6006) and Prometheus (9090)'),
      ),
    (argv) => exec(() => stackCommand(argv.action as string, stackPortsFromArgv(argv))),
  )
  .example('$0 run', 'the default offline benchmark (sim model, built-in dataset)')
  .example('$0 run --agent-config configs/agents/openai.yaml --monitor', 'a real endpoint, watched live at http://127.0.0.1:8080/')
  .example('$0 run --suite configs/suites/judged.yaml', 'a task suite: agents x task files')
  .example('$0 compare runs/a runs/b', 'compare two finished runs')
  .epilogue(`Every command takes --help. Configs are checked with \`referee validate\` before a run.\n\n${formatExitCodeTable()}`)
  // issue 21: no list to keep in step with the commands above.
  .demandCommand(1, 'name a command (referee --help lists them)')
  .strict()
  // issue 21: `referee frobnicate` is an unknown command with a suggestion, exit 2.
  .strictCommands()
  .recommendCommands()
  .completion('completion', 'Print a bash or zsh completion script (for ~/.bashrc or ~/.zshrc)')
  .fail((msg, err) => {
    // One line, like every other error (yargs' own messages can span several).
    process.stderr.write(`${usageErrorLine(err ? err.message : msg, hideBin(process.argv))}\n`);
    process.exit(EXIT.usage);
  })
  .help()
  // Examples are long command lines: up to 120 columns, or the terminal's width.
  .wrap(Math.min(120, process.stdout.columns ?? 120))
  .parseAsync();
