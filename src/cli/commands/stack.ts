import type { Argv } from 'yargs';
import { PORT_ENV, stackLayout, type StackPorts } from '../../stack/config.js';
import { buildStack } from '../../stack/build.js';
import { StackError } from '../../errors.js';
import { otlpEndpoint, stackDown, stackStatus, stackUp, type ServiceStatus } from '../../stack/services.js';

function table(rows: ServiceStatus[]): string {
  return rows
    .map((s) => `${s.name.padEnd(10)} ${s.running ? `pid ${String(s.pid).padEnd(7)}` : 'stopped    '} ${s.healthy ? 'healthy  ' : s.running ? 'unhealthy' : '         '} ${s.url}`)
    .join('\n');
}

const PORT_FLAGS: Record<keyof StackPorts, string> = {
  otlpHttp: 'otlp-http-port',
  otlpGrpc: 'otlp-grpc-port',
  prometheus: 'prometheus-port',
  phoenix: 'phoenix-port',
  phoenixGrpc: 'phoenix-grpc-port',
};

/** issue 16: every stack port is a flag (over its REFEREE_*_PORT variable, over the default). */
export function stackPortOptions<T>(y: Argv<T>): Argv<T> {
  for (const [key, flag] of Object.entries(PORT_FLAGS) as [keyof StackPorts, string][]) {
    y = y.option(flag, { type: 'number', describe: `port (default $${PORT_ENV[key]} or the compose port)` }) as Argv<T>;
  }
  return y;
}

export function stackPortsFromArgv(argv: Record<string, unknown>): Partial<StackPorts> {
  const out: Partial<StackPorts> = {};
  for (const [key, flag] of Object.entries(PORT_FLAGS) as [keyof StackPorts, string][]) {
    const v = argv[flag];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) throw new StackError('STACK_UNAVAILABLE', `command line: --${flag}: "${String(v)}" is not a port (1-65535)`, { exitCode: 2 });
    out[key] = v;
  }
  return out;
}

/** `referee stack build|up|down|status`: the collector, Phoenix and Prometheus on 127.0.0.1. */
export async function stackCommand(action: string, ports: Partial<StackPorts> = {}): Promise<number> {
  const l = stackLayout({ ports });
  switch (action) {
    case 'build': {
      const r = await buildStack(l);
      process.stdout.write(`collector ${r.collectorBuilt ? 'built' : 'cached'}: ${l.collectorBinary}\nphoenix ${r.phoenixInstalled ? 'installed' : 'cached'}: ${l.phoenixVenv}\nprometheus: ${r.prometheus}\n`);
      return 0;
    }
    case 'up': {
      const rows = await stackUp(l);
      process.stdout.write(`${table(rows)}\n\nexport OTEL_EXPORTER_OTLP_ENDPOINT=${otlpEndpoint(l)}\n`);
      return 0;
    }
    case 'down': {
      const stopped = await stackDown(l);
      process.stdout.write(stopped.length ? `stopped: ${stopped.join(', ')}\n` : 'nothing was running\n');
      return 0;
    }
    default: {
      const rows = await stackStatus(l);
      process.stdout.write(`${table(rows)}\n`);
      return rows.every((r) => r.healthy) ? 0 : 3;
    }
  }
}
