/** A chat message in the OpenAI shape, the lingua franca of every adapter. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** Tokens spent in a hidden reasoning block, when the provider or a <think> block says so. */
  reasoningTokens?: number;
  /** issue 16: `reported` by the server's `usage`, or `estimated` by counting cl100k tokens locally; issue 22: `partial`, what a cut-short call received. */
  source?: 'reported' | 'estimated' | 'partial';
}

export interface ReplyTimings {
  /** Wall time spent in LLM calls for this reply. */
  llmMs: number;
  /** Wall time spent reading and writing the agent's memory store. */
  storageMs: number;
  /** Time to the first streamed content chunk of the (last) LLM call. */
  ttftMs?: number;
}

/** What every agent returns: the `(text, metadata)` reply of seed 001, plus usage and timings. */
export interface AgentReply {
  text: string;
  metadata?: Record<string, unknown>;
  usage?: TokenUsage;
  timings?: ReplyTimings;
  /** Finish reasons reported by the LLM endpoint (e.g. `stop`, `length`). */
  finishReasons?: string[];
  /** Reasoning the provider streamed apart from the content (`reasoning_content`); never scored. */
  reasoning?: string;
  /** issue 15: the cost in USD the agent reported for its own LLM calls; priced as `agent_reported`. */
  costUsd?: number;
  /** issue 22: calls sent again, trimmed further, after the server said the prompt did not fit. */
  contextRetries?: number;
}

/** issue 22: a turn's prompt the server found too long for its window, trimmed and about to be sent again. */
export interface ContextRetryInfo {
  /** 1-based. */
  retry: number;
  maxRetries: number;
  /** The refused prompt's tokens, as the agent counted them. */
  sentTokens: number;
  /** The next prompt's tokens, as the agent counted them. */
  trimmedTo: number;
  /** What the server counted in the refused prompt, and its window, where it said. */
  serverPromptTokens?: number;
  serverContextTokens?: number;
  /** The error, as the call reported it. */
  message: string;
}

export type { ContextRetryEventData } from '../events/shared-shapes.js';

/**
 * issue 22: what a streamed call has received so far. The turn executor hands one to each
 * attempt; when the call is cut short (timeout, dropped stream) it counts what arrived as
 * `partial` usage, so a paid API is not under-costed.
 */
export interface StreamProgress {
  /** The prompt as sent. */
  messages?: readonly ChatMessage[];
  /** Content and reasoning streamed so far. */
  text: string;
  reasoning: string;
  /** The server's usage, where it arrived before the cut. */
  usage?: TokenUsage;
}

export interface ReplyContext {
  testId: string;
  turnId: number;
  /** Aborts the call (per-call timeout, Ctrl-C). */
  signal: AbortSignal;
  /** Called with each streamed text delta, for the live monitor. */
  onToken?: (delta: string) => void;
  /** Called with each streamed reasoning delta (the provider's reasoning field), for the Thinking stage. */
  onReasoning?: (delta: string) => void;
  /**
   * Task mode (issue 8): the messages to send before this one instead of the
   * agent's own history (empty for a one-prompt task). When given, even
   * empty, the chat agent sends exactly these and budgets nothing.
   */
  history?: readonly ChatMessage[];
  /** issue 22: filled by a streamed call as it goes, so a cut-short call's tokens are counted (see StreamProgress). */
  progress?: StreamProgress;
  /** issue 22: told before a prompt refused for its length is sent again, trimmed, so the retry is recorded. */
  onContextRetry?: (info: ContextRetryInfo) => void | Promise<void>;
}

/** One conversation with an agent under test. Turns are sent strictly in order. */
export interface Agent {
  readonly name: string;
  reply(message: string, ctx: ReplyContext): Promise<AgentReply>;
  /**
   * Resume (issue 4): the successful turns of a killed run, oldest first, as
   * user/assistant messages, for agents that keep their history in memory.
   */
  restore?(history: readonly ChatMessage[]): void;
  /**
   * issue 12: GoodAI's pre-filled turn (`message_to_agent(msg, agent_response)`): the agent takes
   * `message` and `reply` into its history as if it had answered, without an LLM call.
   */
  prefill?(message: string, reply: string, ctx: { testId: string; turnId: number }): Promise<void>;
  /** issue 12: the largest message, in cl100k tokens, the agent accepts (GoodAI's `max_message_size`); filler is sized to it. */
  readonly maxMessageSize?: number;
  close(): Promise<void>;
}

export interface AgentSessionOptions {
  /** Stable id of this conversation (a lane of the schedule). */
  sessionId: string;
  /** A directory the agent may keep state in (memory stores). */
  stateDir: string;
}

/** Builds one Agent per conversation; created once per run. */
export interface AgentFactory {
  readonly name: string;
  createSession(options: AgentSessionOptions): Promise<Agent>;
  close(): Promise<void>;
}
