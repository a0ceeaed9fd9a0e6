/**
 * issue 14: the one redaction (`redactSecrets`, src/runner/secrets.ts) applied
 * to every span before any exporter sees it: attributes, event attributes and
 * the status message, while the span can still be written (`onEnding`). First
 * among the processors, so spans.jsonl and OTLP get the same clean span.
 */
import type { AttributeValue } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { redact } from '../events/secrets.js';

function clean(value: AttributeValue | undefined): AttributeValue | undefined {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value) && value.some((v) => typeof v === 'string')) return value.map((v) => (typeof v === 'string' ? redact(v) : v)) as AttributeValue;
  return value;
}

export class RedactingSpanProcessor implements SpanProcessor {
  onStart(): void {}

  onEnding(span: Span): void {
    try {
      for (const [key, value] of Object.entries(span.attributes)) {
        const next = clean(value);
        if (next !== value && next !== undefined) span.setAttribute(key, next);
      }
      for (const event of span.events) {
        if (!event.attributes) continue;
        const attrs = event.attributes as Record<string, AttributeValue | undefined>;
        for (const [key, value] of Object.entries(attrs)) attrs[key] = clean(value);
      }
      if (span.status.message) span.setStatus({ ...span.status, message: redact(span.status.message) });
    } catch {
      // Telemetry never breaks a run (STYLE.md 7); the JSONL writer redacts again.
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
