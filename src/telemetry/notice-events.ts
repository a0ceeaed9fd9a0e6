import { trace, type AttributeValue, type Attributes, type Span } from '@opentelemetry/api';
import type { ProgressSnapshot, Reporter } from '../runner/reporter.js';
import type { SpanTracker } from './span-tracker.js';

/** Where a notice's span event goes, from whatever the notice says about itself. */
export interface TurnSpanLookup {
  turnSpan(testId: unknown, turnId: unknown): Span | undefined;
  openTurnSpans(): Span[];
}

/**
 * Retries, timeouts and watchdog warnings (the runner's `onNotice`) become
 * span events: on the turn span the notice names (`test_id` + `turn_id` in its
 * data), else on the span active where it was raised (a retry inside the
 * call), else on every turn in flight (a stall concerns all of them).
 */
export class NoticeSpanEventsReporter implements Reporter {
  constructor(private readonly spans: TurnSpanLookup | SpanTracker) {}

  onNotice(kind: string, message: string, data: Record<string, unknown>, _progress?: ProgressSnapshot): void {
    // issue 16: the turn executor already puts each retry on its turn span; a second event here showed every retry twice.
    if (kind === 'retry') return;
    try {
      const attrs: Attributes = { 'referee.notice.message': message };
      for (const [k, v] of Object.entries(data)) {
        if (isAttributeValue(v)) attrs[`referee.notice.${k}`] = v;
      }
      const named = data['test_id'] !== undefined ? this.spans.turnSpan(data['test_id'], data['turn_id']) : undefined;
      const active = trace.getActiveSpan();
      const targets = named ? [named] : active?.isRecording() ? [active] : this.spans.openTurnSpans();
      for (const span of targets) span.addEvent(kind, attrs);
    } catch {
      // Telemetry never breaks a benchmark (STYLE.md 7).
    }
  }
}

function isAttributeValue(v: unknown): v is AttributeValue {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
