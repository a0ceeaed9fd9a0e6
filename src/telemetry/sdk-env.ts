import { createRequire } from 'node:module';
import { diag, type TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, getNumberFromEnv, getStringFromEnv, getStringListFromEnv, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { envDetector, hostDetector, osDetector, processDetector, serviceInstanceIdDetector, type ResourceDetector } from '@opentelemetry/resources';
import { AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler, type SpanExporter, type SpanLimits } from '@opentelemetry/sdk-trace';

/**
 * The OTEL_* readings of @opentelemetry/sdk-node 0.223 (utils.js, create-from-env.js), same names,
 * defaults and warnings, without loading sdk-node: its modules require every exporter it knows
 * (gRPC, protobuf, JSON, Zipkin, Prometheus, logs), about 80 ms of CPU and 10 MB before a run's
 * first turn. Propagators other than W3C's (b3, jaeger) are rare; for those sdk-node's own
 * function is loaded.
 */

export function getNonNegativeNumberFromEnv(name: string): number | undefined {
  const value = getNumberFromEnv(name);
  if (value != null && value <= 0) {
    diag.warn(`${name} (${value}) is invalid, expected number greater than 0, using default.`);
    return undefined;
  }
  return value;
}

const DEFAULT_RATIO = 1;

function samplerRatioFromEnv(): number {
  const ratio = getNumberFromEnv('OTEL_TRACES_SAMPLER_ARG');
  if (ratio == null) {
    diag.error(`OTEL_TRACES_SAMPLER_ARG is blank, defaulting to ${DEFAULT_RATIO}.`);
    return DEFAULT_RATIO;
  }
  if (ratio < 0 || ratio > 1) {
    diag.error(`OTEL_TRACES_SAMPLER_ARG=${ratio} was given, but it is out of range ([0..1]), defaulting to ${DEFAULT_RATIO}.`);
    return DEFAULT_RATIO;
  }
  return ratio;
}

/** OTEL_TRACES_SAMPLER (undefined where unset or unknown). */
export function createSamplerFromEnv(): Sampler | undefined {
  const name = getStringFromEnv('OTEL_TRACES_SAMPLER');
  switch (name) {
    case undefined:
      return undefined;
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(samplerRatioFromEnv());
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(samplerRatioFromEnv()) });
    default:
      diag.error(`unknown OTEL_TRACES_SAMPLER value "${name}", using default`);
      return undefined;
  }
}

/** OTEL_SPAN_* and OTEL_ATTRIBUTE_* limits (undefined fields: the SDK's defaults). */
export function createSpanLimitsFromEnv(): SpanLimits {
  return {
    attributeCountLimit: getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT') ?? getNumberFromEnv('OTEL_ATTRIBUTE_COUNT_LIMIT'),
    attributeValueLengthLimit: getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? getNumberFromEnv('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'),
    eventCountLimit: getNumberFromEnv('OTEL_SPAN_EVENT_COUNT_LIMIT'),
    linkCountLimit: getNumberFromEnv('OTEL_SPAN_LINK_COUNT_LIMIT'),
    attributePerEventCountLimit: getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT'),
    attributePerLinkCountLimit: getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT'),
  };
}

/** A batch processor for an export, sized by OTEL_BSP_*. */
export function createBatchSpanProcessorFromEnv(exporter: SpanExporter): BatchSpanProcessor {
  return new BatchSpanProcessor({
    exporter,
    maxQueueSize: getNonNegativeNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE'),
    scheduledDelayMillis: getNonNegativeNumberFromEnv('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: getNonNegativeNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT'),
    maxExportBatchSize: getNonNegativeNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
  });
}

const W3C_PROPAGATORS: Record<string, () => TextMapPropagator> = {
  tracecontext: () => new W3CTraceContextPropagator(),
  baggage: () => new W3CBaggagePropagator(),
};

/** OTEL_PROPAGATORS: undefined where unset (the default W3C pair), null for none. */
export function getPropagatorFromEnv(): TextMapPropagator | null | undefined {
  const names = getStringListFromEnv('OTEL_PROPAGATORS');
  if (names == null) return undefined;
  if (names.includes('none')) return null;
  const unique = [...new Set(names)];
  if (!unique.every((n) => n in W3C_PROPAGATORS)) {
    // b3, b3multi, jaeger or an unknown name: sdk-node's own reading, with its warnings.
    const utils = createRequire(import.meta.url)('@opentelemetry/sdk-node/build/src/utils.js') as { getPropagatorFromEnv(): TextMapPropagator | null | undefined };
    return utils.getPropagatorFromEnv();
  }
  const propagators = unique.map((n) => W3C_PROPAGATORS[n]!());
  return propagators.length === 1 ? propagators[0] : new CompositePropagator({ propagators });
}

const DETECTORS: Record<string, ResourceDetector> = {
  host: hostDetector,
  os: osDetector,
  serviceinstance: serviceInstanceIdDetector,
  process: processDetector,
  env: envDetector,
};

/** OTEL_NODE_RESOURCE_DETECTORS; where unset, NodeSDK's default: env, process and host. */
export function resourceDetectorsFromEnv(): ResourceDetector[] {
  if (!getStringFromEnv('OTEL_NODE_RESOURCE_DETECTORS')) return [envDetector, processDetector, hostDetector];
  const names = getStringListFromEnv('OTEL_NODE_RESOURCE_DETECTORS') ?? ['all'];
  if (names.includes('all')) return Object.values(DETECTORS);
  if (names.includes('none')) return [];
  return names.flatMap((name) => {
    const detector = DETECTORS[name];
    if (!detector) diag.warn(`Invalid resource detector "${name}" specified in the environment variable OTEL_NODE_RESOURCE_DETECTORS`);
    return detector ?? [];
  });
}
