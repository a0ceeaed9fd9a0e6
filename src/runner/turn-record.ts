import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { truncateUtf8 } from '../agents/llm/openai-client.js';
import type { TurnMetric } from '../artifacts/schemas.js';
import { costUsd, type ResolvedPricing } from '../costs/pricing.js';
import { ATTR } from '../telemetry/names.js';
import type { CompletedOutcome } from './turn.js';

/** Where a turn sits: the fields of its turn_metrics record that are not measured. */
export type TurnPlace = Pick<TurnMetric, 'run_id' | 'test_id' | 'turn_id' | 'lane' | 'step' | 'dataset' | 'kind' | 'is_question'>;

/**
 * The turn_metrics.jsonl record of a finished call, one shape for LTM turns
 * and single-turn tasks. `extra` carries what only one of them records
 * (`attempts`, `reasoning_tokens`).
 */
export function buildTurnMetric(place: TurnPlace, outcome: CompletedOutcome, pricing: ResolvedPricing, extra: Partial<TurnMetric> = {}): TurnMetric {
  const reply = outcome.reply;
  // issue 22: a failed call that had streamed part of a reply is counted (and costed) as `partial`.
  const usage = reply?.usage ?? outcome.partialUsage;
  const tokensIn = usage?.inputTokens ?? 0;
  const tokensOut = usage?.outputTokens ?? 0;
  return {
    timestamp: new Date().toISOString(),
    ...place,
    llm_ms: roundMs(reply?.timings?.llmMs ?? (outcome.status === 'error' ? outcome.totalMs : 0)),
    storage_ms: roundMs(reply?.timings?.storageMs ?? 0),
    total_ms: roundMs(outcome.totalMs),
    ttft_ms: reply?.timings?.ttftMs !== undefined ? roundMs(reply.timings.ttftMs) : null,
    tokens_in: tokensIn,
    tokens_out: tokensOut,
    // issue 15: a protocol agent's own figure wins over any price table.
    cost_usd: reply?.costUsd ?? costUsd(pricing, tokensIn, tokensOut),
    pricing_source: reply?.costUsd !== undefined ? 'agent_reported' : pricing.source,
    ...(usage?.source ? { usage_source: usage.source } : {}),
    // issue 22: a reply cut at max_tokens says `length` here, in results and transcripts, not only on its span.
    ...(finishReason(reply?.finishReasons) ? { finish_reason: finishReason(reply?.finishReasons)! } : {}),
    // issue 22: prompts refused for their length and sent again, trimmed, before this reply.
    ...(reply?.contextRetries ? { context_retries: reply.contextRetries } : {}),
    status: outcome.status,
    ...extra,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
  };
}

/** The reason the reply's (last) call stopped: choice 0's, where the endpoint said. */
function finishReason(reasons: readonly string[] | undefined): string | undefined {
  return reasons?.find((r) => typeof r === 'string' && r !== '');
}

/** Records a turn's result on its span (output, tokens, cost, TTFT; the failure as status and event) and ends it. */
export function endTurnSpan(span: Span, record: TurnMetric, outputText: string): void {
  span.setAttributes({
    ...textAttrs('output', outputText),
    [ATTR.status]: record.status,
    [ATTR.genAiInputTokens]: record.tokens_in,
    [ATTR.genAiOutputTokens]: record.tokens_out,
    'llm.token_count.prompt': record.tokens_in,
    'llm.token_count.completion': record.tokens_out,
    ...(record.reasoning_tokens ? { 'llm.token_count.completion_details.reasoning': record.reasoning_tokens } : {}),
    [ATTR.costUsd]: record.cost_usd,
    ...(record.usage_source ? { [ATTR.usageSource]: record.usage_source } : {}),
    ...(record.ttft_ms !== null ? { [ATTR.ttftMs]: record.ttft_ms } : {}),
    ...(record.finish_reason ? { [ATTR.genAiFinishReasons]: [record.finish_reason] } : {}),
  });
  if (record.status === 'error') {
    span.setAttribute(ATTR.reason, record.reason ?? 'error');
    span.addEvent(record.reason === 'timeout' ? 'timeout' : 'error', { message: record.error ?? '' });
    span.setStatus({ code: SpanStatusCode.ERROR, message: record.error ?? record.reason ?? 'error' });
  }
  span.end();
}

/** Ends the span of a turn the run's abort cut short (issue 13): not recorded, sent again on resume. */
export function endInterruptedTurnSpan(span: Span): void {
  span.setAttribute(ATTR.status, 'interrupted');
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'interrupted' });
  span.end();
}

/** `input.value`/`output.value`, head-truncated to 4 KB with its `referee.*_truncated` flag. */
export function textAttrs(kind: 'input' | 'output', text: string): Record<string, string | boolean> {
  const t = truncateUtf8(text);
  return { [`${kind}.value`]: t.text, [`referee.${kind}_truncated`]: t.truncated };
}

/** Milliseconds to two decimals, as turn_metrics.jsonl records them. */
export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
