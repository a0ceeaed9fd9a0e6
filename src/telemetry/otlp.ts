import { OTLPMetricExporter as OTLPMetricExporterJson } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OTLPMetricExporterProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OTLPTraceExporterJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPTraceExporterProto } from '@opentelemetry/exporter-trace-otlp-proto';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

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
 * Issue 4: a dead collector must not hold the process after the run. The
 * exporters retry a refused connection until their timeout (10 s by default),
 * which would keep the CLI alive that long after the run ended; without an
 * explicit `OTEL_EXPORTER_OTLP[_SIGNAL]_TIMEOUT` the timeout is 2 s.
 */
export const DEFAULT_OTLP_TIMEOUT_MS = 2000;

function exporterOptions(env: NodeJS.ProcessEnv, signal: 'TRACES' | 'METRICS', url?: string): { url?: string; timeoutMillis?: number } {
  const explicit = envValue(env, `OTEL_EXPORTER_OTLP_${signal}_TIMEOUT`) ?? envValue(env, 'OTEL_EXPORTER_OTLP_TIMEOUT');
  return { ...(url ? { url } : {}), ...(explicit ? {} : { timeoutMillis: DEFAULT_OTLP_TIMEOUT_MS }) };
}

/** An OTLP/HTTP trace exporter; endpoint, headers and timeout come from the standard variables. */
export function createOtlpTraceExporter(env: NodeJS.ProcessEnv, url?: string): SpanExporter {
  const options = exporterOptions(env, 'TRACES', url);
  return otlpProtocol(env, 'TRACES') === 'http/protobuf'
    ? new OTLPTraceExporterProto(options)
    : new OTLPTraceExporterJson(options);
}

export function createOtlpMetricExporter(env: NodeJS.ProcessEnv, url?: string): PushMetricExporter {
  const options = exporterOptions(env, 'METRICS', url);
  return otlpProtocol(env, 'METRICS') === 'http/protobuf'
    ? new OTLPMetricExporterProto(options)
    : new OTLPMetricExporterJson(options);
}
