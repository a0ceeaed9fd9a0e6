import { context, diag, DiagLogLevel, metrics, propagation, trace, type DiagLogger } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { join } from 'node:path';
import { JsonlMetricExporter, JsonlSpanExporter } from './jsonl-exporters.js';
import { RedactingSpanProcessor } from './redacting-processor.js';
import { ATTR } from './names.js';
import { createOtlpMetricExporter, createOtlpTraceExporter, DEFAULT_OTLP_TIMEOUT_MS, otlpEnabled } from './otlp.js';
import { SpanTracker } from './span-tracker.js';

export interface TelemetryOptions {
  /** spans.jsonl and metrics.jsonl are written here. */
  runDir: string;
  runId: string;
  agentName: string;
  /** `champion`/`challenger` in match mode. */
  role?: string;
  /** Phoenix project; defaults to `PHOENIX_PROJECT_NAME` or `referee`. */
  projectName?: string;
  env?: NodeJS.ProcessEnv;
  /** How often metrics are collected to the JSONL file and OTLP. @default OTEL_METRIC_EXPORT_INTERVAL, else 5000 */
  metricIntervalMs?: number;
}

export interface TelemetryHandle {
  readonly otlp: boolean;
  /** Turn spans in flight, for notices that become span events. */
  readonly spans: SpanTracker;
  forceFlush(): Promise<void>;
  /** Idempotent; never takes longer than `timeoutMs`. */
  shutdown(timeoutMs?: number): Promise<void>;
}

let active: TelemetryHandle | undefined;

/** Telemetry problems are reported once each and never fail a run (STYLE.md 7). */
class OnceLogger implements DiagLogger {
  private readonly seen = new Set<string>();
  private say(level: string, raw: string): void {
    const message = oneLineMessage(raw);
    const key = `${level}:${message.slice(0, 80)}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    process.stderr.write(`referee: telemetry ${level}: ${message}\n`);
  }
  error = (message: string): void => this.say('error', message);
  warn = (message: string): void => this.say('warning', message);
  info = (): void => {};
  debug = (): void => {};
  verbose = (): void => {};
}

/** The SDK logs some errors as a JSON-serialised Error with its stack: keep the message, on one line. */
function oneLineMessage(raw: unknown): string {
  let text = typeof raw === 'string' ? raw : String(raw);
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { message?: unknown };
      if (typeof parsed.message === 'string') text = parsed.message;
    } catch {
      /* not JSON after all */
    }
  }
  text = text.replace(/\s*\n\s*/g, ' ');
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

/**
 * Starts the one TracerProvider and MeterProvider of this process. A second
 * call returns the running handle instead of registering again, so there is
 * never a "duplicate registration" warning (seed 000 3.5).
 */
export function startTelemetry(options: TelemetryOptions): TelemetryHandle {
  if (active) return active;
  const env = options.env ?? process.env;
  diag.setLogger(new OnceLogger(), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });

  const projectName = options.projectName ?? env.PHOENIX_PROJECT_NAME ?? 'referee';
  const resource = resourceFromAttributes({
    'service.name': env.OTEL_SERVICE_NAME ?? 'referee',
    'openinference.project.name': projectName,
    [ATTR.runId]: options.runId,
    [ATTR.agentName]: options.agentName,
    [ATTR.role]: options.role ?? 'single',
  });

  const tracker = new SpanTracker();
  const spanProcessors: SpanProcessor[] = [
    // issue 14: secrets out of every span before any exporter (spans.jsonl, OTLP) sees it.
    new RedactingSpanProcessor(),
    tracker,
    new BatchSpanProcessor(new JsonlSpanExporter(join(options.runDir, 'spans.jsonl')), {
      scheduledDelayMillis: 1000,
      maxQueueSize: 65_536,
      // Serializing runs on the event loop: a 512-span batch blocked it 6-17 ms, holding
      // every reply that arrived meanwhile; 64-span batches cost 1-2 ms (issue 8, workload B).
      maxExportBatchSize: 64,
    }),
  ];
  const envInterval = Number(env.OTEL_METRIC_EXPORT_INTERVAL);
  const interval = options.metricIntervalMs ?? (Number.isFinite(envInterval) && envInterval > 0 ? envInterval : 5000);
  const metricReaders: IMetricReader[] = [
    new PeriodicExportingMetricReader({
      exporter: new JsonlMetricExporter(join(options.runDir, 'metrics.jsonl')),
      exportIntervalMillis: interval,
    }),
  ];
  const otlpTraces = otlpEnabled(env, 'TRACES');
  const otlpMetrics = otlpEnabled(env, 'METRICS');
  if (otlpTraces) {
    // A dead collector only fills this bounded queue; spans then drop, the run goes on.
    spanProcessors.push(new BatchSpanProcessor(createOtlpTraceExporter(env), { maxQueueSize: 8192, scheduledDelayMillis: 1000 }));
  }
  if (otlpMetrics) {
    metricReaders.push(
      new PeriodicExportingMetricReader({ exporter: createOtlpMetricExporter(env), exportIntervalMillis: interval, exportTimeoutMillis: Math.min(interval, 5000, DEFAULT_OTLP_TIMEOUT_MS + 500) }),
    );
  }

  // The providers NodeSDK would register, without NodeSDK: it loads every exporter and
  // instrumentation package at import (about 25 MB of RSS and a second of start-up, issue 8).
  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors });
  const meterProvider = new MeterProvider({ resource, readers: metricReaders });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  const sdk = { shutdown: () => Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]) };

  let shutdownPromise: Promise<void> | undefined;
  const handle: TelemetryHandle = {
    otlp: otlpTraces || otlpMetrics,
    spans: tracker,
    async forceFlush() {
      await Promise.all([...spanProcessors.map((p) => p.forceFlush()), ...metricReaders.map((r) => r.forceFlush())]).catch(() => {});
    },
    shutdown(timeoutMs = 5000) {
      shutdownPromise ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            process.stderr.write(`referee: telemetry export did not finish within ${timeoutMs} ms; JSONL files are complete\n`);
            resolve();
          }, timeoutMs);
          timer.unref();
        });
        await Promise.race([sdk.shutdown().catch(() => {}), bound]);
        if (timer) clearTimeout(timer);
        // Unregister so a later start in this process (tests, library users) registers cleanly.
        trace.disable();
        metrics.disable();
        propagation.disable();
        context.disable();
        active = undefined;
      })();
      return shutdownPromise;
    },
  };
  active = handle;
  return handle;
}
