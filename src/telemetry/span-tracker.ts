import { metrics, type Attributes, type Context, type Histogram, type Span } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR, FAST_BUCKETS_S, METER_NAME, METRIC, SPAN } from './names.js';

/**
 * A span processor that watches spans start and end, so that telemetry can
 * follow the runner without the runner knowing: it keeps the turn spans in
 * flight (notices such as a watchdog stall become events on them) and turns
 * each `evaluate {evaluator}` span into the evaluation-duration histogram.
 */
export class SpanTracker implements SpanProcessor {
  private readonly openTurns = new Map<string, Span>();
  /** The run attributes of each run's trace: one provider serves every run of a suite (issue 16). */
  private readonly runAttrs = new Map<string, Attributes>();
  private evaluation: Histogram | undefined;

  onStart(span: Span & ReadableSpan, _parentContext: Context): void {
    if (span.name === SPAN.run) {
      const attrs: Attributes = {};
      for (const key of [ATTR.runId, ATTR.agentName, ATTR.role]) if (typeof span.attributes[key] === 'string') attrs[key] = span.attributes[key];
      this.runAttrs.set(span.spanContext().traceId, attrs);
    }
    // Per test trace (trace-per.ts), a test's trace reads the run's attributes from the run's trace.
    const runTrace = span.attributes[ATTR.runTraceId];
    if (typeof runTrace === 'string') {
      const attrs = this.runAttrs.get(runTrace);
      if (attrs) this.runAttrs.set(span.spanContext().traceId, attrs);
    }
    if (span.name !== SPAN.turn) return;
    this.openTurns.set(turnKey(span.attributes[ATTR.testId], span.attributes[ATTR.turnId]), span);
  }

  onEnd(span: ReadableSpan): void {
    if (span.name === SPAN.turn) {
      this.openTurns.delete(turnKey(span.attributes[ATTR.testId], span.attributes[ATTR.turnId]));
      return;
    }
    if (span.name === SPAN.run || typeof span.attributes[ATTR.runTraceId] === 'string') {
      this.runAttrs.delete(span.spanContext().traceId);
      return;
    }
    if (span.name.startsWith('evaluate ')) {
      // Created on first use: the MeterProvider is registered after the span processors are built.
      this.evaluation ??= metrics.getMeter(METER_NAME).createHistogram(METRIC.evaluationDuration, {
        unit: 's',
        description: 'Scoring time per test',
        advice: { explicitBucketBoundaries: FAST_BUCKETS_S },
      });
      const [s, ns] = span.duration;
      const attrs: Attributes = { ...this.runAttrs.get(span.spanContext().traceId) };
      for (const key of [ATTR.runId, ATTR.agentName, ATTR.role, 'referee.evaluator']) {
        const v = span.attributes[key];
        if (typeof v === 'string') attrs[key] = v;
      }
      this.evaluation.record(s + ns / 1e9, attrs);
    }
  }

  /** The turn span in flight for this test and turn, if any. */
  turnSpan(testId: unknown, turnId: unknown): Span | undefined {
    return this.openTurns.get(turnKey(testId, turnId));
  }

  /** Every turn span in flight (one per lane at most). */
  openTurnSpans(): Span[] {
    return [...this.openTurns.values()];
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {
    this.openTurns.clear();
  }
}

function turnKey(testId: unknown, turnId: unknown): string {
  return `${String(testId)}#${String(turnId)}`;
}
