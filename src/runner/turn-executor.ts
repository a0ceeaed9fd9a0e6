/**
 * The one turn executor (issue 13): every kind of run (an LTM lane, a task
 * attempt) sends its turns through here, so each gets the same turn span,
 * per-call timeout, retries with backoff that honours `Retry-After` (each
 * retry an event, a span event, a counter and a progress notice), interrupt
 * handling (a turn Ctrl-C cuts short is not recorded), turn_metrics record,
 * metadata sanitizer and `onTurnEnd`.
 */
import { context, isSpanContextValid, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { Agent, AgentReply, ContextRetryEventData, ContextRetryInfo, ReplyContext } from '../agents/types.js';
import type { TurnMetric } from '../artifacts/schemas.js';
import type { RetriesConfig } from '../config/agent.js';
import { ATTR, SPAN, TRACER_NAME } from '../telemetry/names.js';
import { withTraceSession } from '../telemetry/trace-per.js';
import type { Emit } from '../events/emit.js';
import type { RunState } from './run-state.js';
import { describeRetry, retryEventData } from './retry.js';
import { sanitizeMetadata } from '../events/sanitize.js';
import type { ScheduleStep } from './scheduler.js';
import { executeTurn, isCompleted, type CompletedOutcome } from './turn.js';
import { buildTurnMetric, endInterruptedTurnSpan, endTurnSpan, textAttrs, type TurnPlace } from './turn-record.js';

export type { Emit } from '../events/emit.js';

/** What the record and `onTurnEnd` show of a completed call: tasks split a `<think>` block off the answer. */
export interface ShownReply {
  replyText: string;
  metadata: Record<string, unknown>;
  extra?: Partial<TurnMetric>;
}

export interface TurnRequest {
  agent: Agent;
  step: ScheduleStep;
  place: TurnPlace;
  runId: string;
  /** The agent's conversation. */
  sessionId: string;
  /** The session of the turn's trace (OpenInference `session.id`, GenAI `gen_ai.conversation.id`). @default sessionId */
  traceSessionId?: string;
  parentCtx: Context;
  /** Span attributes beside the common ones (a task's `referee.attempt`). */
  attributes?: Attributes;
  timeoutMs: number;
  signal: AbortSignal;
  retries?: RetriesConfig;
  state: RunState;
  emit: Emit;
  onToken?: (delta: string) => void;
  context?: Pick<ReplyContext, 'history' | 'onReasoning'>;
  /** @default the reply's text and metadata, `attempts` when a call was retried */
  show?: (outcome: CompletedOutcome) => ShownReply;
  /** Sends the turn instead of `agent.reply` (issue 12: a pre-filled turn). */
  call?: (signal: AbortSignal) => Promise<AgentReply>;
  /** Put before a failed call's error, so the user reads which call failed (`prefill: `). */
  errorPrefix?: string;
  /** Record fields beside the shown reply's (issue 12: `prefilled`). */
  extra?: Partial<TurnMetric>;
  /** Runs once the record is built, before the totals and `onTurnEnd` see it (issue 12: the plan learns the reply first). */
  beforeEnd?: (record: TurnMetric, replyText: string) => void | Promise<void>;
}

export interface TurnResult {
  outcome: CompletedOutcome;
  record: TurnMetric;
  replyText: string;
}

/** Sends one turn and records it; `undefined` when the run's abort cut it short (nothing recorded: a resume sends it again). */
export async function runTurn(t: TurnRequest): Promise<TurnResult | undefined> {
  const { step, state } = t;
  state.turnStarted(step.testId);
  await t.emit('onTurnStart', step, state.snapshot());
  const turnSpan = trace.getTracer(TRACER_NAME).startSpan(
    SPAN.turn,
    {
      attributes: {
        'openinference.span.kind': 'AGENT',
        [ATTR.runId]: t.runId,
        [ATTR.testId]: step.testId,
        [ATTR.turnId]: step.turnId,
        [ATTR.dataset]: step.dataset,
        [ATTR.isFiller]: step.kind === 'filler',
        [ATTR.isQuestion]: step.isQuestion,
        // Phoenix reads gen_ai.conversation.id as session.id too: both name the trace's session; the agent's own beside.
        'session.id': t.traceSessionId ?? t.sessionId,
        [ATTR.genAiConversationId]: t.traceSessionId ?? t.sessionId,
        ...(t.traceSessionId !== undefined && t.traceSessionId !== t.sessionId ? { [ATTR.agentSession]: t.sessionId } : {}),
        ...t.attributes,
        ...textAttrs('input', step.message),
      },
    },
    t.parentCtx,
  );
  const outcome = await context.with(withTraceSession(trace.setSpan(t.parentCtx, turnSpan), t.traceSessionId), () =>
    executeTurn(t.agent, step, {
      ...(t.call ? { call: t.call } : {}),
      timeoutMs: t.timeoutMs,
      signal: t.signal,
      ...(t.retries ? { retries: t.retries } : {}),
      // Issue 4: every retry is visible as an event, a span event, a counter and on the progress line.
      onRetry: async (info) => {
        const message = describeRetry(info);
        turnSpan.addEvent('retry', { 'referee.retry': info.retry, [ATTR.reason]: info.reason, 'referee.delay_ms': info.delayMs });
        state.notice = message;
        await t.emit('onNotice', 'retry', message, retryEventData(step, info), state.snapshot());
      },
      // issue 22: a prompt refused for its length and sent again, trimmed: an event, a span event, a notice.
      onContextRetry: async (info) => {
        const message = `context window full (${info.serverPromptTokens !== undefined ? `${info.serverPromptTokens} tokens` : 'refused'}), trimmed to ${info.trimmedTo} and sent again, retry ${info.retry}/${info.maxRetries}`;
        turnSpan.addEvent('context_retry', { 'referee.retry': info.retry, 'referee.sent_tokens': info.sentTokens, 'referee.trimmed_to': info.trimmedTo });
        state.notice = message;
        await t.emit('onNotice', 'context_retry', message, contextRetryEventData(step, info), state.snapshot());
      },
      ...(t.onToken ? { onToken: t.onToken } : {}),
      ...(t.context ? { context: t.context } : {}),
    }),
  );
  // Issue 13: a turn cut short by Ctrl-C is not a failed turn; left off disk, a resume sends it again.
  if (!isCompleted(outcome)) {
    endInterruptedTurnSpan(turnSpan);
    return undefined;
  }
  if (t.errorPrefix && outcome.error) outcome.error = `${t.errorPrefix}${outcome.error}`;
  const shown = (t.show ?? defaultShow)(outcome);
  const record = buildTurnMetric(t.place, outcome, state.pricing, { ...shown.extra, ...t.extra, ...spanIds(turnSpan) });
  endTurnSpan(turnSpan, record, shown.replyText);
  await t.beforeEnd?.(record, shown.replyText);
  state.turnFinished(record);
  state.notice = null;
  await t.emit('onTurnEnd', { step, record, replyText: shown.replyText, metadata: sanitizeMetadata(shown.metadata) }, state.snapshot());
  return { outcome, record, replyText: shown.replyText };
}

/** The `context_retry` event's fields (events.jsonl). */
function contextRetryEventData(step: ScheduleStep, info: ContextRetryInfo): ContextRetryEventData {
  return {
    test_id: step.testId,
    turn_id: step.turnId,
    lane: step.lane,
    retry: info.retry,
    max_retries: info.maxRetries,
    sent_tokens: info.sentTokens,
    trimmed_to: info.trimmedTo,
    ...(info.serverPromptTokens !== undefined ? { server_prompt_tokens: info.serverPromptTokens } : {}),
    ...(info.serverContextTokens !== undefined ? { server_context_tokens: info.serverContextTokens } : {}),
    error: info.message,
  };
}

function defaultShow(outcome: CompletedOutcome): ShownReply {
  return {
    replyText: outcome.reply?.text ?? '',
    metadata: outcome.reply?.metadata ?? {},
    extra: outcome.attempts !== undefined && outcome.attempts > 1 ? { attempts: outcome.attempts } : {},
  };
}

/** issue 21: the turn's span, so the viewer can link a turn to its trace in Phoenix (none without a recording provider). */
function spanIds(span: Span): { trace_id?: string; span_id?: string } {
  const c = span.spanContext();
  return isSpanContextValid(c) ? { trace_id: c.traceId, span_id: c.spanId } : {};
}
