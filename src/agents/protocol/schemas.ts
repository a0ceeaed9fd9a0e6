/**
 * issue 15: the "bring your own agent" protocol, one set of messages for both
 * transports. Over HTTP each request is the JSON body of a POST to the agent's
 * URL and the response is the JSON body (or, for `message` with `stream`, an
 * SSE stream of `token` events closed by one `reply` event). Over stdio each
 * request is one JSON line on the child's stdin with an `id`, and every line
 * the child writes on stdout carries the `id` it answers. These schemas are
 * the single source of truth; the README's "Bring your own agent" section
 * describes the same shapes.
 */
import { z } from 'zod';

const ChatMessageSchema = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });

/** Where a message sits in the benchmark; the agent may log it, never needs it. */
const TurnPlaceSchema = { test_id: z.string(), turn_id: z.number().int() };

export const StartRequestSchema = z.object({
  type: z.literal('start'),
  /** Referee's id for the conversation (a lane of the schedule, or one task attempt). */
  session_id: z.string(),
});

export const MessageRequestSchema = z.object({
  type: z.literal('message'),
  session_id: z.string(),
  message: z.string(),
  ...TurnPlaceSchema,
  /** Ask for SSE (HTTP) or `token` lines (stdio); the agent may ignore it and answer whole. */
  stream: z.boolean().optional(),
  /** Task runs only: the task's messages before this one (the agent's own memory is not involved). */
  history: z.array(ChatMessageSchema).optional(),
});

/** GoodAI's pre-filled turn: take `message` and `reply` as if the agent had answered; no LLM call. */
export const PrefillRequestSchema = z.object({
  type: z.literal('prefill'),
  session_id: z.string(),
  message: z.string(),
  reply: z.string(),
  ...TurnPlaceSchema,
});

export const ResetRequestSchema = z.object({ type: z.literal('reset'), session_id: z.string() });
export const EndRequestSchema = z.object({ type: z.literal('end'), session_id: z.string() });
/** Optional: return the session's whole state as JSON, for a checkpoint. */
export const SaveRequestSchema = z.object({ type: z.literal('save'), session_id: z.string() });
/** Optional: put a fresh session back into a saved `state`. */
export const RestoreRequestSchema = z.object({ type: z.literal('restore'), session_id: z.string(), state: z.unknown() });

export const AgentRequestSchema = z.discriminatedUnion('type', [
  StartRequestSchema,
  MessageRequestSchema,
  PrefillRequestSchema,
  ResetRequestSchema,
  EndRequestSchema,
  SaveRequestSchema,
  RestoreRequestSchema,
]);
export type AgentRequest = z.infer<typeof AgentRequestSchema>;

export const StartResponseSchema = z.object({
  /** The agent's id for the session; every later request carries it. */
  session_id: z.string().min(1),
  /** GoodAI's `max_message_size`: the largest message, in cl100k tokens, the agent accepts. */
  max_message_size: z.number().int().positive().optional(),
  /** True when the agent answers `save` and `restore` (checkpointed resume). @default false */
  save_restore: z.boolean().optional(),
});
export type StartResponse = z.infer<typeof StartResponseSchema>;

/** Tokens and cost of the agent's own LLM calls for one reply; counted as `agent_reported`. */
export const UsageSchema = z.object({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  reasoning_tokens: z.number().int().nonnegative().optional(),
  cost_usd: z.number().nonnegative().optional(),
});

export const TimingsSchema = z.object({
  llm_ms: z.number().nonnegative().optional(),
  storage_ms: z.number().nonnegative().optional(),
  ttft_ms: z.number().nonnegative().optional(),
});

export const ReplyResponseSchema = z.object({
  text: z.string(),
  /** Rationale, retrieved memories, ...: shown in reports and the monitor, replaced when over 50 KB. */
  metadata: z.record(z.string(), z.unknown()).optional(),
  usage: UsageSchema.optional(),
  timings: TimingsSchema.optional(),
});
export type ReplyResponse = z.infer<typeof ReplyResponseSchema>;

// A key given as z.unknown() is required at parse time since zod 4.4: the ones a peer may leave out say so.
export const SaveResponseSchema = z.object({ state: z.unknown().optional() });

/** A streamed piece of the reply (SSE `event: token`, or a stdio line `{"id", "type": "token", "delta"}`). */
export const TokenEventSchema = z.object({ delta: z.string() });

/** A failure the agent reports itself (HTTP error body, or a stdio line `{"id", "error": {...}}`). */
export const AgentErrorBodySchema = z.object({
  message: z.string(),
  /** Worth another try (as an HTTP 503 would be). @default false */
  retryable: z.boolean().optional(),
  /** Retry no sooner than this (as `Retry-After`). */
  retry_after_ms: z.number().nonnegative().optional(),
});

/** One stdout line of a stdio agent: an answer, a token, or an error, each naming the request `id`. */
export const StdioLineSchema = z.union([
  z.object({ id: z.number().int(), type: z.literal('token'), delta: z.string() }),
  z.object({ id: z.number().int(), error: AgentErrorBodySchema }),
  z.object({ id: z.number().int(), result: z.unknown().optional() }),
]);
export type StdioLine = z.infer<typeof StdioLineSchema>;
