/**
 * A collector that cannot be reached costs an export no time (issue 24). The
 * OTLP exporters retry a refused connection until their timeout (2.5 s here),
 * for spans and metrics alike, and the last export at exit waited the same:
 * a dead collector added 4.2 s to every process exit. The gate asks first
 * whether the collector's port answers (one TCP connect, at most 250 ms,
 * remembered for a second); where it does not, the export fails at once
 * without a request, so nothing is left retrying.
 *
 * The spans of every export that failed are remembered by id, so they can be
 * sent again from the run's JSONL record once the collector is back
 * (resend.ts): the record holds them whole, the gate only their ids.
 */
import { diag } from '@opentelemetry/api';
import { ExportResultCode, getStringFromEnv, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { unreachable } from '../net/reachable.js';

const PROBE_TIMEOUT_MS = 250;
const PROBE_TTL_MS = 1000;

/** `traceId:spanId` of each span whose export failed and was not sent since. */
export const failedSpans = new Set<string>();
export const spanKey = (traceId: string, spanId: string): string => `${traceId}:${spanId}`;

/** The collector URL of a signal, as the OTLP exporters resolve it (the protocol's default port where none is set). */
export function collectorUrl(signal: 'TRACES' | 'METRICS', protocol: string): URL | undefined {
  const raw = getStringFromEnv(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`) ?? getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT') ?? (protocol === 'grpc' ? 'http://localhost:4317' : 'http://localhost:4318');
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    return undefined;
  }
}

const probes = new Map<string, { at: number; ok: Promise<boolean> }>();

/**
 * Whether a TCP connection to the collector opens within 250 ms, as found in the last second (`fresh`: now);
 * through a proxy, assumed (the proxy answers for it).
 */
export function collectorReachable(url: URL | undefined, fresh = false): Promise<boolean> {
  if (!url) return Promise.resolve(true);
  const key = `${url.protocol}//${url.host}`;
  const cached = probes.get(key);
  if (cached && !fresh && Date.now() - cached.at < PROBE_TTL_MS) return cached.ok;
  const ok = unreachable(url, PROBE_TIMEOUT_MS, { unref: true }).then((code) => code === null);
  probes.set(key, { at: Date.now(), ok });
  return ok;
}

const refused = (url: URL | undefined): ExportResult => ({ code: ExportResultCode.FAILED, error: new Error(`collector ${url?.host ?? ''} unreachable`) });

/** A span exporter behind the gate: no request to a closed port, and the ids of what failed kept for a resend. */
export class GatedSpanExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly url: URL | undefined,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const settle = (result: ExportResult): void => {
      const keys = spans.map((s) => spanKey(s.spanContext().traceId, s.spanContext().spanId));
      if (result.code === ExportResultCode.SUCCESS) for (const k of keys) failedSpans.delete(k);
      else for (const k of keys) failedSpans.add(k);
      done(result);
    };
    void collectorReachable(this.url).then((ok) => {
      if (!ok) {
        diag.error(`OTLP export failed: ${this.url?.host ?? 'the collector'} does not answer; the spans are in spans.jsonl and are sent again when it does`);
        settle(refused(this.url));
      } else this.inner.export(spans, settle);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** A metric exporter behind the gate (metrics are not resent: the next collection carries the running totals). */
export class GatedMetricExporter implements PushMetricExporter {

  selectAggregationTemporality?: PushMetricExporter['selectAggregationTemporality'];
  selectAggregation?: PushMetricExporter['selectAggregation'];

  constructor(
    private readonly inner: PushMetricExporter,
    private readonly url: URL | undefined,
  ) {
    // The OTLP exporter's temporality and aggregation preferences (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE) pass through.
    if (inner.selectAggregationTemporality) this.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
    if (inner.selectAggregation) this.selectAggregation = inner.selectAggregation.bind(inner);
  }

  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    void collectorReachable(this.url).then((ok) => (ok ? this.inner.export(metrics, done) : done(refused(this.url))));
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
}
