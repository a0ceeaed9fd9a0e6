import { context, metrics, propagation, trace, type TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, getBooleanFromEnv, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { detectResources, type Resource } from '@opentelemetry/resources';
import { MeterProvider, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { TracerProvider, type Sampler, type SpanLimits, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { createSpanLimitsFromEnv, resourceDetectorsFromEnv } from './sdk-env.js';

export interface SdkOptions {
  resource: Resource;
  sampler: Sampler;
  spanProcessors: SpanProcessor[];
  metricReaders: IMetricReader[];
  /** null: none registered; undefined: W3C trace context and baggage. */
  textMapPropagator: TextMapPropagator | null | undefined;
  spanLimits?: SpanLimits;
}

/**
 * What `new NodeSDK({ resource, sampler, spanProcessors, metricReaders, logRecordProcessors: [],
 * textMapPropagator, spanLimits }).start()` of @opentelemetry/sdk-node 0.223 registers, built from
 * the same packages without loading sdk-node (sdk-env.ts says why): the async-hooks context
 * manager, the propagator, the resource merged with OTEL_NODE_RESOURCE_DETECTORS' detectors (env,
 * process and host by default), a MeterProvider and a TracerProvider (OTEL_SPAN_* limits under
 * ours, OTEL_NODE_EXPERIMENTAL_SDK_METRICS). Referee emits no logs: its logger provider would have
 * had no processor, so none is registered.
 */
export function startSdkProviders(options: SdkOptions): { shutdown(): Promise<void> } {
  const contextManager = new AsyncLocalStorageContextManager();
  contextManager.enable();
  context.setGlobalContextManager(contextManager);
  if (options.textMapPropagator !== null) {
    propagation.setGlobalPropagator(options.textMapPropagator ?? new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  }
  const resource = options.resource.merge(detectResources({ detectors: resourceDetectorsFromEnv() }));
  const sdkMetricsEnabled = getBooleanFromEnv('OTEL_NODE_EXPERIMENTAL_SDK_METRICS');
  const meterProvider = options.metricReaders.length > 0 ? new MeterProvider({ resource, views: [], readers: options.metricReaders, sdkMetricsEnabled }) : undefined;
  if (meterProvider) metrics.setGlobalMeterProvider(meterProvider);
  const tracerProvider =
    options.spanProcessors.length > 0
      ? new TracerProvider({
          sampler: options.sampler,
          spanLimits: { ...createSpanLimitsFromEnv(), ...options.spanLimits },
          resource,
          meterProvider: sdkMetricsEnabled ? meterProvider : undefined,
          spanProcessors: options.spanProcessors,
        })
      : undefined;
  if (tracerProvider) trace.setGlobalTracerProvider(tracerProvider);
  return {
    shutdown: () => Promise.all([tracerProvider?.shutdown(), meterProvider?.shutdown()]).then(() => {}),
  };
}
