import { metrics, type Attributes, type ObservableCallback, type ObservableGauge } from '@opentelemetry/api';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import si from 'systeminformation';
import type { TelemetrySample } from '../artifacts/schemas.js';
import type { ProgressSnapshot, Reporter, RunStartInfo } from '../runner/reporter.js';
import { ATTR, METER_NAME, SYSTEM_METRIC } from './names.js';
import { activeTelemetry } from './setup.js';

export type GpuSample = NonNullable<TelemetrySample['gpus']>[number];

/** The nvidia-smi query the sampler runs; parseNvidiaSmi reads its output. */
export const NVIDIA_SMI_ARGS = [
  '--query-gpu=index,name,utilization.gpu,temperature.gpu,memory.used,memory.total',
  '--format=csv,noheader,nounits',
];

/**
 * Parses `nvidia-smi --query-gpu=index,name,utilization.gpu,temperature.gpu,
 * memory.used,memory.total --format=csv,noheader,nounits`: one GPU a line,
 * memory in MiB. Fields a GPU cannot report (`[N/A]`, `[Not Supported]`) are null.
 */
export function parseNvidiaSmi(output: string): GpuSample[] {
  const gpus: GpuSample[] = [];
  for (const line of output.split('\n')) {
    if (!line.trim()) continue;
    const cols = line.split(',').map((c) => c.trim());
    if (cols.length < 6) continue;
    // A GPU name may itself contain commas: the four numbers are always last.
    const [index, ...rest] = cols;
    const numbers = rest.slice(-4);
    const name = rest.slice(0, -4).join(', ');
    const idx = Number(index);
    if (!Number.isInteger(idx)) continue;
    const num = (v: string | undefined): number | null => {
      if (v === undefined || v === '' || v.startsWith('[')) return null;
      const n = Number(v);
      return Number.isFinite(n) ? n : null;
    };
    gpus.push({ index: idx, name, util_pct: num(numbers[0]), temp_c: num(numbers[1]), mem_used_mb: num(numbers[2]), mem_total_mb: num(numbers[3]) });
  }
  return gpus;
}

function findNvidiaSmi(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'nvidia-smi'))) return join(dir, 'nvidia-smi');
  }
  return undefined;
}

/** GPUs through nvidia-smi; an empty list where there is none (or it fails). */
export function readNvidiaGpus(binary: string | undefined = findNvidiaSmi(), timeoutMs = 3000): Promise<GpuSample[]> {
  if (!binary) return Promise.resolve([]);
  return new Promise((resolve) => {
    execFile(binary, NVIDIA_SMI_ARGS, { timeout: timeoutMs }, (err, stdout) => resolve(err ? [] : parseNvidiaSmi(stdout)));
  });
}

/** CPU time of all cores since boot (ms): busy (user, nice, system, irq) and in all. */
export function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const b = times.user + times.nice + times.sys + times.irq;
    busy += b;
    total += b + times.idle;
  }
  return { busy, total };
}

/** The host's CPU utilization (%) between two readings of cpuTimes(); 0 when no time passed. */
export function cpuPercent(before: { busy: number; total: number }, after: { busy: number; total: number }): number {
  const total = after.total - before.total;
  return total > 0 ? Math.min(100, Math.max(0, ((after.busy - before.busy) / total) * 100)) : 0;
}

/** Open file descriptors of this process (Linux /proc); null where that is not readable. */
export function openFileDescriptors(): number | null {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}

export interface SystemSamplerOptions {
  /** Seconds between samples. @default 2 */
  intervalS?: number;
  /** Look for NVIDIA GPUs (nvidia-smi). @default true */
  gpu?: boolean;
  /** The `referee.agent.name` label of the gauges. @default the run's agent config name */
  agentName?: string;
}

/**
 * Samples CPU, memory, process RSS, open file descriptors, disk throughput and
 * (where nvidia-smi finds a GPU) GPU utilization, temperature and memory.
 * Each sample is published as a `telemetry` event (events.jsonl, the live
 * monitor) and read by observable gauges at each metric collection.
 */
export class SystemSampler implements Reporter {
  private timer: NodeJS.Timeout | undefined;
  private publish: RunStartInfo['publish'] | undefined;
  private latest: TelemetrySample | undefined;
  private attrs: Attributes = {};
  private tokensOut = 0;
  private lastTokens = { at: performance.now(), count: 0 };
  private lastDisk: { at: number; tx: number } | undefined;
  private lastCpu = cpuTimes();
  /** The sample being taken: a slow nvidia-smi must not pile samples up, and a caller that needs one waits for it. */
  private inflight: Promise<void> | undefined;
  private nvidiaSmi: string | undefined;
  private readonly intervalMs: number;
  private unregister: (() => void)[] = [];

  constructor(private readonly options: SystemSamplerOptions = {}) {
    this.intervalMs = Math.max(0.1, options.intervalS ?? 2) * 1000;
  }

  async onRunStart(info: RunStartInfo): Promise<void> {
    this.publish = info.publish;
    this.attrs = { [ATTR.runId]: info.meta.run_id, [ATTR.agentName]: this.options.agentName ?? String(info.meta.agent_config['name'] ?? ''), [ATTR.role]: info.meta.role ?? 'single' };
    this.nvidiaSmi = this.options.gpu === false ? undefined : findNvidiaSmi();
    this.registerGauges();
    // Primes the CPU and disk counters (their first reading has no interval to average over). The
    // run waits for the disk's (two shell commands, systeminformation's fsStats): a run shorter
    // than that would otherwise end with no disk reading an interval apart, and its panel empty.
    this.lastCpu = cpuTimes();
    const fs = await si.fsStats().catch(() => undefined);
    if (typeof fs?.tx === 'number') this.lastDisk = { at: performance.now(), tx: fs.tx };
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    // A first sample soon after the start, so that short runs get one too.
    setTimeout(() => void this.tick(), Math.min(250, this.intervalMs)).unref();
  }

  onTurnEnd(_info: unknown, progress: ProgressSnapshot): void {
    this.tokensOut = progress.tokensOut;
  }

  async onRunEnd(): Promise<void> {
    // issue 16: a run shorter than the first sample still gets one, so every system panel has data.
    if (!this.latest) await this.tick();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // issue 16: the provider outlives the run (a suite's next cell): the last values go out, then the gauges stop reporting this run.
    await activeTelemetry()?.forceFlush();
    for (const off of this.unregister.splice(0)) off();
  }

  /** One sample now (also what each interval does). */
  async sample(): Promise<TelemetrySample> {
    // CPU from Node's own counters: systeminformation's currentLoad runs a shell synchronously
    // (`cat /proc/stat | grep cpu`, for steal and guest time), which stopped the event loop, and
    // every turn in flight, for 5-40 ms per sample.
    const cpu = cpuTimes();
    const cpuPct = cpuPercent(this.lastCpu, cpu);
    this.lastCpu = cpu;
    const [mem, fs, gpus] = await Promise.all([
      si.mem().catch(() => undefined),
      si.fsStats().catch(() => undefined),
      readNvidiaGpus(this.nvidiaSmi),
    ]);
    const now = performance.now();
    const seconds = (now - this.lastTokens.at) / 1000;
    const tokensPerS = seconds > 0 ? (this.tokensOut - this.lastTokens.count) / seconds : 0;
    this.lastTokens = { at: now, count: this.tokensOut };
    const sample: TelemetrySample = {
      cpu_pct: round(cpuPct),
      mem_used_mb: round((mem?.active ?? 0) / 2 ** 20),
      mem_total_mb: round((mem?.total ?? 0) / 2 ** 20),
      rss_mb: round(process.memoryUsage.rss() / 2 ** 20),
      open_fds: openFileDescriptors(),
      disk_mb_s: this.diskMbS(fs, now),
      tokens_per_s: round(Math.max(0, tokensPerS)),
      ...(gpus.length ? { gpus } : {}),
    };
    return sample;
  }

  /**
   * systeminformation gives no rate for readings under a second apart; issue 16: a
   * run shorter than that still gets one, from the byte counters since the last reading.
   */
  private diskMbS(fs: { tx?: number; tx_sec?: number | null } | undefined, now: number): number | null {
    const last = this.lastDisk;
    if (typeof fs?.tx === 'number') this.lastDisk = { at: now, tx: fs.tx };
    if (typeof fs?.tx_sec === 'number' && fs.tx_sec >= 0) return round(fs.tx_sec / 1e6);
    if (typeof fs?.tx !== 'number' || !last || now - last.at < 50 || fs.tx < last.tx) return null;
    return round((fs.tx - last.tx) / ((now - last.at) / 1000) / 1e6);
  }

  private tick(): Promise<void> {
    // issue 16: a run that ends while its first sample is being taken (a loaded machine) waits for it, so its panels get data.
    this.inflight ??= (async () => {
      try {
        this.latest = await this.sample();
        if (this.timer) this.publish?.('telemetry', this.latest as unknown as Record<string, unknown>);
      } catch {
        // Telemetry never breaks a benchmark (STYLE.md 7).
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }

  private observe(gauge: ObservableGauge, callback: ObservableCallback): void {
    gauge.addCallback(callback);
    this.unregister.push(() => gauge.removeCallback(callback));
  }

  private registerGauges(): void {
    const meter = metrics.getMeter(METER_NAME);
    const gauge = (name: string, unit: string, description: string, read: (s: TelemetrySample) => number | null | undefined): void => {
      this.observe(meter.createObservableGauge(name, { unit, description }), (r) => {
        const s = this.latest;
        const v = s ? read(s) : undefined;
        if (typeof v === 'number') r.observe(v, this.attrs);
      });
    };
    gauge(SYSTEM_METRIC.cpuUtilization, '1', 'CPU utilization of the host, 0 to 1', (s) => s.cpu_pct / 100);
    gauge(SYSTEM_METRIC.memoryUsage, 'By', 'Host memory in use', (s) => s.mem_used_mb * 2 ** 20);
    gauge(SYSTEM_METRIC.memoryLimit, 'By', 'Host memory', (s) => s.mem_total_mb * 2 ** 20);
    gauge(SYSTEM_METRIC.processRss, 'By', 'Resident set size of the referee process', (s) => s.rss_mb * 2 ** 20);
    gauge(SYSTEM_METRIC.openFds, '{file_descriptor}', 'Open file descriptors of the referee process', (s) => s.open_fds);
    gauge(SYSTEM_METRIC.diskThroughput, 'By/s', 'File system read+write throughput of the host', (s) => (s.disk_mb_s === null ? null : s.disk_mb_s * 1e6));
    gauge(SYSTEM_METRIC.tokenThroughput, '{token}/s', 'Output tokens per second over the last sample interval', (s) => s.tokens_per_s);
    const gpuGauge = (name: string, unit: string, description: string, read: (g: GpuSample) => number | null): void => {
      this.observe(meter.createObservableGauge(name, { unit, description }), (r) => {
        for (const g of this.latest?.gpus ?? []) {
          const v = read(g);
          if (v !== null) r.observe(v, { ...this.attrs, 'hw.id': String(g.index), 'hw.name': g.name, 'hw.type': 'gpu' });
        }
      });
    };
    gpuGauge(SYSTEM_METRIC.gpuUtilization, '1', 'GPU utilization, 0 to 1', (g) => (g.util_pct === null ? null : g.util_pct / 100));
    gpuGauge(SYSTEM_METRIC.gpuTemperature, 'Cel', 'GPU temperature', (g) => g.temp_c);
    gpuGauge(SYSTEM_METRIC.gpuMemoryUsage, 'By', 'GPU memory in use', (g) => (g.mem_used_mb === null ? null : g.mem_used_mb * 2 ** 20));
    gpuGauge(SYSTEM_METRIC.gpuMemoryLimit, 'By', 'GPU memory', (g) => (g.mem_total_mb === null ? null : g.mem_total_mb * 2 ** 20));
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
