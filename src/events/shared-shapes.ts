/**
 * Shapes the writers of a run and the browser page share: this module imports nothing, so the
 * page's bundle can take it whole (test/architecture/boundaries.test.ts keeps it so).
 */

/** What a run's (or runs') `usage_source` says over all its turns; `unrecorded`: an import whose results record no usage per call. */
export const COMBINED_USAGE_SOURCES = ['reported', 'estimated', 'mixed', 'unrecorded'] as const;
export type CombinedUsageSource = (typeof COMBINED_USAGE_SOURCES)[number];

/**
 * issue 22: the `context_retry` event's fields in events.jsonl, beside its notice line
 * (turn-executor.ts writes them; the monitor and the live view read them).
 */
export type ContextRetryEventData = {
  test_id: string;
  turn_id: number;
  lane: number;
  retry: number;
  max_retries: number;
  sent_tokens: number;
  trimmed_to: number;
  server_prompt_tokens?: number;
  server_context_tokens?: number;
  error: string;
};
