import { stackLayout } from '../../stack/config.js';
import { buildStack } from '../../stack/build.js';
import { otlpEndpoint, stackDown, stackStatus, stackUp, type ServiceStatus } from '../../stack/services.js';

function table(rows: ServiceStatus[]): string {
  return rows
    .map((s) => `${s.name.padEnd(10)} ${s.running ? `pid ${String(s.pid).padEnd(7)}` : 'stopped    '} ${s.healthy ? 'healthy  ' : s.running ? 'unhealthy' : '         '} ${s.url}`)
    .join('\n');
}

/** `referee stack build|up|down|status`: the collector, Phoenix and Prometheus on 127.0.0.1. */
export async function stackCommand(action: string): Promise<number> {
  const l = stackLayout();
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
