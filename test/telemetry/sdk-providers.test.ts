/**
 * Telemetry start-up builds the providers without loading @opentelemetry/sdk-node (its modules
 * load every exporter it knows); what they do must stay what NodeSDK's would do. Each case starts
 * NodeSDK and then Referee's providers with the same options, under the same OTEL_* variables,
 * and compares what a user sees: the span's resource, how many attributes survive the limits,
 * what the propagator writes into an agent's headers, and the metrics' resource.
 */
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, InMemoryMetricExporter, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOnSampler, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { getPropagatorFromEnv } from '../../src/telemetry/sdk-env.js';
import { startSdkProviders } from '../../src/telemetry/sdk-providers.js';

interface Seen {
  resource: Record<string, unknown>;
  attributes: number;
  headers: Record<string, string>;
  metricResource: Record<string, unknown>;
}

async function observe(start: (o: Parameters<typeof startSdkProviders>[0]) => { shutdown(): Promise<void> }, spanLimits?: { attributeCountLimit: number }): Promise<Seen> {
  const spans = new InMemorySpanExporter();
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
  const sdk = start({
    resource: resourceFromAttributes({ 'service.name': 'referee', 'referee.role': 'single' }),
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new SimpleSpanProcessor(spans)] as never,
    metricReaders: [reader],
    textMapPropagator: getPropagatorFromEnv(),
    ...(spanLimits ? { spanLimits } : {}),
  });
  const span = trace.getTracer('t').startSpan('s');
  for (let i = 0; i < 300; i++) span.setAttribute(`a${i}`, i);
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), headers);
  span.end();
  metrics.getMeter('m').createCounter('c').add(1);
  await reader.forceFlush();
  const finished = spans.getFinishedSpans()[0]!;
  await finished.resource.waitForAsyncAttributes?.();
  const metricResource = metricExporter.getMetrics()[0]!.resource;
  await metricResource.waitForAsyncAttributes?.();
  await sdk.shutdown();
  trace.disable();
  metrics.disable();
  propagation.disable();
  context.disable();
  // The ids differ between the two runs; the header names and the sampled flag must not.
  const shape = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace(/[0-9a-f]{16,32}/g, 'ID')]));
  return { resource: { ...finished.resource.attributes }, attributes: Object.keys(finished.attributes).length, headers: shape, metricResource: { ...metricResource.attributes } };
}

const viaNodeSdk = (o: Parameters<typeof startSdkProviders>[0]): { shutdown(): Promise<void> } => {
  const sdk = new NodeSDK({ ...o, spanProcessors: o.spanProcessors as never, logRecordProcessors: [] });
  sdk.start();
  return sdk;
};

const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

describe('telemetry providers without sdk-node', () => {
  const cases: [string, Record<string, string>, { attributeCountLimit: number } | undefined][] = [
    ['defaults, with Referee\'s attribute limit', {}, { attributeCountLimit: 4096 }],
    ['OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME and the SDK\'s own attribute limit', { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=ci,team=evals', OTEL_SERVICE_NAME: 'bench', OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '7' }, undefined],
    ['OTEL_NODE_RESOURCE_DETECTORS=os,env and OTEL_ATTRIBUTE_COUNT_LIMIT', { OTEL_NODE_RESOURCE_DETECTORS: 'os,env', OTEL_RESOURCE_ATTRIBUTES: 'a=b', OTEL_ATTRIBUTE_COUNT_LIMIT: '11' }, undefined],
    ['OTEL_NODE_RESOURCE_DETECTORS=none', { OTEL_NODE_RESOURCE_DETECTORS: 'none' }, undefined],
    ['OTEL_NODE_RESOURCE_DETECTORS=all', { OTEL_NODE_RESOURCE_DETECTORS: 'all' }, undefined],
    ['OTEL_PROPAGATORS=b3multi,baggage', { OTEL_PROPAGATORS: 'b3multi,baggage' }, undefined],
    ['OTEL_PROPAGATORS=tracecontext', { OTEL_PROPAGATORS: 'tracecontext' }, undefined],
    ['OTEL_PROPAGATORS=none', { OTEL_PROPAGATORS: 'none' }, undefined],
  ];
  it.each(cases)('%s: the same resource, limits, headers and metrics as NodeSDK', async (_name, env, limits) => {
    Object.assign(process.env, env);
    const theirs = await observe(viaNodeSdk, limits);
    const ours = await observe(startSdkProviders, limits);
    expect(ours).toEqual(theirs);
    // The case tests something: the resource has the detectors' attributes or none, as asked.
    expect(Object.keys(ours.resource).length).toBeGreaterThan(1);
  });

  it('defaults: the process and host detectors ran, and 300 attributes fit under Referee\'s limit', async () => {
    const ours = await observe(startSdkProviders, { attributeCountLimit: 4096 });
    expect(ours.resource['process.pid']).toBe(process.pid);
    expect(ours.resource['host.name']).toBeTypeOf('string');
    expect(ours.attributes).toBe(300);
    expect(Object.keys(ours.headers)).toEqual(['traceparent']);
  });
});
