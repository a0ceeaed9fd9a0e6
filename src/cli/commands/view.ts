import type { Argv } from 'yargs';
import { requireRunsDir } from '../../artifacts/runs-root.js';
import { READY_WITHIN_MS, startMonitor } from '../../monitor/server.js';
import { untilInterrupted } from '../signals.js';
import { monitorOptions, parseMonitorFlags } from './monitor.js';

/** issue 21: view's own help; its flags are the monitor's (the same server). */
export function viewBuilder(y: Argv): Argv {
  return monitorOptions(y)
    .example('$0 view', 'browse the runs under runs/ at http://127.0.0.1:8080/view')
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
  const server = await startMonitor({
    runsDir: flags['runs-dir'],
    port: flags.port,
    host: flags.host,
    heartbeatMs: flags['heartbeat-s'] * 1000,
    ...(flags.token ? { token: flags.token } : {}),
    ...(flags['compute-hourly-usd'] !== undefined ? { computeHourlyUsd: flags['compute-hourly-usd'] } : {}),
    // issue 17: serve at once beside a 100,000-turn run; what is still being read shows as loading.
    readyWithinMs: READY_WITHIN_MS,
  });
  const hint = flags.token ? '?token=<your token>' : '';
  process.stdout.write(`view: ${server.url}view${hint} (runs under ${server.hub.runsDir}; live monitor at ${server.url})\n`);
  await untilInterrupted();
  await server.close();
  return 0;
}
