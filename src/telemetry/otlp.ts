import { createRequire } from 'node:module';
import type * as MetricsHttp from '@opentelemetry/exporter-metrics-otlp-http';
import type * as MetricsProto from '@opentelemetry/exporter-metrics-otlp-proto';
import type * as TraceHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as TraceProto from '@opentelemetry/exporter-trace-otlp-proto';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

// Exporters load only when OTLP export is asked for: most runs write JSONL only,
// and the protobuf ones cost start-up time and memory (issue 8).
const load = createRequire(import.meta.url);

export type OtlpProtocol = 'http/json' | 'http/protobuf';

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

/**
 * Picks the OTLP protocol for a signal from the standard variables. Referee
 * defaults to JSON (what the collector and our JSONL files speak); Phoenix's
 * own endpoint needs `http/protobuf`.
 */
export function otlpProtocol(env: NodeJS.ProcessEnv, signal: 'TRACES' | 'METRICS'): OtlpProtocol {
  const v = envValue(env, `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`) ?? envValue(env, 'OTEL_EXPORTER_OTLP_PROTOCOL');
  return v === 'http/protobuf' ? 'http/protobuf' : 'http/json';
}

/** True when the standard variables ask for OTLP export of this signal. */
export function otlpEnabled(env: NodeJS.ProcessEnv, signal: 'TRACES' | 'METRICS'): boolean {
  const exporter = envValue(env, `OTEL_${signal}_EXPORTER`);
  if (exporter && exporter.split(',').every((e) => e.trim() === 'none')) return false;
  return Boolean(envValue(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') ?? envValue(env, `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`));
}

/**
 * Without OTEL_EXPORTER_OTLP_*TIMEOUT, an export (retries included) gives up
 * after this long, so a dead collector costs at most a few seconds at exit
 * (the SDK default of 10 s, retried, held the process well past the run).
 */
export const DEFAULT_OTLP_TIMEOUT_MS = 2500;

function exporterOptions(env: NodeJS.ProcessEnv, signal: 'TRACES' | 'METRICS', url?: string): { url?: string; timeoutMillis?: number } {
  const timeoutSet = envValue(env, `OTEL_EXPORTER_OTLP_${signal}_TIMEOUT`) ?? envValue(env, 'OTEL_EXPORTER_OTLP_TIMEOUT');
  return { ...(url ? { url } : {}), ...(timeoutSet ? {} : { timeoutMillis: DEFAULT_OTLP_TIMEOUT_MS }) };
}

/** An OTLP/HTTP trace exporter; endpoint, headers and timeout come from the standard variables. */
export function createOtlpTraceExporter(env: NodeJS.ProcessEnv, url?: string): SpanExporter {
  const options = exporterOptions(env, 'TRACES', url);
  return otlpProtocol(env, 'TRACES') === 'http/protobuf'
    ? new (load('@opentelemetry/exporter-trace-otlp-proto') as typeof TraceProto).OTLPTraceExporter(options)
    : new (load('@opentelemetry/exporter-trace-otlp-http') as typeof TraceHttp).OTLPTraceExporter(options);
}

export function createOtlpMetricExporter(env: NodeJS.ProcessEnv, url?: string): PushMetricExporter {
  const options = exporterOptions(env, 'METRICS', url);
  return otlpProtocol(env, 'METRICS') === 'http/protobuf'
    ? new (load('@opentelemetry/exporter-metrics-otlp-proto') as typeof MetricsProto).OTLPMetricExporter(options)
    : new (load('@opentelemetry/exporter-metrics-otlp-http') as typeof MetricsHttp).OTLPMetricExporter(options);
}
