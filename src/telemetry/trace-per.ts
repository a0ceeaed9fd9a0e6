/**
 * One trace per run, or one per test. A whole run as one trace does not read in a trace
 * viewer once it is long: a 5,000-turn LTM run is 10,711 spans in one trace, which Phoenix
 * pages 1,000 spans at a time. Per test, every test (a GoodAI conversation, a task) is the
 * root of a trace of its own, tied back to the run's trace by a span link and by
 * `referee.run_trace_id`, and carries OpenInference's `session.id`, so Phoenix's Sessions
 * view lists every test as a conversation. The record (spans.jsonl) keeps every span with
 * the trace, parent and links it was created with, so `referee replay` sends the same traces.
 */
import { createContextKey, trace, type Attributes, type Context, type Link, type Span, type SpanOptions } from '@opentelemetry/api';
import { SemanticConventions } from '@arizeai/openinference-semantic-conventions';
import { ATTR, SPAN, TRACER_NAME } from './names.js';

export type TracePer = 'run' | 'test';
export const TRACE_PER_CHOICES = ['auto', 'run', 'test'] as const;
export type TracePerChoice = (typeof TRACE_PER_CHOICES)[number];

/**
 * `auto` splits a run with more planned turns than this. About two spans a turn (the turn and
 * its `chat`, storage and evaluation spans beside), so a run below it stays under the 1,000
 * spans Phoenix shows of a trace at once, and the default runs read as one trace.
 */
export const TRACE_PER_TEST_ABOVE_TURNS = 400;

/** Filler turns (no test's) of a lane gather in blocks of at most this many, each a trace. */
export const FILLER_BLOCK_TURNS = 100;

/** The mode a run uses: `auto` is per test above {@link TRACE_PER_TEST_ABOVE_TURNS} planned turns. */
export function resolveTracePer(choice: TracePerChoice | undefined, plannedTurns: number): TracePer {
  if (choice === 'run' || choice === 'test') return choice;
  return plannedTurns > TRACE_PER_TEST_ABOVE_TURNS ? 'test' : 'run';
}

/** OpenInference's `session.id`: what Phoenix groups a trace's spans by. */
export const SESSION_ID = SemanticConventions.SESSION_ID;

const TRACE_SESSION = createContextKey('referee.trace_session');

/**
 * The trace's session, carried in the context to the spans an agent makes (its `chat` span): Phoenix
 * reads `gen_ai.conversation.id` as `session.id`, so they name the trace's session, not the agent's own.
 */
export function withTraceSession(ctx: Context, sessionId: string | undefined): Context {
  return sessionId === undefined ? ctx : ctx.setValue(TRACE_SESSION, sessionId);
}

export function traceSessionOf(ctx: Context): string | undefined {
  const v = ctx.getValue(TRACE_SESSION);
  return typeof v === 'string' ? v : undefined;
}

/** The session of a test's trace: the run's id and the test's. */
export function testSessionId(runId: string, testId: string): string {
  return `${runId}/${testId}`;
}

/**
 * Starts the span that heads a test (or a block of filler turns): under the run span in
 * one trace per run; per test, the root of a new trace, linked to the run span.
 */
export function startTestSpan(name: string, runCtx: Context, per: TracePer, attributes: Attributes): Span {
  const tracer = trace.getTracer(TRACER_NAME);
  if (per === 'run') return tracer.startSpan(name, { attributes }, runCtx);
  const run = trace.getSpanContext(runCtx);
  const links: Link[] = run ? [{ context: run, attributes: { [ATTR.link]: 'run' } }] : [];
  const options: SpanOptions = {
    root: true,
    links,
    attributes: { ...attributes, ...(run ? { [ATTR.runTraceId]: run.traceId, [ATTR.runSpanId]: run.spanId } : {}) },
  };
  return tracer.startSpan(name, options, runCtx);
}

/**
 * One lane's filler turns (no test's) per test trace: consecutive ones gather under a
 * `benchmark.filler` span, a trace of its own, at most {@link FILLER_BLOCK_TURNS} turns each, so
 * that the run's trace does not grow with the run either.
 */
export class FillerBlocks {
  private span: Span | undefined;
  private ctx: Context | undefined;
  private turns = 0;
  private blocks = 0;

  /** The session of the lane's filler blocks (per test trace). */
  readonly sessionId: string;

  constructor(private readonly o: { runId: string; lane: number; runCtx: Context; per: TracePer }) {
    this.sessionId = testSessionId(o.runId, `filler-lane-${o.lane}`);
  }

  /** The parent of the next filler turn. */
  parent(): Context {
    if (this.o.per === 'run') return this.o.runCtx;
    if (!this.span || this.turns >= FILLER_BLOCK_TURNS) {
      this.end();
      this.span = startTestSpan(SPAN.filler, this.o.runCtx, 'test', {
        'openinference.span.kind': 'CHAIN',
        [ATTR.runId]: this.o.runId,
        [ATTR.testId]: 'filler',
        'referee.lane': this.o.lane,
        'referee.filler.block': this.blocks++,
        [SESSION_ID]: this.sessionId,
      });
      this.ctx = trace.setSpan(this.o.runCtx, this.span);
    }
    this.turns++;
    return this.ctx!;
  }

  /** Ends the open block (at the lane's end). */
  end(): void {
    if (this.span) this.span.setAttribute('referee.filler.turns', this.turns);
    this.span?.end();
    this.span = undefined;
    this.turns = 0;
  }
}
