import { join } from 'node:path';
import type { Argv } from 'yargs';
import { ConfigError } from '../../errors.js';
import { writeViewerBundle } from '../../monitor/bundle.js';
import { requireRunsDir } from '../../artifacts/runs-root.js';
import { READY_WITHIN_MS, startMonitor } from '../../monitor/server.js';
import { untilInterrupted } from '../signals.js';
import { monitorOptions, parseMonitorFlags, phoenixOption } from './monitor.js';

/** issue 21: view's own help; its flags are the monitor's (the same server). */
export function viewBuilder(y: Argv): Argv {
  return monitorOptions(y)
    .positional('runs', { type: 'string', array: true, describe: 'With --bundle: the run ids (or match/run-id keys) to include (default: every run)' })
    .option('bundle', { type: 'string', describe: 'Write the viewer and the runs as a static site into this directory (opens from disk or any static host), instead of serving' })
    .example('$0 view', 'browse the runs under runs/ at http://127.0.0.1:8080/view')
    .example('$0 view --bundle site', 'a static copy of every run under runs/: open site/index.html')
    .example('$0 view --runs-dir results --port 9000', 'another runs directory, on port 9000')
    .example('$0 runs --runs-dir results', 'the same runs listed in the terminal, without a server');
}

/**
 * `referee view` (issue 17): the monitor's server over a runs directory, opened at
 * its viewer page (run list, samples, export); the live page stays at `/`.
 */
export async function viewCommand(argv: Record<string, unknown>): Promise<number> {
  const flags = parseMonitorFlags(argv);
  // issue 21: a mistyped --runs-dir is an error, not an empty list.
  requireRunsDir(flags['runs-dir']);
  const runs = (argv['runs'] as string[] | undefined) ?? [];
  if (typeof argv['bundle'] === 'string') {
    const r = await writeViewerBundle({ runsDir: flags['runs-dir'], outDir: argv['bundle'], runs, ...phoenixOption(flags['phoenix-url']) });
    process.stdout.write(`${join(r.dir, 'index.html')}\n`);
    process.stderr.write(`[referee] bundle: ${r.runs} runs, ${r.samples} samples in ${r.dir} (open index.html, or serve the folder)\n`);
    return 0;
  }
  if (runs.length) throw new ConfigError('CONFIG_INVALID', 'command line: run names pick the runs of a --bundle; without it, view serves every run');
  const server = await startMonitor({
    runsDir: flags['runs-dir'],
    port: flags.port,
    host: flags.host,
    heartbeatMs: flags['heartbeat-s'] * 1000,
    ...(flags.token ? { token: flags.token } : {}),
    ...(flags['compute-hourly-usd'] !== undefined ? { computeHourlyUsd: flags['compute-hourly-usd'] } : {}),
    ...(flags['worker-hourly-usd'] !== undefined ? { workerHourlyUsd: flags['worker-hourly-usd'] } : {}),
    ...phoenixOption(flags['phoenix-url']),
    // issue 17: serve at once beside a 100,000-turn run; what is still being read shows as loading.
    readyWithinMs: READY_WITHIN_MS,
  });
  const hint = flags.token ? '?token=<your token>' : '';
  process.stdout.write(`view: ${server.url}view${hint} (runs under ${server.hub.runsDir}; live monitor at ${server.url})\n`);
  await untilInterrupted();
  await server.close();
  return 0;
}
