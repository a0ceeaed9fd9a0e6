import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { StackError } from '../errors.js';
import { buildStack } from './build.js';
import type { StackLayout } from './config.js';

export type ServiceName = 'phoenix' | 'prometheus' | 'collector';
/** Started in this order (back ends before the collector that feeds them), stopped in reverse. */
export const SERVICES: readonly ServiceName[] = ['phoenix', 'prometheus', 'collector'];

export interface ServiceStatus {
  name: ServiceName;
  pid: number | null;
  running: boolean;
  healthy: boolean;
  url: string;
  log: string;
}

interface ServiceSpec {
  name: ServiceName;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  url: string;
  health: () => Promise<boolean>;
  /** First start of Phoenix migrates its database: allow for it. */
  startTimeoutMs: number;
}

/** The collector's OTLP/HTTP endpoint: what `OTEL_EXPORTER_OTLP_ENDPOINT` should be. */
export function otlpEndpoint(l: StackLayout): string {
  return `http://127.0.0.1:${l.ports.otlpHttp}`;
}
export function phoenixUrl(l: StackLayout): string {
  return `http://127.0.0.1:${l.ports.phoenix}`;
}
export function prometheusUrl(l: StackLayout): string {
  return `http://127.0.0.1:${l.ports.prometheus}`;
}

async function httpOk(url: string, accept: (status: number) => boolean = (s) => s >= 200 && s < 300): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer().catch(() => undefined);
    return accept(res.status);
  } catch {
    return false;
  }
}

/**
 * Prometheus config for the native stack. Nothing is scraped: the collector
 * pushes with remote write (issue 16), and samples as old as the window may
 * arrive out of order, so a replayed run lands at its original timestamps.
 */
export function prometheusConfig(): string {
  return [
    'global:',
    '  evaluation_interval: 2s',
    'storage:',
    '  tsdb:',
    `    out_of_order_time_window: ${OUT_OF_ORDER_WINDOW}`,
    '',
  ].join('\n');
}

/** How far back a replayed (or late) sample may be; Prometheus refuses older ones. */
export const OUT_OF_ORDER_WINDOW = '30d';

function specs(l: StackLayout, prometheusBin: string): ServiceSpec[] {
  const p = l.ports;
  return [
    {
      name: 'phoenix',
      command: join(l.phoenixVenv, 'bin', 'phoenix'),
      args: ['serve'],
      env: {
        ...l.env,
        PHOENIX_HOST: '127.0.0.1',
        PHOENIX_PORT: String(p.phoenix),
        // Phoenix's gRPC receiver defaults to 4317, the collector's port.
        PHOENIX_GRPC_PORT: String(p.phoenixGrpc),
        PHOENIX_WORKING_DIR: l.phoenixData,
        PHOENIX_TELEMETRY_ENABLED: 'false',
        DO_NOT_TRACK: '1',
      },
      url: phoenixUrl(l),
      health: () => httpOk(`${phoenixUrl(l)}/healthz`),
      startTimeoutMs: 180_000,
    },
    {
      name: 'prometheus',
      command: prometheusBin,
      args: [
        `--config.file=${l.prometheusConfig}`,
        `--storage.tsdb.path=${l.prometheusData}`,
        `--web.listen-address=127.0.0.1:${p.prometheus}`,
        // The collector's prometheus_remote_write exporter pushes here (/api/v1/write).
        '--web.enable-remote-write-receiver',
      ],
      env: l.env,
      url: prometheusUrl(l),
      health: () => httpOk(`${prometheusUrl(l)}/-/ready`),
      startTimeoutMs: 60_000,
    },
    {
      name: 'collector',
      command: l.collectorBinary,
      args: ['--config', l.collectorConfig],
      env: {
        ...l.env,
        REFEREE_OTLP_GRPC_ENDPOINT: `127.0.0.1:${p.otlpGrpc}`,
        REFEREE_OTLP_HTTP_ENDPOINT: `127.0.0.1:${p.otlpHttp}`,
        REFEREE_PHOENIX_ENDPOINT: phoenixUrl(l),
        REFEREE_PROM_REMOTE_WRITE_URL: `${prometheusUrl(l)}/api/v1/write`,
        REFEREE_COLLECTOR_FILE: l.collectorFile,
      },
      url: otlpEndpoint(l),
      // Both ends up: the exporter's scrape page and the OTLP receiver (405 to a GET).
      // Any HTTP answer from the OTLP receiver (a GET is 405) means it is up.
      health: () => httpOk(`${otlpEndpoint(l)}/v1/traces`, (s) => s > 0),
      startTimeoutMs: 30_000,
    },
  ];
}

const pidFile = (l: StackLayout, name: ServiceName): string => join(l.runDir, `${name}.pid`);
const logFile = (l: StackLayout, name: ServiceName): string => join(l.logDir, `${name}.log`);

function readPid(l: StackLayout, name: ServiceName): number | null {
  try {
    const pid = Number(readFileSync(pidFile(l, name), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function statusOf(l: StackLayout, spec: Pick<ServiceSpec, 'name' | 'url' | 'health'>): Promise<ServiceStatus> {
  const pid = readPid(l, spec.name);
  const running = pid !== null && alive(pid);
  return { name: spec.name, pid: running ? pid : null, running, healthy: running && (await spec.health()), url: spec.url, log: logFile(l, spec.name) };
}

/** What is running now, from the PID files and each service's health check. */
export async function stackStatus(l: StackLayout): Promise<ServiceStatus[]> {
  const all = specs(l, 'prometheus');
  return Promise.all(all.map((s) => statusOf(l, s)));
}

/**
 * Builds what is missing, then starts each service that is not already
 * running and healthy, detached, with its PID recorded under .cache/stack/.
 * Idempotent: a second call with everything up only checks health.
 */
export async function stackUp(l: StackLayout): Promise<ServiceStatus[]> {
  const built = await buildStack(l);
  mkdirSync(l.logDir, { recursive: true });
  mkdirSync(l.phoenixData, { recursive: true });
  mkdirSync(l.prometheusData, { recursive: true });
  writeFileSync(l.prometheusConfig, prometheusConfig());
  const result: ServiceStatus[] = [];
  for (const spec of specs(l, built.prometheus)) {
    const now = await statusOf(l, spec);
    if (now.running && now.healthy) {
      result.push(now);
      continue;
    }
    if (now.running && now.pid !== null) await stopPid(now.pid);
    // A port held by something else would make the service fail in a confusing way.
    if (await spec.health()) throw new StackError('STACK_UNAVAILABLE', `${spec.name}: ${spec.url} already answers but was not started by referee stack; stop it first`);
    const fd = openSync(logFile(l, spec.name), 'a');
    const child = spawn(spec.command, spec.args, { cwd: l.runDir, env: spec.env, detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    child.unref();
    if (child.pid === undefined) throw new StackError('STACK_UNAVAILABLE', `${spec.name}: could not start ${spec.command}: ${(await spawnError).message}`);
    writeFileSync(pidFile(l, spec.name), `${child.pid}\n`);
    l.log(`${spec.name} started (pid ${child.pid}), waiting for ${spec.url}`);
    const deadline = Date.now() + spec.startTimeoutMs;
    for (;;) {
      if (await spec.health()) break;
      if (!alive(child.pid) || Date.now() > deadline) {
        const tail = existsSync(logFile(l, spec.name)) ? readFileSync(logFile(l, spec.name), 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
        throw new StackError('STACK_UNAVAILABLE', `${spec.name} did not become healthy at ${spec.url}; see ${logFile(l, spec.name)}: ${tail}`);
      }
      await sleep(250);
    }
    result.push(await statusOf(l, spec));
  }
  return result;
}

/** Stops a process group started detached (Phoenix may have children), politely first. */
async function stopPid(pid: number, graceMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) signal('SIGKILL');
}

/** Stops the services this stack started (by their recorded PIDs only), collector first. */
export async function stackDown(l: StackLayout, only: readonly ServiceName[] = SERVICES): Promise<ServiceName[]> {
  const stopped: ServiceName[] = [];
  for (const name of [...SERVICES].reverse()) {
    if (!only.includes(name)) continue;
    const pid = readPid(l, name);
    if (pid !== null && alive(pid)) {
      await stopPid(pid);
      stopped.push(name);
    }
    rmSync(pidFile(l, name), { force: true });
  }
  return stopped;
}
