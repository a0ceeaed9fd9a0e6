import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonMetricsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { AggregationTemporality, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { JsonlWriter } from '../artifacts/jsonl-writer.js';
import type { RunFileRouter } from './run-files.js';

/**
 * Writes each export batch as one OTLP-JSON `ExportTraceServiceRequest` line of
 * its run's spans.jsonl, so `referee replay` can POST the lines unchanged to /v1/traces.
 */
export class JsonlSpanExporter implements SpanExporter {
  constructor(private readonly router: RunFileRouter) {}
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      const byFile = new Map<JsonlWriter, ReadableSpan[]>();
      for (const span of spans) {
        const writer = this.router.spanFiles(span);
        if (!writer) continue;
        const batch = byFile.get(writer);
        if (batch) batch.push(span);
        else byFile.set(writer, [span]);
      }
      for (const [writer, batch] of byFile) {
        // The serializer is typed against @opentelemetry/sdk-trace's ReadableSpan; the shapes are identical.
        const bytes = JsonTraceSerializer.serializeRequest(batch as unknown as Parameters<typeof JsonTraceSerializer.serializeRequest>[0]);
        if (bytes) writer.writeLineBytes(bytes);
      }
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }
  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

/** Same idea for metrics.jsonl: one OTLP-JSON `ExportMetricsServiceRequest` per collection and run. */
export class JsonlMetricExporter implements PushMetricExporter {
  constructor(private readonly router: RunFileRouter) {}
  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    try {
      for (const { writer, metrics: part } of this.router.metricsByRun(metrics)) {
        const bytes = JsonMetricsSerializer.serializeRequest(part);
        if (bytes) writer.writeLineBytes(bytes);
      }
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }
  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }
  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}
