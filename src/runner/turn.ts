import { setMaxListeners } from 'node:events';
import type { Agent, AgentReply, ReplyContext, StreamProgress, TokenUsage } from '../agents/types.js';
import { countTokens, MESSAGE_OVERHEAD_TOKENS } from '../tokens.js';
import { CallError } from '../errors.js';
import type { RetriesConfig } from '../config/agent.js';
import { backoffMs, isRetryable, sleepUnlessAborted, type RetryInfo } from './retry.js';
import type { ScheduleStep } from './scheduler.js';

export interface TurnOutcome {
  /**
   * `interrupted`: the run was aborted (Ctrl-C, a match stop) while the call was in flight or
   * backing off. Issue 13: such a turn is not a completed failure; it is never recorded, so a
   * resume sends it again.
   */
  status: 'success' | 'error' | 'interrupted';
  reason?: string;
  error?: string;
  reply?: AgentReply;
  totalMs: number;
  /** Calls made, retries included. */
  attempts?: number;
  /**
   * issue 22: the tokens failed attempts had sent and received before they were cut short (a
   * timeout, a dropped stream), so a paid API is not under-costed; `source: 'partial'`. Only on an
   * `error` outcome, and only where something had streamed back.
   */
  partialUsage?: TokenUsage;
}

/** A turn that ran to an end (a reply or a failure): what turn_metrics.jsonl records. */
export type CompletedOutcome = TurnOutcome & { status: 'success' | 'error' };

/** Whether `outcome` is a turn to record (issue 13: an interrupted one is not). */
export function isCompleted(outcome: TurnOutcome): outcome is CompletedOutcome {
  return outcome.status !== 'interrupted';
}

/** A write of the run's own files that failed (a full disk, a read-only one): the run's failure, not the agent's. */
const DISK_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EFBIG']);
function diskFailure(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && DISK_CODES.has(e.code)) return true;
  }
  return false;
}

/** Why a call failed, in the words turn_metrics.jsonl uses. */
export function failureReason(err: unknown, timedOut: boolean): string {
  if (timedOut) return 'timeout';
  // issue 22: a prompt the server's window could not take, even trimmed and retried, says so.
  if (err instanceof CallError && err.contextOverflow) return 'context_length';
  if (err instanceof CallError) return err.status !== undefined ? `http_${err.status}` : err.reason;
  return 'agent_error';
}

/**
 * Sends one message with a per-call time limit, retrying what is worth
 * retrying (see retry.ts). A hung call is abandoned (its signal aborted) and
 * reported as an error outcome; a call cut short by the run's own abort is
 * `interrupted`. It throws only where the agent's own store in the run directory could not be
 * written (a full disk): that ends the run as a failed write of any run file does, never a failed turn.
 */
export async function executeTurn(
  agent: Agent,
  step: ScheduleStep,
  options: {
    timeoutMs: number;
    signal: AbortSignal;
    onToken?: (delta: string) => void;
    /** Further reply context (task mode: `history`, `onReasoning`). */
    context?: Pick<ReplyContext, 'history' | 'onReasoning'>;
    /** Retry policy; absent means one attempt. */
    retries?: RetriesConfig;
    /** Told before each backoff, so the retry is visible (event, span event, counter, progress line). */
    onRetry?: (info: RetryInfo) => void | Promise<void>;
    /** The call to make instead of `agent.reply` (a pre-filled turn, issue 12); same limit, retries and reasons. */
    call?: (signal: AbortSignal) => Promise<AgentReply>;
    /** issue 22: told when the agent sends a prompt again, trimmed, after a context-length error. */
    onContextRetry?: ReplyContext['onContextRetry'];
  },
): Promise<TurnOutcome> {
  const started = performance.now();
  const maxAttempts = options.retries?.max_attempts ?? 1;
  let partial: TokenUsage | undefined;
  for (let attempt = 1; ; attempt++) {
    const progress: StreamProgress = { text: '', reasoning: '' };
    const result = await attemptOnce(agent, step, options, progress);
    if ('reply' in result) return { status: 'success', reply: result.reply, totalMs: performance.now() - started, attempts: attempt };
    partial = addUsage(partial, partialUsage(progress));
    const { err, timedOut } = result;
    if (!timedOut && diskFailure(err)) throw err;
    const interrupted = (): TurnOutcome => ({ status: 'interrupted', reason: 'interrupted', totalMs: performance.now() - started, attempts: attempt });
    if (!timedOut && options.signal.aborted) return interrupted();
    const failed = (): TurnOutcome => ({
      status: 'error',
      reason: failureReason(err, timedOut),
      error: timedOut ? `no reply within ${options.timeoutMs} ms` : (err as Error).message,
      totalMs: performance.now() - started,
      attempts: attempt,
      ...(partial ? { partialUsage: partial } : {}),
    });
    if (timedOut || attempt >= maxAttempts || !isRetryable(err) || !options.retries) return failed();
    const info: RetryInfo = {
      retry: attempt,
      maxRetries: maxAttempts - 1,
      delayMs: Math.round(backoffMs(attempt, options.retries, err.retryAfterMs)),
      reason: failureReason(err, false),
      message: err.message,
      ...(err.status !== undefined ? { status: err.status } : {}),
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    };
    await options.onRetry?.(info);
    try {
      await sleepUnlessAborted(info.delayMs, options.signal);
    } catch {
      return interrupted();
    }
  }
}

async function attemptOnce(
  agent: Agent,
  step: ScheduleStep,
  options: {
    timeoutMs: number;
    signal: AbortSignal;
    onToken?: (delta: string) => void;
    context?: Pick<ReplyContext, 'history' | 'onReasoning'>;
    call?: (signal: AbortSignal) => Promise<AgentReply>;
    onContextRetry?: ReplyContext['onContextRetry'];
  },
  progress: StreamProgress,
): Promise<{ reply: AgentReply } | { err: unknown; timedOut: boolean }> {
  // One controller per call, tied to the run's signal by a listener removed afterwards:
  // AbortSignal.any() on a long-lived parent keeps ~1 KB per call alive on Node 20.
  const call = new AbortController();
  let timedOut = false;
  const onRunAbort = (): void => call.abort(options.signal.reason);
  // One listener per call in flight, removed after it: at --concurrency 11 or more Node's leak
  // warning ("MaxListenersExceededWarning ... 11 abort listeners") reached stderr of a healthy run.
  setMaxListeners(0, options.signal);
  if (options.signal.aborted) onRunAbort();
  else options.signal.addEventListener('abort', onRunAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    call.abort(new DOMException('call timed out', 'TimeoutError'));
  }, options.timeoutMs);
  const signal = call.signal;
  try {
    const reply = await raceAbort(
      options.call
        ? options.call(signal)
        : agent.reply(step.message, {
            testId: step.testId,
            turnId: step.turnId,
            signal,
            ...(options.onToken ? { onToken: options.onToken } : {}),
            ...(options.onContextRetry ? { onContextRetry: options.onContextRetry } : {}),
            ...options.context,
            progress,
          }),
      signal,
    );
    return { reply };
  } catch (err) {
    return { err, timedOut };
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onRunAbort);
  }
}

/**
 * issue 22: the usage of an attempt cut short after something streamed back: the server's usage
 * where it had arrived, else the prompt and what was received counted locally (cl100k).
 */
export function partialUsage(p: StreamProgress): TokenUsage | undefined {
  if (!p.text && !p.reasoning && !p.usage) return undefined;
  if (p.usage) return { ...p.usage, source: 'partial' };
  const inputTokens = (p.messages ?? []).reduce((sum, m) => sum + countTokens(m.content) + MESSAGE_OVERHEAD_TOKENS, 0);
  return { inputTokens, outputTokens: countTokens(p.text) + (p.reasoning ? countTokens(p.reasoning) : 0), source: 'partial' };
}

function addUsage(a: TokenUsage | undefined, b: TokenUsage | undefined): TokenUsage | undefined {
  if (!a || !b) return a ?? b;
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, source: 'partial' };
}

/** Agents that ignore their signal must not hold the run: the race settles on abort regardless. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}
