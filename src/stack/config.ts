import { homedir } from 'node:os';
import { join } from 'node:path';
import { StackError } from '../errors.js';
import { packagePath } from '../package-path.js';

/** Loopback ports of the native stack; the defaults are the docker-compose ones. */
export interface StackPorts {
  /** Collector OTLP/HTTP receiver. @default 4318 */
  otlpHttp: number;
  /** Collector OTLP/gRPC receiver. @default 4317 */
  otlpGrpc: number;
  /** Prometheus web UI and HTTP API. @default 9090 */
  prometheus: number;
  /** Phoenix UI, REST API and OTLP/HTTP trace receiver. @default 6006 */
  phoenix: number;
  /** Phoenix's own OTLP/gRPC receiver, moved off 4317 so it does not clash with the collector's. @default 4320 */
  phoenixGrpc: number;
}

/** issue 16: each port can be moved, by `referee stack up --<name>-port` or these variables. */
export const PORT_ENV: Record<keyof StackPorts, string> = {
  otlpHttp: 'REFEREE_OTLP_HTTP_PORT',
  otlpGrpc: 'REFEREE_OTLP_GRPC_PORT',
  prometheus: 'REFEREE_PROMETHEUS_PORT',
  phoenix: 'REFEREE_PHOENIX_PORT',
  phoenixGrpc: 'REFEREE_PHOENIX_GRPC_PORT',
};

/** Ports from the environment; a value that is not a port is a one-line StackError naming the variable. */
export function portsFromEnv(env: NodeJS.ProcessEnv): Partial<StackPorts> {
  const out: Partial<StackPorts> = {};
  for (const [key, name] of Object.entries(PORT_ENV) as [keyof StackPorts, string][]) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new StackError('STACK_UNAVAILABLE', `${name}: "${raw}" is not a port (1-65535)`, { exitCode: 2 });
    out[key] = port;
  }
  return out;
}

export const DEFAULT_PORTS: StackPorts = {
  otlpHttp: 4318,
  otlpGrpc: 4317,
  prometheus: 9090,
  phoenix: 6006,
  phoenixGrpc: 4320,
};

/** Pinned so a cached virtualenv is reused only for the version it was built for. */
export const PHOENIX_VERSION = '20.26.1';

export interface StackOptions {
  /** Repository (package) root holding otel-collector/ and dashboards/. @default the package root */
  root?: string;
  /**
   * Where the built collector and Phoenix's virtualenv live. Outside the checkout by
   * default so a fresh clone (CI) reuses them. @default `$REFEREE_CACHE_DIR` or `~/.cache/referee`
   */
  cacheDir?: string;
  ports?: Partial<StackPorts>;
  /** Progress lines ("building the collector ..."). @default writes to stderr */
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface StackLayout {
  root: string;
  cache: string;
  ports: StackPorts;
  manifest: string;
  collectorConfig: string;
  /** ocb output folder (generated sources). */
  collectorBuildDir: string;
  collectorBinary: string;
  /** sha256 of the manifest the cached binary was built from. */
  collectorStamp: string;
  goBin: string;
  phoenixVenv: string;
  phoenixStamp: string;
  phoenixData: string;
  prometheusConfig: string;
  prometheusData: string;
  collectorFile: string;
  runDir: string;
  logDir: string;
  log: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export function stackLayout(options: StackOptions = {}): StackLayout {
  const root = options.root ?? packagePath('.');
  const env = options.env ?? process.env;
  const cache = options.cacheDir ?? env.REFEREE_CACHE_DIR ?? join(homedir(), '.cache', 'referee');
  // Data, logs and PIDs belong to this checkout.
  const run = join(root, '.cache', 'stack');
  return {
    root,
    cache,
    ports: { ...DEFAULT_PORTS, ...portsFromEnv(env), ...options.ports },
    manifest: join(root, 'otel-collector', 'builder-config.yaml'),
    collectorConfig: join(root, 'otel-collector', 'config.yaml'),
    collectorBuildDir: join(cache, 'otelcol', 'build'),
    collectorBinary: join(cache, 'otelcol', 'referee-otelcol'),
    collectorStamp: join(cache, 'otelcol', 'manifest.sha256'),
    goBin: join(cache, 'otelcol', 'bin'),
    phoenixVenv: join(cache, 'phoenix-venv'),
    phoenixStamp: join(cache, 'phoenix-venv', `.referee-arize-phoenix-${PHOENIX_VERSION}`),
    phoenixData: join(run, 'phoenix'),
    prometheusConfig: join(run, 'prometheus.yml'),
    prometheusData: join(run, 'prometheus-data'),
    collectorFile: join(run, 'collector-export.jsonl'),
    runDir: run,
    logDir: join(run, 'logs'),
    log: options.log ?? ((line) => process.stderr.write(`[stack] ${line}\n`)),
    env: options.env ?? process.env,
  };
}
