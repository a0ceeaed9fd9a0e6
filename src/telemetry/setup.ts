import { context, diag, DiagLogLevel, metrics, propagation, trace } from '@opentelemetry/api';
import { diagLogLevelFromString, getBooleanFromEnv, getStringFromEnv } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { getPropagatorFromEnv } from './sdk-env.js';
import { startSdkProviders } from './sdk-providers.js';
import { exportAwarePropagator, exportMetricReadersFromEnv, exportSpanProcessorsFromEnv, metricIntervalFromEnv } from './env-export.js';
import { JsonlMetricExporter, JsonlSpanExporter } from './jsonl-exporters.js';
import { failedSpans } from './export-gate.js';
import { RedactingSpanProcessor } from './redacting-processor.js';
import { resendFailedSpans } from './resend.js';
import { ATTR } from './names.js';
import { OnceLogger } from './once-logger.js';
import { RunFileRouter } from './run-files.js';
import { SpanTracker } from './span-tracker.js';

export interface TelemetryOptions {
  /** With `runId`: the first run, whose spans.jsonl and metrics.jsonl go here. More runs: `handle.openRun`. */
  runDir?: string;
  /** Also a resource attribute when given (a single LTM run); a suite leaves it out. */
  runId?: string;
  agentName?: string;
  /** `champion`/`challenger` in match mode. */
  role?: string;
  /** Phoenix project; defaults to `PHOENIX_PROJECT_NAME` or `referee`. */
  projectName?: string;
  /** Referee's own variables (PHOENIX_PROJECT_NAME); the OTEL_* ones are read by the SDK from process.env. */
  env?: NodeJS.ProcessEnv;
  /** How often metrics are collected to the JSONL files and exporters. @default OTEL_METRIC_EXPORT_INTERVAL, else 5000 */
  metricIntervalMs?: number;
}

export interface TelemetryHandle {
  /** True when OTEL_* configuration exports spans or metrics somewhere (OTLP, console). */
  readonly otlp: boolean;
  /** Turn spans in flight, for notices that become span events. */
  readonly spans: SpanTracker;
  /** Starts writing a run's spans.jsonl and metrics.jsonl; idempotent per run id. */
  openRun(run: { runId: string; runDir: string }): void;
  /** Flushes everything of the run (its last metric values included) to its files and the exporters, then closes its files. */
  closeRun(runId: string): Promise<void>;
  forceFlush(): Promise<void>;
  /** Idempotent; never takes longer than `timeoutMs`. */
  shutdown(timeoutMs?: number): Promise<void>;
}

let active: TelemetryHandle | undefined;

/** The process-wide handle, if telemetry has started. */
export function activeTelemetry(): TelemetryHandle | undefined {
  return active;
}

/**
 * Starts the one TracerProvider and MeterProvider of this process as
 * `@opentelemetry/sdk-node`'s NodeSDK does (issue 16; sdk-providers.ts, without
 * loading sdk-node, for start-up): resource detectors, OTEL_RESOURCE_ATTRIBUTES,
 * OTEL_SDK_DISABLED, OTEL_LOG_LEVEL, propagators, span limits and the exporters
 * behave as the SDK specification says. A second call returns the running
 * handle (and opens its run, if it names one), so every kind of run shares one
 * provider and there is never a "duplicate registration" warning (seed 000 3.5).
 */
export function startTelemetry(options: TelemetryOptions = {}): TelemetryHandle {
  if (active) {
    if (options.runId && options.runDir) active.openRun({ runId: options.runId, runDir: options.runDir });
    return active;
  }
  const env = options.env ?? process.env;
  installLogger();
  const router = new RunFileRouter();
  const tracker = new SpanTracker();
  // The record (JSONL) sees every span; its batch size is tuned for the event loop, not the OTEL_BSP_* of export:
  // a 512-span batch blocked it 6-17 ms, 64-span batches cost 1-2 ms (issue 8, workload B).
  const record = new BatchSpanProcessor(new JsonlSpanExporter(router), { scheduledDelayMillis: 1000, maxQueueSize: 65_536, maxExportBatchSize: 64 });
  const interval = options.metricIntervalMs ?? metricIntervalFromEnv();
  const recordReader = new PeriodicExportingMetricReader({ exporter: new JsonlMetricExporter(router), exportIntervalMillis: interval });
  const disabled = getBooleanFromEnv('OTEL_SDK_DISABLED');
  // A dead collector must not hold the process after the run: the SDK's 10 s export timeout, retried,
  // kept it alive 30 s. Referee's default is 2.5 s; OTEL_EXPORTER_OTLP_TIMEOUT (ms) still says otherwise.
  process.env.OTEL_EXPORTER_OTLP_TIMEOUT ??= String(DEFAULT_OTLP_TIMEOUT_MS);
  const exportProcessors = disabled ? [] : exportSpanProcessorsFromEnv();
  const exportReaders = disabled ? [] : exportMetricReadersFromEnv(interval);
  // issue 14: secrets out of every span before any exporter (spans.jsonl, OTLP) sees it.
  const spanProcessors: SpanProcessor[] = [new RedactingSpanProcessor(), router, tracker, record, ...exportProcessors];
  const readers: IMetricReader[] = [recordReader, ...exportReaders];
  const resource = resourceFromAttributes({
    'service.name': 'referee',
    'openinference.project.name': options.projectName ?? env.PHOENIX_PROJECT_NAME ?? 'referee',
    ...(options.runId ? { [ATTR.runId]: options.runId } : {}),
    ...(options.agentName ? { [ATTR.agentName]: options.agentName } : {}),
    [ATTR.role]: options.role ?? 'single',
  });
  const sdk = disabled ? recordOnly(resource, spanProcessors, readers) : viaSdk(resource, spanProcessors, readers);
  // Ours again, whatever the SDK's start did to the global logger.
  installLogger();

  // The record is flushed whole; exporters get a bounded wait (a dead collector must not hold every
  // run end). Requests made while a flush runs share the one after it, which sees their data (issue 16).
  let last: Promise<void> = Promise.resolve();
  let next: Promise<void> | undefined;
  const flushOnce = async (): Promise<void> => {
    next = undefined;
    await Promise.all([record.forceFlush(), recordReader.forceFlush()]).catch(() => {});
    const exported = Promise.all([...exportProcessors.map((p) => p.forceFlush()), ...exportReaders.map((r) => r.forceFlush())]).catch(() => {});
    await Promise.race([exported, delay(EXPORT_FLUSH_WAIT_MS)]);
  };
  const flushAll = (): Promise<void> => (next ??= last = last.then(flushOnce));
  let shutdownPromise: Promise<void> | undefined;
  /** Every run directory this process recorded: where the spans that failed to export are read back from. */
  const runDirs = new Set<string>();
  const handle: TelemetryHandle = {
    otlp: exportProcessors.length > 0 || exportReaders.length > 0,
    spans: tracker,
    openRun: (run) => {
      runDirs.add(run.runDir);
      router.open(run.runId, run.runDir);
    },
    async closeRun(runId) {
      // issue 16: a final flush at run end, so a run shorter than one interval reaches the dashboards too.
      await flushAll();
      router.close(runId);
    },
    forceFlush: flushAll,
    shutdown(timeoutMs = 5000) {
      shutdownPromise ??= boundedShutdown(timeoutMs, () => Promise.all([record.forceFlush(), recordReader.forceFlush()]), sdk, router, runDirs).then(() => {
        active = undefined;
      });
      return shutdownPromise;
    },
  };
  active = handle;
  if (options.runId && options.runDir) handle.openRun({ runId: options.runId, runDir: options.runDir });
  return handle;
}

/**
 * The record first (local, it must be complete whatever the exporters do), then the SDK, then the spans
 * that failed to export sent again from the record (resend.ts), all within `timeoutMs`. A collector whose
 * port is closed costs none of it: the gate fails those exports at once (export-gate.ts).
 */
async function boundedShutdown(timeoutMs: number, flushRecord: () => Promise<unknown>, sdk: { shutdown(): Promise<void> }, router: RunFileRouter, runDirs: Set<string>): Promise<void> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      process.stderr.write(`referee: telemetry export did not finish within ${timeoutMs} ms; JSONL files are complete\n`);
      resolve();
    }, timeoutMs);
    timer.unref();
  });
  await flushRecord().catch(() => {});
  await Promise.race([sdk.shutdown().catch(() => {}), bound]);
  if (failedSpans.size > 0) {
    const left = Math.max(0, timeoutMs - (Date.now() - started));
    const resend = await Promise.race([resendFailedSpans(runDirs, Math.max(1, left)).catch(() => undefined), delay(left).then(() => undefined)]);
    const unsent = resend?.unsent ?? failedSpans.size;
    // Through the diagnostic logger: one line, and OTEL_LOG_LEVEL=none silences it as it does the rest.
    if (resend?.resent) diag.warn(`${resend.resent} spans that had failed to export were sent again from spans.jsonl${unsent ? `; ${unsent} still unsent (referee replay RUN_DIR sends them)` : ''}`);
    else diag.warn(`${unsent} spans could not be exported; they are in spans.jsonl (referee replay RUN_DIR sends them)`);
  }
  if (timer) clearTimeout(timer);
  await router.shutdown();
  // Unregister so a later start in this process (tests, library users) registers cleanly.
  trace.disable();
  metrics.disable();
  propagation.disable();
  context.disable();
}

/** Telemetry problems are said once each on one line (STYLE.md 7), at OTEL_LOG_LEVEL (default warn). */
function installLogger(): void {
  const level = diagLogLevelFromString(getStringFromEnv('OTEL_LOG_LEVEL') ?? 'warn') ?? DiagLogLevel.WARN;
  diag.setLogger(new OnceLogger(), { logLevel: level, suppressOverrideMessage: true });
}

/**
 * A chat span records each message of the conversation as two attributes; at the
 * spec's default of 128 a long conversation pushed the reply, its token counts and
 * usage_source off the span (issue 16). OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT or
 * OTEL_ATTRIBUTE_COUNT_LIMIT still set it.
 */
const DEFAULT_ATTRIBUTE_COUNT_LIMIT = 4096;
const DEFAULT_OTLP_TIMEOUT_MS = 2500;
/** How long a run-end flush waits for the exporters (the record is always flushed whole). */
const EXPORT_FLUSH_WAIT_MS = 1000;
const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());
function spanLimitsSet(): boolean {
  return getStringFromEnv('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT') !== undefined || getStringFromEnv('OTEL_ATTRIBUTE_COUNT_LIMIT') !== undefined;
}

function viaSdk(resource: Resource, spanProcessors: SpanProcessor[], metricReaders: IMetricReader[]): { shutdown(): Promise<void> } {
  return startSdkProviders({
    resource,
    // Every span is recorded; OTEL_TRACES_SAMPLER is applied to the export processors (env-export.ts).
    sampler: new AlwaysOnSampler(),
    spanProcessors: spanProcessors as unknown as Parameters<typeof startSdkProviders>[0]['spanProcessors'],
    metricReaders,
    // traceparent says whether the export sampler kept the trace (the provider itself samples everything).
    textMapPropagator: exportAwarePropagator(getPropagatorFromEnv()),
    ...(spanLimitsSet() ? {} : { spanLimits: { attributeCountLimit: DEFAULT_ATTRIBUTE_COUNT_LIMIT } }),
  });
}

/** OTEL_SDK_DISABLED: no exporter and no detector, but the run's JSONL record is still written. */
function recordOnly(resource: Resource, spanProcessors: SpanProcessor[], readers: IMetricReader[]): { shutdown(): Promise<void> } {
  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors, spanLimits: { attributeCountLimit: DEFAULT_ATTRIBUTE_COUNT_LIMIT } });
  const meterProvider = new MeterProvider({ resource, readers });
  // Without a context manager every span is a root: the record lost its parentage (issue 24). Nothing is exported,
  // but the agents still get the run's traceparent, so their own spans can join the recorded trace.
  const contextManager = new AsyncLocalStorageContextManager();
  contextManager.enable();
  context.setGlobalContextManager(contextManager);
  const propagator = exportAwarePropagator(getPropagatorFromEnv());
  if (propagator) propagation.setGlobalPropagator(propagator);
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  return { shutdown: () => Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]).then(() => {}) };
}
