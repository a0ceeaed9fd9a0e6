/**
 * Issue 16: a suite runs on one process-wide provider, yet each cell's run
 * directory keeps its own spans and metrics, and task runs are sampled like
 * LTM runs (`--sample-interval` works there).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJsonl, ROOT, runCli, tempDir } from '../helpers.js';

type KeyValue = { key: string; value: Record<string, unknown> };
interface SpanLine {
  resourceSpans: { scopeSpans: { spans: { name: string; attributes: KeyValue[] }[] }[] }[];
}
interface MetricLine {
  resourceMetrics: { scopeMetrics: { metrics: ({ name: string } & Record<string, { dataPoints?: { attributes: KeyValue[] }[] }>)[] }[] }[];
}
const runIdOf = (attrs: KeyValue[]): string | undefined => attrs.find((a) => a.key === 'referee.run_id')?.value['stringValue'] as string | undefined;

describe('a suite on one provider', () => {
  let out: string;
  let cells: string[];
  beforeAll(async () => {
    out = tempDir('referee-suite-tel-');
    const r = await runCli(['run', '--suite', join(ROOT, 'configs/suites/example.yaml'), '--output-dir', out, '--quiet', '--sample-interval', '0.1']);
    expect(r.code, r.stderr).toBe(0);
    cells = readdirSync(out).filter((d) => !d.endsWith('.json') && !d.endsWith('.jsonl'));
  });

  it('writes each cell\'s spans into its own spans.jsonl, one run trace each', () => {
    expect(cells).toHaveLength(4);
    for (const cell of cells) {
      const spans = readJsonl<SpanLine>(join(out, cell, 'spans.jsonl')).flatMap((l) => l.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans)));
      expect(spans.filter((s) => s.name === 'benchmark.run').map((s) => runIdOf(s.attributes))).toEqual([cell]);
      const named = new Set(spans.map((s) => runIdOf(s.attributes)).filter((id) => id !== undefined));
      expect([...named], cell).toEqual([cell]);
    }
  });

  it('writes each cell\'s metrics, system gauges included, into its own metrics.jsonl', () => {
    for (const cell of cells) {
      const ids = new Set<string | undefined>();
      const names = new Set<string>();
      for (const line of readJsonl<MetricLine>(join(out, cell, 'metrics.jsonl'))) {
        for (const m of line.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))) {
          names.add(m.name);
          for (const v of Object.values(m)) for (const p of (typeof v === 'object' && v?.dataPoints) || []) ids.add(runIdOf(p.attributes));
        }
      }
      expect([...ids], cell).toEqual([cell]);
      for (const name of ['referee.turns', 'system.cpu.utilization', 'process.open_file_descriptor.count']) expect(names, `${cell} ${name}`).toContain(name);
    }
  });

  it('samples the system during every cell (telemetry events in events.jsonl)', () => {
    for (const cell of cells) {
      const samples = readJsonl<{ type: string }>(join(out, cell, 'events.jsonl')).filter((e) => e.type === 'telemetry');
      expect(samples.length, cell).toBeGreaterThan(0);
    }
  });
});
