/**
 * The suite's span: the launcher starts it, hands its W3C context to every shard as TRACEPARENT
 * (their run spans become its children, in one trace), and ends it once the jobs are written and
 * submitted. It is recorded in `<dir>/spans.jsonl` beside the scripts, and exported over OTLP where
 * OTEL_* says so, so a trace viewer leads from it to every shard's work.
 */
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { ATTR, TRACER_NAME } from '../telemetry/names.js';
import { startTelemetry } from '../telemetry/setup.js';
import { newTraceparent, withTraceparent } from '../shards/trace-parent.js';

/** The span's name (beside `benchmark.run`, whose parent it is). */
export const SUITE_SPAN = 'benchmark.suite';

export async function withSuiteSpan<T>(s: { suite: string; runId: string; shards: number; dir: string; launcher: string }, body: (traceparent: string) => Promise<T> | T): Promise<T> {
  const telemetry = startTelemetry({});
  // The JSONL exporter files a span under its run id: the suite span is the suite run id's.
  const recordId = s.runId;
  telemetry.openRun({ runId: recordId, runDir: s.dir });
  // A launcher started inside a larger trace (its own TRACEPARENT) puts the suite under it.
  const span = withTraceparent(process.env, () =>
    trace.getTracer(TRACER_NAME).startSpan(
      SUITE_SPAN,
      { attributes: { 'openinference.span.kind': 'CHAIN', [ATTR.runId]: s.runId, 'referee.suite': s.suite, 'referee.shards': s.shards, 'referee.launcher': s.launcher } },
      context.active(),
    ),
  );
  try {
    const c = span.spanContext();
    // Tracing switched off (OTEL_TRACES_SAMPLER=always_off): the shards still share one fresh trace.
    return await body(isSpanContextValid(c) ? `00-${c.traceId}-${c.spanId}-0${c.traceFlags & 1}` : newTraceparent());
  } finally {
    span.end();
    await telemetry.closeRun(recordId);
    await telemetry.shutdown(5000);
  }
}
