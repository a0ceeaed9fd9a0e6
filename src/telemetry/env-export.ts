import { context, trace, type Context } from '@opentelemetry/api';
import { getStringFromEnv, getStringListFromEnv } from '@opentelemetry/core';
import { ConsoleMetricExporter, PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { createSamplerFromEnv } from '@opentelemetry/sdk-node/build/src/create-from-env.js';
import { getNonNegativeNumberFromEnv, getOtlpMetricExporterFromEnv, getSpanProcessorsFromEnv } from '@opentelemetry/sdk-node/build/src/utils.js';
import { SamplingDecision, type ReadableSpan, type Sampler, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Issue 16: export follows the OpenTelemetry SDK's own environment handling
 * (sdk-node's helpers: OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_*, OTEL_BSP_*,
 * the gRPC, HTTP/protobuf and HTTP/JSON exporters). The one departure: with no
 * OTEL_{signal}_EXPORTER and no OTLP endpoint at all, Referee exports nothing
 * (an offline benchmark must not knock on localhost:4318); the JSONL files are
 * written regardless.
 */
export function exportRequested(signal: 'TRACES' | 'METRICS'): boolean {
  return Boolean(
    getStringFromEnv(`OTEL_${signal}_EXPORTER`) ?? getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT') ?? getStringFromEnv(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`),
  );
}

/** The span processors OTEL_TRACES_EXPORTER asks for, each behind the OTEL_TRACES_SAMPLER decision. */
export function exportSpanProcessorsFromEnv(): SpanProcessor[] {
  if (!exportRequested('TRACES')) return [];
  const sampler = createSamplerFromEnv();
  return (getSpanProcessorsFromEnv(undefined) as unknown as SpanProcessor[]).map((p) => (sampler ? new SampledExport(p, sampler) : p));
}

/** Default collection interval where OTEL_METRIC_EXPORT_INTERVAL is unset: dashboards want seconds, not the SDK's minute. */
export const DEFAULT_METRIC_INTERVAL_MS = 5000;

export function metricIntervalFromEnv(): number {
  return getNonNegativeNumberFromEnv('OTEL_METRIC_EXPORT_INTERVAL') ?? DEFAULT_METRIC_INTERVAL_MS;
}

/** The metric readers OTEL_METRICS_EXPORTER asks for (sdk-node's list: otlp, console, prometheus, none). */
export function exportMetricReadersFromEnv(intervalMs: number): IMetricReader[] {
  if (!exportRequested('METRICS')) return [];
  const names = [...new Set(getStringListFromEnv('OTEL_METRICS_EXPORTER') ?? ['otlp'])];
  if (names.includes('none')) return [];
  const timeout = Math.min(getNonNegativeNumberFromEnv('OTEL_METRIC_EXPORT_TIMEOUT') ?? 30_000, intervalMs);
  const periodic = (exporter: ConstructorParameters<typeof PeriodicExportingMetricReader>[0]['exporter']): IMetricReader =>
    new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: intervalMs, exportTimeoutMillis: timeout });
  return names.flatMap((name): IMetricReader[] => {
    if (name === 'otlp') return [periodic(getOtlpMetricExporterFromEnv())];
    if (name === 'console') return [periodic(new ConsoleMetricExporter())];
    process.stderr.write(`referee: telemetry warning: unsupported OTEL_METRICS_EXPORTER value "${name}" (otlp, console, none)\n`);
    return [];
  });
}

/**
 * The provider samples every span (the JSONL files are the run's record);
 * OTEL_TRACES_SAMPLER decides, per trace, what reaches the exporter. The root
 * of a trace (or a remote parent) asks the sampler; local children follow it.
 */
export class SampledExport implements SpanProcessor {
  private readonly keep = new Map<string, boolean>();
  constructor(
    private readonly inner: SpanProcessor,
    private readonly sampler: Sampler,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    const traceId = span.spanContext().traceId;
    const parent = trace.getSpanContext(parentContext);
    let keep = parent && !parent.isRemote ? this.keep.get(traceId) : undefined;
    if (keep === undefined) {
      const decision = this.sampler.shouldSample(parentContext ?? context.active(), traceId, span.name, span.kind, span.attributes, span.links);
      keep = decision.decision === SamplingDecision.RECORD_AND_SAMPLED;
      this.keep.set(traceId, keep);
    }
    if (keep) this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const traceId = span.spanContext().traceId;
    if (this.keep.get(traceId)) this.inner.onEnd(span);
    if (!span.parentSpanContext || span.parentSpanContext.isRemote) this.keep.delete(traceId);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
