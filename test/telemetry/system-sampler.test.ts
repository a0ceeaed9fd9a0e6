import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TelemetrySampleSchema } from '../../src/artifacts/schemas.js';
import { cpuPercent, cpuTimes, parseNvidiaSmi, SystemSampler } from '../../src/telemetry/system-sampler.js';
import { ROOT, readJsonl, runCli, tempDir } from '../helpers.js';

// Captured from `nvidia-smi --query-gpu=index,name,utilization.gpu,temperature.gpu,memory.used,memory.total
// --format=csv,noheader,nounits` on a two-GPU host (an H100 busy, an older card that reports no utilization).
const TWO_GPUS = `0, NVIDIA H100 80GB HBM3, 87, 64, 71234, 81559
1, Tesla K80, [N/A], 41, 3, 11441
`;

describe('parseNvidiaSmi', () => {
  it('reads index, name, utilization, temperature and memory (MiB) per GPU', () => {
    expect(parseNvidiaSmi(TWO_GPUS)).toEqual([
      { index: 0, name: 'NVIDIA H100 80GB HBM3', util_pct: 87, temp_c: 64, mem_used_mb: 71234, mem_total_mb: 81559 },
      { index: 1, name: 'Tesla K80', util_pct: null, temp_c: 41, mem_used_mb: 3, mem_total_mb: 11441 },
    ]);
  });

  it('keeps a GPU name that contains commas and reports unsupported fields as null', () => {
    const [gpu] = parseNvidiaSmi('3, NVIDIA RTX A6000, Rev 2, [Not Supported], 55, [N/A], 49140\n');
    expect(gpu).toEqual({ index: 3, name: 'NVIDIA RTX A6000, Rev 2', util_pct: null, temp_c: 55, mem_used_mb: null, mem_total_mb: 49140 });
  });

  it("reads a real H200's output, idle and under load (captured on the device machine with this query, 2026-11-29)", () => {
    // Same GPU, driver 580.159.04: idle, then with 20 GiB allocated and bf16 8192x8192 products in a loop (PyTorch).
    const fixture = (name: string): string => readFileSync(join(ROOT, 'test/fixtures/nvidia-smi', name), 'utf8');
    expect(fixture('h200-summary.txt')).toMatch(/NVIDIA H200 .*\n.* 31C .* 0MiB \/ 143771MiB \|\s+0%/);
    expect(parseNvidiaSmi(fixture('h200-idle.csv'))).toEqual([{ index: 0, name: 'NVIDIA H200', util_pct: 0, temp_c: 31, mem_used_mb: 0, mem_total_mb: 143771 }]);
    expect(parseNvidiaSmi(fixture('h200-bf16-matmul.csv'))).toEqual([{ index: 0, name: 'NVIDIA H200', util_pct: 94, temp_c: 52, mem_used_mb: 21581, mem_total_mb: 143771 }]);
  });

  it('returns no GPUs for empty or error output', () => {
    expect(parseNvidiaSmi('')).toEqual([]);
    expect(parseNvidiaSmi('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.\n')).toEqual([]);
  });
});

describe('CPU utilization', () => {
  it('is the busy share of all cores\' time between two readings, clamped to 0..100', () => {
    expect(cpuPercent({ busy: 100, total: 1000 }, { busy: 350, total: 1500 })).toBe(50);
    expect(cpuPercent({ busy: 100, total: 1000 }, { busy: 100, total: 1000 })).toBe(0);
    expect(cpuPercent({ busy: 0, total: 0 }, { busy: 900, total: 600 })).toBe(100);
  });

  it.runIf(process.platform === 'linux')('reads the same counters as /proc/stat (user, nice, system, irq busy; idle)', () => {
    // /proc/stat counts in USER_HZ ticks (100 a second on Linux), Node in ms.
    const proc = () => {
      const cores = readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d+ /.test(l)).map((l) => l.split(/\s+/).slice(1).map(Number));
      const busy = cores.reduce((a, c) => a + (c[0]! + c[1]! + c[2]! + c[5]!) * 10, 0);
      return { busy, total: busy + cores.reduce((a, c) => a + c[3]! * 10, 0) };
    };
    const before = proc();
    const ours = cpuTimes();
    const after = proc();
    expect(ours.busy).toBeGreaterThanOrEqual(before.busy);
    expect(ours.busy).toBeLessThanOrEqual(after.busy);
    expect(ours.total).toBeGreaterThanOrEqual(before.total);
    expect(ours.total).toBeLessThanOrEqual(after.total);
  });
});

describe('SystemSampler', () => {
  it('samples CPU, memory, RSS and open file descriptors in the telemetry event shape', async () => {
    const s = await new SystemSampler({ gpu: false }).sample();
    expect(TelemetrySampleSchema.parse(s)).toEqual(s);
    expect(s.rss_mb).toBeGreaterThan(10);
    expect(s.mem_total_mb).toBeGreaterThan(s.rss_mb);
    expect(s.open_fds).toBeGreaterThan(2);
    expect(s).not.toHaveProperty('gpus');
  });

  it('publishes telemetry samples into events.jsonl during a CLI run, GPUs absent (not zero) without nvidia-smi', async () => {
    const out = tempDir();
    const r = await runCli(['run', '--output-dir', out, '--run-id', 'sampled', '--quiet', '--sample-interval', '0.2', '--overrides', 'agent.sim.latency_ms=20'], {
      env: { PATH: '/usr/bin:/bin' },
    });
    expect(r.code, r.stderr).toBe(0);
    const samples = readJsonl<Record<string, unknown>>(join(out, 'sampled', 'events.jsonl')).filter((e) => e['type'] === 'telemetry');
    expect(samples.length).toBeGreaterThan(1);
    for (const e of samples) {
      const sample = TelemetrySampleSchema.parse(e);
      expect(sample.gpus).toBeUndefined();
    }
    // The gauges carry the same figures into metrics.jsonl.
    const metricNames = new Set(
      readJsonl<{ resourceMetrics: { scopeMetrics: { metrics: { name: string }[] }[] }[] }>(join(out, 'sampled', 'metrics.jsonl')).flatMap((l) =>
        l.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.map((m) => m.name))),
      ),
    );
    for (const name of ['system.cpu.utilization', 'process.memory.usage', 'process.open_file_descriptor.count']) expect(metricNames).toContain(name);
    expect([...metricNames].filter((n) => n.startsWith('hw.'))).toEqual([]);
  });
});
