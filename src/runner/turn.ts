import type { Agent, AgentReply, ReplyContext } from '../agents/types.js';
import { CallError } from '../errors.js';
import type { ScheduleStep } from './scheduler.js';

export interface TurnOutcome {
  status: 'success' | 'error';
  reason?: string;
  error?: string;
  reply?: AgentReply;
  totalMs: number;
}

/** Why a call failed, in the words turn_metrics.jsonl uses. */
export function failureReason(err: unknown, timedOut: boolean): string {
  if (timedOut) return 'timeout';
  if (err instanceof CallError) return err.status !== undefined ? `http_${err.status}` : err.reason;
  return 'agent_error';
}

/**
 * Sends one message with a per-call time limit. A hung call is abandoned (its
 * signal aborted) and reported as an error outcome; it never throws.
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
  },
): Promise<TurnOutcome> {
  const started = performance.now();
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new DOMException('call timed out', 'TimeoutError')), options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout.signal]);
  try {
    const reply = await raceAbort(
      agent.reply(step.message, {
        testId: step.testId,
        turnId: step.turnId,
        signal,
        ...(options.onToken ? { onToken: options.onToken } : {}),
        ...options.context,
      }),
      signal,
    );
    return { status: 'success', reply, totalMs: performance.now() - started };
  } catch (err) {
    const timedOut = timeout.signal.aborted;
    return {
      status: 'error',
      reason: failureReason(err, timedOut),
      error: timedOut ? `no reply within ${options.timeoutMs} ms` : (err as Error).message,
      totalMs: performance.now() - started,
    };
  } finally {
    clearTimeout(timer);
  }
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
