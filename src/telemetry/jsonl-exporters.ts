import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonMetricsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { AggregationTemporality, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { JsonlWriter } from '../artifacts/jsonl-writer.js';

/**
 * Writes each export batch as one OTLP-JSON `ExportTraceServiceRequest` line of
 * spans.jsonl, so `referee replay` can POST the lines unchanged to /v1/traces.
 */
export class JsonlSpanExporter implements SpanExporter {
  private readonly writer: JsonlWriter;
  constructor(file: string) {
    this.writer = new JsonlWriter(file);
  }
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      // The serializer is typed against @opentelemetry/sdk-trace's ReadableSpan; the shapes are identical.
      const bytes = JsonTraceSerializer.serializeRequest(spans as unknown as Parameters<typeof JsonTraceSerializer.serializeRequest>[0]);
      if (bytes) this.writer.writeLineBytes(bytes);
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }
  async shutdown(): Promise<void> {
    this.writer.close();
  }
  async forceFlush(): Promise<void> {}
}

/** Same idea for metrics.jsonl: one OTLP-JSON `ExportMetricsServiceRequest` per collection. */
export class JsonlMetricExporter implements PushMetricExporter {
  private readonly writer: JsonlWriter;
  constructor(file: string) {
    this.writer = new JsonlWriter(file);
  }
  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    try {
      if (metrics.scopeMetrics.some((s) => s.metrics.length > 0)) {
        const bytes = JsonMetricsSerializer.serializeRequest(metrics);
        if (bytes) this.writer.writeLineBytes(bytes);
      }
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }
  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }
  async shutdown(): Promise<void> {
    this.writer.close();
  }
  async forceFlush(): Promise<void> {}
}
