/**
 * issue 22: one call of a built-in agent (chat or memory) under its context budget. The server's
 * count of each answered prompt teaches the budget; a context-length error teaches it too, and the
 * prompt is built again, smaller, and sent again (up to MAX_CONTEXT_RETRIES times, each retry
 * reported through `ctx.onContextRetry`). The agents differ only in how they build a prompt.
 */
import { CallError } from '../errors.js';
import type { ContextBudget } from './context-budget.js';
import type { ChatCompletionResult } from './llm/openai-client.js';
import type { ContextRetryInfo, ReplyContext } from './types.js';

/** Context-length errors a turn is trimmed and sent again after, before it fails. */
export const MAX_CONTEXT_RETRIES = 3;

/** A prompt as the agent counted it (its tokenizer plus chat overhead); -1: not counted (task mode). */
export interface CountedPrompt {
  contextTokens: number;
}

export interface FittedCall<P extends CountedPrompt> {
  /** The budget to learn into; none (task mode): the prompt is sent as it is, once. */
  budget: ContextBudget | undefined;
  prompt: P;
  ctx: ReplyContext;
  send: (prompt: P) => Promise<ChatCompletionResult>;
  /** The prompt built again under the budget learnt, and under `below` tokens (what was refused). */
  smaller: (below: number) => P;
}

export interface FittedResult<P> {
  result: ChatCompletionResult;
  /** The prompt that was answered. */
  prompt: P;
  /** Context-length errors it took (0: the first prompt was answered). */
  retries: number;
}

/** Sends the prompt; on a context-length error, learns, trims and sends again; learns from the answer's usage. */
export async function sendFitted<P extends CountedPrompt>(c: FittedCall<P>): Promise<FittedResult<P>> {
  let prompt = c.prompt;
  let retries = 0;
  for (;;) {
    try {
      const result = await c.send(prompt);
      // The server's count of this prompt teaches the budget the template's and tokenizer's difference.
      if (c.budget && result.usageReported) c.budget.observe(prompt.contextTokens, result.usage.inputTokens);
      return { result, prompt, retries };
    } catch (err) {
      const overflow = err instanceof CallError ? err.contextOverflow : undefined;
      if (!overflow || !c.budget || c.ctx.signal.aborted || retries >= MAX_CONTEXT_RETRIES) throw err;
      c.budget.overflowed(prompt.contextTokens, overflow);
      const smaller = c.smaller(prompt.contextTokens);
      // Nothing left to trim (the message alone does not fit): the error stands.
      if (smaller.contextTokens >= prompt.contextTokens) throw err;
      retries++;
      const info: ContextRetryInfo = {
        retry: retries,
        maxRetries: MAX_CONTEXT_RETRIES,
        sentTokens: prompt.contextTokens,
        trimmedTo: smaller.contextTokens,
        message: (err as Error).message,
        ...(overflow.promptTokens !== undefined ? { serverPromptTokens: overflow.promptTokens } : {}),
        ...(overflow.contextTokens !== undefined ? { serverContextTokens: overflow.contextTokens } : {}),
      };
      try {
        await c.ctx.onContextRetry?.(info);
      } catch {
        // Recording a retry never breaks the turn.
      }
      prompt = smaller;
    }
  }
}
