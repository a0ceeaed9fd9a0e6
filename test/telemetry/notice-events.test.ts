import { context, trace } from '@opentelemetry/api';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPAN, TRACER_NAME } from '../../src/telemetry/names.js';
import { NoticeSpanEventsReporter } from '../../src/telemetry/notice-events.js';
import { startTelemetry } from '../../src/telemetry/setup.js';
import { readJsonl, tempDir } from '../helpers.js';

interface Line {
  resourceSpans: { scopeSpans: { spans: { name: string; attributes: { key: string; value: { stringValue?: string } }[]; events?: { name: string; attributes: { key: string }[] }[] }[] }[] }[];
}

describe('notices become span events on the turn they concern', () => {
  it('puts a notice on the turn it names, a stall on every turn in flight and nothing on finished turns; retries are left to the turn executor', async () => {
    const dir = tempDir();
    const telemetry = startTelemetry({ runDir: dir, runId: 'r1', agentName: 'a', env: {} });
    const reporter = new NoticeSpanEventsReporter(telemetry.spans);
    const tracer = trace.getTracer(TRACER_NAME);
    const turn = (testId: string, turnId: number) =>
      tracer.startSpan(SPAN.turn, { attributes: { 'referee.test_id': testId, 'referee.turn_id': turnId } }, context.active());
    const a = turn('Colours/0', 3);
    const b = turn('Shopping/1', 7);
    const done = turn('Colours/0', 2);
    done.end();
    // issue 16: the turn executor puts each retry on its span; the reporter adding one too showed every retry twice.
    reporter.onNotice('retry', 'retrying after HTTP 429 (attempt 2)', { test_id: 'Shopping/1', turn_id: 7, attempt: 2, reason: 'http_429' });
    reporter.onNotice('timeout', 'no reply within 30 s', { test_id: 'Shopping/1', turn_id: 7, attempt: 2, reason: 'timeout' });
    reporter.onNotice('stall', 'no progress for 900 s', { seconds: 900 });
    a.end();
    b.end();
    await telemetry.shutdown();
    const spans = readJsonl<Line>(join(dir, 'spans.jsonl')).flatMap((l) => l.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
    // OTLP-JSON attribute values: {stringValue} or {intValue} (a number or a string, by serializer).
    const attr = (s: (typeof spans)[number], key: string): string | undefined => {
      const v = s.attributes.find((x) => x.key === key)?.value as Record<string, unknown> | undefined;
      return v ? String(Object.values(v)[0]) : undefined;
    };
    const events = (testId: string, turnId: number): string[] =>
      spans.find((s) => attr(s, 'referee.test_id') === testId && attr(s, 'referee.turn_id') === String(turnId))?.events?.map((e) => e.name) ?? [];
    expect(events('Shopping/1', 7)).toEqual(['timeout', 'stall']);
    expect(events('Colours/0', 3)).toEqual(['stall']);
    expect(events('Colours/0', 2)).toEqual([]);
    const timeout = spans.flatMap((s) => s.events ?? []).find((e) => e.name === 'timeout')!;
    expect(timeout.attributes.map((x) => x.key)).toEqual(expect.arrayContaining(['referee.notice.message', 'referee.notice.attempt', 'referee.notice.reason']));
  });
});
