import { z } from 'zod';

export const MonitorTokenSchema = z.string().min(8, 'use at least 8 characters');

/** issue 14: the token from the environment, so that `ps` does not show it; the flag wins. */
export function monitorTokenFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (flag !== undefined) return flag;
  const v = env['REFEREE_MONITOR_TOKEN'];
  return v === undefined || v === '' ? undefined : v;
}

/** issue 17: seed 002's compute line: what an hour of the machine costs (`/costs` hourly_rate_usd). */
export const ComputeHourlySchema = z
  .number()
  .min(0)
  .optional()
  .describe('USD per hour of the machine running the benchmark, for the compute line of /costs (default: no rate)');

/**
 * Options of `referee monitor`, the single source of its CLI flags (STYLE.md 5).
 */
export const MonitorFlagsSchema = z.object({
  // issue 21: the same names as `referee run`, whose old names are aliases here too.
  'runs-dir': z.string().default('runs').describe('Root holding run directories (a run, or a match folder of runs)').meta({ aliases: ['output-dir'] }),
  port: z.number().int().min(0).max(65535).default(8080).describe('TCP port (0: any free port)').meta({ aliases: ['monitor-port'] }),
  host: z.string().min(1).default('127.0.0.1').describe('Interface to bind; anything but loopback requires --token'),
  token: MonitorTokenSchema.optional().describe('Required on /api/* as "Authorization: Bearer <token>" or ?token= (default: $REFEREE_MONITOR_TOKEN, which ps does not show)'),
  'heartbeat-s': z.number().positive().default(15).describe('Seconds between SSE heartbeat comments'),
  'compute-hourly-usd': ComputeHourlySchema,
  'worker-hourly-usd': z
    .number()
    .min(0)
    .optional()
    .describe('USD per hour of one shard worker (its machine), for the worker line of /costs: each worker\'s wall time at this rate (default: no rate)'),
  // issue 21: each turn of the viewer links to its span in Phoenix (its /redirects/spans/<id> route).
  'phoenix-url': z.url().optional().describe('Phoenix UI base URL (e.g. http://127.0.0.1:6006): the viewer links each turn to its span there (default: $REFEREE_PHOENIX_URL)'),
});
export type MonitorFlags = z.infer<typeof MonitorFlagsSchema>;

/** issue 21: the Phoenix UI the viewer links turns to: the flag, else REFEREE_PHOENIX_URL, else none. */
export function phoenixUrlFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const v = flag ?? env['REFEREE_PHOENIX_URL'];
  return v === undefined || v === '' ? undefined : v.replace(/\/+$/, '');
}
