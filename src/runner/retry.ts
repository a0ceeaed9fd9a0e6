/**
 * Retries of one agent call (issue 4): exponential backoff with jitter on 429,
 * 408, 5xx, connection resets and malformed stream chunks, honouring a
 * server's `Retry-After`, bounded in attempts. A timeout is not retried: the
 * per-call limit is the user's bound on a turn, and a hung endpoint would
 * otherwise hold a lane for `max_attempts` times that limit.
 */
import type { RetriesConfig } from '../config/agent.js';
import { CallError } from '../errors.js';

/** The longest `Retry-After` honoured; a server asking for more is retried then. */
export const RETRY_AFTER_CAP_MS = 10 * 60 * 1000;

export interface RetryInfo {
  /** The retry about to happen, 1-based (attempt `retry + 1`). */
  retry: number;
  /** Retries allowed in all (`max_attempts - 1`). */
  maxRetries: number;
  delayMs: number;
  /** `http_429`, `connection`, `malformed`, ... as turn_metrics.jsonl would say. */
  reason: string;
  status?: number;
  /** The server's `Retry-After`, when it sent one. */
  retryAfterMs?: number;
  message: string;
}

/** Whether a failed call is worth another try. */
export function isRetryable(err: unknown): err is CallError {
  if (!(err instanceof CallError)) return false;
  if (err.reason === 'connection' || err.reason === 'malformed') return true;
  if (err.reason === 'http' && err.status !== undefined) return err.status === 429 || err.status === 408 || err.status >= 500;
  return false;
}

/**
 * Backoff before retry `retry` (1-based): `base * 2^(retry-1)` capped at `max`,
 * with "equal jitter" (half fixed, half random) so lanes hit by the same 429
 * storm do not come back in lockstep, yet never retry at once. A `Retry-After`
 * wins when it asks for longer.
 */
export function backoffMs(retry: number, policy: RetriesConfig, retryAfterMs?: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.max_ms, policy.base_ms * 2 ** Math.max(0, retry - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  if (retryAfterMs !== undefined) return Math.max(Math.min(retryAfterMs, RETRY_AFTER_CAP_MS), jittered);
  return Math.round(jittered);
}

/** "backing off 429, retry 2/4 in 4 s": the progress line's words for a retry. */
export function describeRetry(info: Pick<RetryInfo, 'retry' | 'maxRetries' | 'delayMs' | 'reason' | 'status'>): string {
  const what = info.status !== undefined ? String(info.status) : info.reason.replace(/_/g, ' ');
  const wait = info.delayMs < 1000 ? `${Math.round(info.delayMs)} ms` : `${info.delayMs >= 10_000 ? Math.round(info.delayMs / 1000) : Math.round(info.delayMs / 100) / 10} s`;
  return `backing off ${what}, retry ${info.retry}/${info.maxRetries} in ${wait}`;
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolves after `ms`, or at once when the run is aborted (a lane's wait: the caller checks the signal after). */
export function pauseUntilAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The `retry` event's fields (events.jsonl) for a retry of `step`'s call. */
export function retryEventData(step: { testId: string; turnId: number; lane: number }, info: RetryInfo): Record<string, unknown> {
  return {
    test_id: step.testId,
    turn_id: step.turnId,
    lane: step.lane,
    retry: info.retry,
    max_retries: info.maxRetries,
    delay_ms: info.delayMs,
    reason: info.reason,
    ...(info.status !== undefined ? { status: info.status } : {}),
    ...(info.retryAfterMs !== undefined ? { retry_after_ms: info.retryAfterMs } : {}),
    error: info.message,
  };
}
