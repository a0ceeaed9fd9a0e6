import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { reportError, usageErrorLine } from './errors.js';
import type { CompareArgs } from './commands/compare.js';
import { boundHeapGrowth } from '../heap-growth.js';
import { EXIT, formatExitCodeTable } from '../exit-codes.js';

const COMMANDS = new Set(['run', 'monitor', 'view', 'runs', 'merge', 'launch', 'validate', 'compare', 'sim', 'export', 'import', 'replay', 'stack', 'completion']);
const args = hideBin(process.argv);
/**
 * Start-up: only the named command's module is loaded (a run never loads the monitor's, the
 * viewer's or the launchers' code), the command being the first word that names one. A module
 * whose builder declares the command's options is loaded before parsing; the other commands'
 * bodies are imported by their handlers.
 */
const chosen = args.find((a) => COMMANDS.has(a));
const helpAsked = args.some((a) => a === '--help' || a.startsWith('--help='));
const load = <T>(name: string, importer: () => Promise<T>): Promise<T | undefined> => (chosen === name ? importer() : Promise.resolve(undefined));
const [run, monitor, view, runs, merge, launch, compare, exportCmd, importCmd, stack] = await Promise.all([
  load('run', () => import('./commands/run.js')),
  load('monitor', () => import('./commands/monitor.js')),
  load('view', () => import('./commands/view.js')),
  load('runs', () => import('./commands/runs.js')),
  load('merge', () => import('./commands/merge.js')),
  load('launch', () => import('./commands/launch.js')),
  load('compare', () => import('./commands/compare.js')),
  load('export', () => import('./commands/export.js')),
  load('import', () => import('./commands/import.js')),
  load('stack', () => import('./commands/stack.js')),
]);

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

const cli = yargs(args);
/**
 * Start-up: once a command's handler starts, yargs renders that command's whole help (cliui
 * measuring every option's width) and keeps it for a help screen shown when the handler fails.
 * This CLI never shows one then (.fail below prints one line), and the rendering was ~50 ms of a
 * 20-task run. `--help` itself does not go through this cache.
 */
const usage = (cli as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.().getUsageInstance?.();
if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;

await cli
  .scriptName('referee')
  .usage('$0 <command> [options]')
  .command('run', 'Run a benchmark against an agent', (y) => run?.runBuilder(y) ?? y, (argv) => exec(() => run!.runCommand(argv)))
  .command('monitor', 'Serve the live monitor (REST, SSE and a page) over run directories', (y) => monitor?.monitorBuilder(y) ?? y, (argv) =>
    exec(() => monitor!.monitorCommand(argv)),
  )
  .command('view [runs..]', 'Browse finished and live runs: run list, samples, compare, CSV/JSON export (the monitor at /view); --bundle writes a static copy', (y) => view?.viewBuilder(y) ?? y, (argv) =>
    exec(() => view!.viewCommand(argv)),
  )
  .command('runs', 'List the runs in a runs directory: kind, agent, status, score, turns, start and duration', (y) => runs?.runsBuilder(y) ?? y, (argv) =>
    exec(() => runs!.runsCommand(argv)),
  )
  .command('merge [shards..]', 'Write the run (or suite) a single process would have, from the shards of run --shard i/N', (y) => merge?.mergeBuilder(y) ?? y, (argv) =>
    exec(() => merge!.mergeCommand(argv)),
  )
  .command('launch [platform] [suite]', "Write (and submit) a suite's shards and their merge for a cluster: launch slurm|k8s SUITE --shards N", (y) => launch?.launchBuilder(y) ?? y, (argv) =>
    exec(() => launch!.launchCommand(argv)),
  )
  .command(
    'validate <files..>',
    'Check agent, dataset and suite configs and task files without running',
    (y) =>
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'Agent, dataset or suite YAMLs and task files (.jsonl, .csv)' })
        .example('$0 validate configs/agents/memory.yaml configs/datasets/default.yaml', 'check an agent and a dataset config')
        .example('$0 validate configs/suites/judged.yaml', 'check a suite with the task files, agents and judge it names'),
    (argv) => exec(async () => (await import('./commands/validate.js')).validateCommand(argv.files as string[])),
  )
  .command('compare [runs..]', 'Compare two finished runs: comparison_report.html, exit 3 on a --baseline regression', (y) => compare?.compareBuilder(y) ?? y, (argv) =>
    exec(() => compare!.compareCommand(argv as unknown as CompareArgs)),
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
    (argv) => exec(async () => (await import('./commands/sim.js')).simCommand(argv)),
  )
  // issue 12: a run in GoodAI's layout, for GoodAI's own reporting and evaluate.py
  .command('export [format] [run-dir] [out-dir]', "Write a run in another tool's layout: export goodai <run-dir> <out-dir>", (y) => exportCmd?.exportBuilder(y) ?? y, (argv) =>
    exec(() => exportCmd!.exportCommand(argv)),
  )
  .command('import [format] [dir]', "Read another tool's published results as runs: import goodai <data/tests/benchmark folder>", (y) => importCmd?.importBuilder(y) ?? y, (argv) =>
    exec(() => importCmd!.importCommand(argv)),
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
    (argv) => exec(async () => (await import('./commands/replay.js')).replayCommand(argv['run-dir'] as string, argv.endpoint)),
  )
  .command(
    'stack <action>',
    'Build, start, stop or check the collector, Phoenix and Prometheus on 127.0.0.1',
    (y) =>
      (stack?.stackPortOptions ?? ((a) => a))(
        y
          .positional('action', {
            choices: ['build', 'up', 'down', 'status'] as const,
            demandOption: true,
            describe: 'build: fetch and build the native binaries; up: start them; down: stop them; status: which are running',
          })
          .example('$0 stack up', 'start the collector (4318), Phoenix (6006) and Prometheus (9090)'),
      ),
    (argv) => exec(() => stack!.stackCommand(argv.action as string, stack!.stackPortsFromArgv(argv))),
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
    process.stderr.write(`${usageErrorLine(err ? err.message : msg, args)}\n`);
    process.exit(EXIT.usage);
  })
  .help()
  // Examples are long command lines: up to 120 columns, or the terminal's width. Once a command's
  // handler starts, yargs renders the whole help text, for a help this CLI never shows then (.fail
  // prints one line); unwrapped, that rendering is a fraction of a run's start-up it was.
  .wrap(helpAsked ? Math.min(120, process.stdout.columns ?? 120) : null)
  .parseAsync();
