import type { Argv } from 'yargs';
import { formatZodIssues } from '../../config/load.js';
import { MonitorFlagsSchema, MonitorTokenSchema, monitorTokenFrom, phoenixUrlFrom, type MonitorFlags } from '../../config/monitor-options.js';
import { yargsOptionsFromSchema } from '../../config/run-options.js';
import { ConfigError } from '../../errors.js';
import { requireRunsDir } from '../../artifacts/runs-root.js';
import { READY_WITHIN_MS, startMonitor } from '../../monitor/server.js';
import { untilInterrupted } from '../signals.js';

/** The server's flags, shared by `monitor` and `view` (one schema, one set of names). */
export function monitorOptions(y: Argv): Argv {
  return y.options(yargsOptionsFromSchema(MonitorFlagsSchema));
}

export function monitorBuilder(y: Argv): Argv {
  return monitorOptions(y)
    .example('$0 monitor', 'watch the runs under runs/ live at http://127.0.0.1:8080/')
    .example('$0 monitor --runs-dir runs --port 0', 'the same on any free port (the address is printed)')
    .example('$0 monitor --host 0.0.0.0 --token <token>', 'reachable from other machines, /api/* behind a bearer token');
}

export function parseMonitorFlags(argv: Record<string, unknown>): MonitorFlags {
  const picked = Object.fromEntries(
    Object.keys(MonitorFlagsSchema.shape)
      .map((k) => [k, argv[k]])
      .filter(([, v]) => v !== undefined),
  );
  const r = MonitorFlagsSchema.safeParse(picked);
  if (!r.success) throw new ConfigError('CONFIG_INVALID', formatZodIssues('command line', r.error).replace('command line: ', 'command line: --'));
  return r.data;
}

/** The token of --token, else of REFEREE_MONITOR_TOKEN (checked like the flag: a bad one is exit 2). */
export function monitorToken(flag: string | undefined): string | undefined {
  const token = monitorTokenFrom(flag, process.env);
  if (token === undefined || flag !== undefined) return token;
  const r = MonitorTokenSchema.safeParse(token);
  if (!r.success) throw new ConfigError('CONFIG_INVALID', `REFEREE_MONITOR_TOKEN: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return token;
}

/** `referee monitor`: serves the live page over the run directories until Ctrl-C. */
export async function monitorCommand(argv: Record<string, unknown>): Promise<number> {
  const flags = parseMonitorFlags(argv);
  const token = monitorToken(flags.token);
  // issue 21: a mistyped --runs-dir is an error, not an empty list.
  requireRunsDir(flags['runs-dir']);
  const server = await startMonitor({
    runsDir: flags['runs-dir'],
    port: flags.port,
    host: flags.host,
    heartbeatMs: flags['heartbeat-s'] * 1000,
    ...(token ? { token } : {}),
    ...(flags['compute-hourly-usd'] !== undefined ? { computeHourlyUsd: flags['compute-hourly-usd'] } : {}),
    ...(flags['worker-hourly-usd'] !== undefined ? { workerHourlyUsd: flags['worker-hourly-usd'] } : {}),
    ...phoenixOption(flags['phoenix-url']),
    // issue 17: serve at once beside a 100,000-turn run, as `referee view` does.
    readyWithinMs: READY_WITHIN_MS,
  });
  // The token is never printed: whoever set it knows it (the page reads it from ?token=).
  const hint = token ? ' (open it with ?token=<your token>)' : '';
  process.stdout.write(`monitor: ${server.url}${hint} (runs under ${server.hub.runsDir})\n`);
  await untilInterrupted();
  await server.close();
  return 0;
}

/** issue 21: --phoenix-url, else REFEREE_PHOENIX_URL: where the viewer links each turn's span. */
export function phoenixOption(flag: string | undefined): { phoenixUrl?: string } {
  const url = phoenixUrlFrom(flag, process.env);
  return url ? { phoenixUrl: url } : {};
}
