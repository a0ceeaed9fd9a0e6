import { context, diag, DiagLogLevel, metrics, propagation, trace, type DiagLogger } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { join } from 'node:path';
import { JsonlMetricExporter, JsonlSpanExporter } from './jsonl-exporters.js';
import { ATTR } from './names.js';
import { createOtlpMetricExporter, createOtlpTraceExporter, otlpEnabled } from './otlp.js';

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
  /** How often metrics are collected to the JSONL file and OTLP. @default 5000 */
  metricIntervalMs?: number;
}

export interface TelemetryHandle {
  readonly otlp: boolean;
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

/** Export errors arrive as a JSON-serialised Error with its stack; a person needs its message, on one line. */
function oneLineMessage(raw: string): string {
  try {
    const parsed = JSON.parse(raw) as { message?: unknown } | null;
    if (parsed && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: the text itself
  }
  return String(raw).split('\n')[0] ?? '';
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

  const spanProcessors: SpanProcessor[] = [
    new BatchSpanProcessor(new JsonlSpanExporter(join(options.runDir, 'spans.jsonl')), {
      scheduledDelayMillis: 1000,
      maxQueueSize: 65_536,
      maxExportBatchSize: 512,
    }),
  ];
  const interval = options.metricIntervalMs ?? 5000;
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
      new PeriodicExportingMetricReader({ exporter: createOtlpMetricExporter(env), exportIntervalMillis: interval, exportTimeoutMillis: Math.min(interval, 5000) }),
    );
  }

  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    spanProcessors,
    metricReaders,
    instrumentations: [],
  });
  sdk.start();

  let shutdownPromise: Promise<void> | undefined;
  const handle: TelemetryHandle = {
    otlp: otlpTraces || otlpMetrics,
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
