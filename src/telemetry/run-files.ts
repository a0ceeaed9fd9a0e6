import type { Context } from '@opentelemetry/api';
import type { DataPoint, MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { join } from 'node:path';
import { JsonlWriter } from '../artifacts/jsonl-writer.js';
import { ATTR } from './names.js';

interface RunFiles {
  spans: JsonlWriter;
  metrics: JsonlWriter;
}

/**
 * Issue 16: one provider serves every run of the process (a suite's cells
 * included), yet each run directory keeps its own spans.jsonl and
 * metrics.jsonl. A span belongs to the run whose `benchmark.run` span opened
 * its trace; a metric point to the run its `referee.run_id` names (points
 * without one, process-wide, go to every open run).
 */
export class RunFileRouter implements SpanProcessor {
  private readonly runs = new Map<string, RunFiles>();
  private readonly traceRun = new Map<string, string>();

  open(runId: string, runDir: string): void {
    if (this.runs.has(runId)) return;
    this.runs.set(runId, { spans: new JsonlWriter(join(runDir, 'spans.jsonl')), metrics: new JsonlWriter(join(runDir, 'metrics.jsonl')) });
  }

  close(runId: string): void {
    const files = this.runs.get(runId);
    if (!files) return;
    files.spans.close();
    files.metrics.close();
    this.runs.delete(runId);
    for (const [traceId, id] of this.traceRun) if (id === runId) this.traceRun.delete(traceId);
  }

  openRunIds(): string[] {
    return [...this.runs.keys()];
  }

  onStart(span: Span, _parentContext: Context): void {
    const runId = span.attributes[ATTR.runId];
    const traceId = span.spanContext().traceId;
    if (typeof runId === 'string' && !this.traceRun.has(traceId)) this.traceRun.set(traceId, runId);
  }
  onEnd(): void {}
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {
    for (const id of this.openRunIds()) this.close(id);
  }

  /** The files of the span's run; a span outside any run trace goes to the only open run, if there is one. */
  spanFiles(span: ReadableSpan): JsonlWriter | undefined {
    const runId = this.traceRun.get(span.spanContext().traceId);
    if (runId !== undefined) return this.runs.get(runId)?.spans;
    return this.runs.size === 1 ? [...this.runs.values()][0]!.spans : undefined;
  }

  /** Per open run, the part of a collection that belongs to it. */
  *metricsByRun(all: ResourceMetrics): Generator<{ writer: JsonlWriter; metrics: ResourceMetrics }> {
    for (const [runId, files] of this.runs) {
      const scopeMetrics = all.scopeMetrics
        .map((s) => ({ ...s, metrics: s.metrics.map((m) => onlyRun(m, runId)).filter((m) => m.dataPoints.length > 0) }))
        .filter((s) => s.metrics.length > 0);
      if (scopeMetrics.length > 0) yield { writer: files.metrics, metrics: { ...all, scopeMetrics } };
    }
  }
}

function onlyRun(m: MetricData, runId: string): MetricData {
  const points = (m.dataPoints as DataPoint<unknown>[]).filter((p) => {
    const id = p.attributes[ATTR.runId];
    return id === undefined || id === runId;
  });
  return { ...m, dataPoints: points } as MetricData;
}
