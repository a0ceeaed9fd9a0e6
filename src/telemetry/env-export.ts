import { context, trace, TraceFlags, type Context, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { getStringFromEnv, getStringListFromEnv } from '@opentelemetry/core';
import { createRequire } from 'node:module';
import type { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import type { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import type { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import type { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ConsoleMetricExporter, PeriodicExportingMetricReader, type IMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { createBatchSpanProcessorFromEnv, createSamplerFromEnv, getNonNegativeNumberFromEnv } from './sdk-env.js';
import {
  ConsoleSpanExporter,
  SamplingDecision,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Sampler,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { otlpAgentFactory } from '../net/proxy.js';
import { collectorUrl, GatedMetricExporter, GatedSpanExporter } from './export-gate.js';

/**
 * Issue 16: export follows the OpenTelemetry SDK's own environment handling
 * (sdk-node's helpers: OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_*, OTEL_BSP_*,
 * the gRPC, HTTP/protobuf and HTTP/JSON exporters). The one departure: with no
 * OTEL_{signal}_EXPORTER and no OTLP endpoint at all, Referee exports nothing
 * (an offline benchmark must not knock on localhost:4318); the JSONL files are
 * written regardless. The exporters are built here, as sdk-node's helpers
 * build them, so that OTLP/HTTP export gets the agent that honours
 * HTTP(S)_PROXY and NO_PROXY (src/net/proxy.ts, issue 22; gRPC export reads
 * those variables itself, in @grpc/grpc-js).
 */
export function exportRequested(signal: 'TRACES' | 'METRICS'): boolean {
  return Boolean(
    getStringFromEnv(`OTEL_${signal}_EXPORTER`) ?? getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT') ?? getStringFromEnv(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`),
  );
}

/**
 * An exporter package is loaded when its protocol is configured, not at start-up: each costs
 * 20-40 ms of CPU, and a run that exports nothing (the default) needs none of them.
 */
const load = createRequire(import.meta.url);
const exporters = {
  grpcTrace: () => (load('@opentelemetry/exporter-trace-otlp-grpc') as { OTLPTraceExporter: typeof GrpcTraceExporter }).OTLPTraceExporter,
  jsonTrace: () => (load('@opentelemetry/exporter-trace-otlp-http') as { OTLPTraceExporter: typeof JsonTraceExporter }).OTLPTraceExporter,
  protoTrace: () => (load('@opentelemetry/exporter-trace-otlp-proto') as { OTLPTraceExporter: typeof ProtoTraceExporter }).OTLPTraceExporter,
  grpcMetric: () => (load('@opentelemetry/exporter-metrics-otlp-grpc') as { OTLPMetricExporter: typeof GrpcMetricExporter }).OTLPMetricExporter,
  jsonMetric: () => (load('@opentelemetry/exporter-metrics-otlp-http') as { OTLPMetricExporter: typeof JsonMetricExporter }).OTLPMetricExporter,
  protoMetric: () => (load('@opentelemetry/exporter-metrics-otlp-proto') as { OTLPMetricExporter: typeof ProtoMetricExporter }).OTLPMetricExporter,
};

/** The span processors OTEL_TRACES_EXPORTER asks for, each behind the OTEL_TRACES_SAMPLER decision. */
export function exportSpanProcessorsFromEnv(): SpanProcessor[] {
  if (!exportRequested('TRACES')) return [];
  const sampler = createSamplerFromEnv();
  return spanProcessorsFromEnv().map((p) => (sampler ? new SampledExport(p, sampler) : p));
}

/** sdk-node's getSpanProcessorsFromEnv (OTEL_TRACES_EXPORTER: otlp, console, none), its OTLP exporter proxy-aware. */
function spanProcessorsFromEnv(): SpanProcessor[] {
  let names = [...new Set(getStringListFromEnv('OTEL_TRACES_EXPORTER') ?? [])].filter((n) => n !== 'null');
  if (names[0] === 'none') return [];
  if (names.length === 0 || (names.length > 1 && names.includes('none'))) names = ['otlp'];
  return names.flatMap((name): SpanProcessor[] => {
    if (name === 'otlp') return [createBatchSpanProcessorFromEnv(otlpTraceExporterFromEnv())];
    if (name === 'console') return [new SimpleSpanProcessor(new ConsoleSpanExporter())];
    process.stderr.write(`referee: telemetry warning: unsupported OTEL_TRACES_EXPORTER value "${name}" (otlp, console, none)\n`);
    return [];
  });
}

function otlpProtocol(signal: 'TRACES' | 'METRICS'): string {
  return (getStringFromEnv(`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`) ?? getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL'))?.trim() || 'http/protobuf';
}

/** The OTLP trace exporter, behind the gate that fails an export at once where the collector's port is closed (export-gate.ts). */
function otlpTraceExporterFromEnv(): SpanExporter {
  const protocol = otlpProtocol('TRACES');
  const gated = (e: SpanExporter): SpanExporter => new GatedSpanExporter(e, collectorUrl('TRACES', protocol));
  if (protocol === 'grpc') return gated(new (exporters.grpcTrace())());
  if (protocol === 'http/json') return gated(new (exporters.jsonTrace())({ httpAgentOptions: otlpAgentFactory }));
  if (protocol !== 'http/protobuf') process.stderr.write(`referee: telemetry warning: unsupported OTLP traces protocol "${protocol}"; using http/protobuf\n`);
  return gated(new (exporters.protoTrace())({ httpAgentOptions: otlpAgentFactory }));
}

function otlpMetricExporterFromEnv(): PushMetricExporter {
  const protocol = otlpProtocol('METRICS');
  const gated = (e: PushMetricExporter): PushMetricExporter => new GatedMetricExporter(e, collectorUrl('METRICS', protocol));
  if (protocol === 'grpc') return gated(new (exporters.grpcMetric())());
  if (protocol === 'http/json') return gated(new (exporters.jsonMetric())({ httpAgentOptions: otlpAgentFactory }));
  if (protocol !== 'http/protobuf') process.stderr.write(`referee: telemetry warning: unsupported OTLP metrics protocol "${protocol}"; using http/protobuf\n`);
  return gated(new (exporters.protoMetric())({ httpAgentOptions: otlpAgentFactory }));
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
    if (name === 'otlp') return [periodic(otlpMetricExporterFromEnv())];
    if (name === 'console') return [periodic(new ConsoleMetricExporter())];
    process.stderr.write(`referee: telemetry warning: unsupported OTEL_METRICS_EXPORTER value "${name}" (otlp, console, none)\n`);
    return [];
  });
}

/** The export sampler's decision per trace in flight (SampledExport), for `traceparent`'s sampled flag. */
const exportDecisions = new Map<string, boolean>();

/**
 * The propagator OTEL_PROPAGATORS asks for (sdk-node's reading; undefined: W3C trace context and
 * baggage, null: none), telling agents in `traceparent` whether the export sampler kept the trace.
 * The provider samples every span for the run's record, so a span's own flag is always 01: with
 * OTEL_TRACES_SAMPLER=always_off an agent was told 01, exported its spans, and they reached the
 * collector as orphans of a trace that never arrived (issue 24). A dropped trace is sent as 00.
 */
export function exportAwarePropagator(inner: TextMapPropagator | null | undefined): TextMapPropagator | null {
  if (inner === null) return null;
  const base = inner ?? new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
  return {
    inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
      const sc = trace.getSpanContext(ctx);
      if (sc && exportDecisions.get(sc.traceId) === false) ctx = trace.setSpanContext(ctx, { ...sc, traceFlags: sc.traceFlags & ~TraceFlags.SAMPLED });
      base.inject(ctx, carrier, setter);
    },
    extract: (ctx, carrier, getter) => base.extract(ctx, carrier, getter),
    fields: () => base.fields(),
  };
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
      exportDecisions.set(traceId, keep);
    }
    if (keep) this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const traceId = span.spanContext().traceId;
    if (this.keep.get(traceId)) this.inner.onEnd(span);
    if (!span.parentSpanContext || span.parentSpanContext.isRemote) {
      this.keep.delete(traceId);
      exportDecisions.delete(traceId);
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
