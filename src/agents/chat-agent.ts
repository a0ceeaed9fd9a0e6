/**
 * The plain chat agent: the whole conversation is its memory, cut to what fits
 * the context window. Each message's token count is taken once, when it joins
 * the history, so a turn costs the new text, not the whole context.
 */
import { MESSAGE_OVERHEAD_TOKENS, countTokens } from '../tokens.js';
import { streamChatCompletion } from './llm/openai-client.js';
import type { ChatEndpoint } from './llm/openai-client.js';
import type { Agent, AgentReply, ChatMessage, ReplyContext } from './types.js';

export interface ChatAgentOptions {
  name: string;
  endpoint: ChatEndpoint;
  /** Context window in tokens, prompt and reply together. */
  contextSize: number;
  systemPrompt: string;
  /** Stable id of this conversation, recorded as `gen_ai.conversation.id`. */
  sessionId?: string;
}

interface Entry {
  message: ChatMessage;
  tokens: number;
}

/** Tokens a message takes in a prompt: its content plus the chat format's overhead. */
export function messageTokens(message: ChatMessage): number {
  return countTokens(message.content) + MESSAGE_OVERHEAD_TOKENS;
}

export class ChatAgent implements Agent {
  readonly name: string;
  private readonly opts: ChatAgentOptions;
  private readonly system: { message: ChatMessage; counted?: number };
  /** Oldest first. Pruned of entries that could never fit the window again. */
  private history: Entry[] = [];

  constructor(opts: ChatAgentOptions) {
    this.name = opts.name;
    this.opts = opts;
    const system: ChatMessage = { role: 'system', content: opts.systemPrompt };
    this.system = { message: system };
  }

  /** Counted on first use: a task-mode session never needs it. */
  private get systemTokens(): number {
    this.system.counted ??= this.opts.systemPrompt ? messageTokens(this.system.message) : 0;
    return this.system.counted;
  }

  /** Prompt tokens available for system prompt, history and the new message. */
  private get promptBudget(): number {
    return this.opts.contextSize - this.opts.endpoint.maxTokens;
  }

  async reply(message: string, ctx: ReplyContext): Promise<AgentReply> {
    // Task mode sends the task's messages whole: no budget, so no token counting (issue 8).
    const user: Entry = { message: { role: 'user', content: message }, tokens: ctx.history ? 0 : messageTokens({ role: 'user', content: message }) };
    const { messages, contextTokens, historySent } = ctx.history ? this.taskPrompt(ctx.history, user) : this.buildPrompt(user);
    const result = await streamChatCompletion({
      ...this.opts.endpoint,
      messages,
      signal: ctx.signal,
      ...(ctx.onToken ? { onToken: ctx.onToken } : {}),
      ...(ctx.onReasoning ? { onReasoning: ctx.onReasoning } : {}),
      ...(ctx.progress ? { progress: ctx.progress } : {}),
      ...(this.opts.sessionId !== undefined ? { conversationId: this.opts.sessionId } : {}),
    });
    // Only a successful turn joins the history, so a retried message is not doubled.
    // A task-mode turn has its own history, so it keeps none.
    if (!ctx.history) {
      const assistant: ChatMessage = { role: 'assistant', content: result.text };
      this.history.push(user, { message: assistant, tokens: messageTokens(assistant) });
      this.prune();
    }
    const reply: AgentReply = {
      text: result.text,
      usage: result.usage,
      timings: { llmMs: result.llmMs, storageMs: 0, ...(result.ttftMs !== undefined ? { ttftMs: result.ttftMs } : {}) },
      finishReasons: result.finishReasons,
      metadata: { history_messages_sent: historySent, context_tokens: contextTokens },
    };
    if (result.reasoning) reply.reasoning = result.reasoning;
    return reply;
  }

  /** System prompt + the most recent history that fits + the new message. */
  private buildPrompt(user: Entry): { messages: ChatMessage[]; contextTokens: number; historySent: number } {
    let used = this.systemTokens + user.tokens;
    const budget = this.promptBudget;
    let first = this.history.length;
    while (first > 0) {
      const entry = this.history[first - 1] as Entry;
      if (used + entry.tokens > budget) break;
      used += entry.tokens;
      first--;
    }
    // Start the history on a user turn: strict chat templates reject system → assistant.
    while (first < this.history.length && (this.history[first] as Entry).message.role !== 'user') {
      used -= (this.history[first] as Entry).tokens;
      first++;
    }
    const messages: ChatMessage[] = [];
    if (this.opts.systemPrompt) messages.push(this.system.message);
    for (let i = first; i < this.history.length; i++) messages.push((this.history[i] as Entry).message);
    messages.push(user.message);
    return { messages, contextTokens: used, historySent: this.history.length - first };
  }

  /**
   * Task mode (issue 8): the task's own messages, not the agent's history. A
   * system message in them replaces the agent's system prompt. Nothing is
   * counted (`context_tokens` -1): the server's usage says what was sent.
   */
  private taskPrompt(history: readonly ChatMessage[], user: Entry): { messages: ChatMessage[]; contextTokens: number; historySent: number } {
    const messages: ChatMessage[] = [];
    if (this.opts.systemPrompt && !history.some((m) => m.role === 'system')) messages.push(this.system.message);
    messages.push(...history, user.message);
    return { messages, contextTokens: -1, historySent: history.length };
  }

  /** Drops history that cannot fit even beside an empty message, keeping memory bounded. */
  private prune(): void {
    const room = this.promptBudget - this.systemTokens - MESSAGE_OVERHEAD_TOKENS;
    let used = 0;
    let first = this.history.length;
    while (first > 0 && used + (this.history[first - 1] as Entry).tokens <= room) {
      used += (this.history[first - 1] as Entry).tokens;
      first--;
    }
    if (first > 0) this.history = this.history.slice(first);
  }

  /** issue 12: GoodAI's pre-filled filler joins the history as if answered, with no call. */
  async prefill(message: string, reply: string): Promise<void> {
    this.restore([
      { role: 'user', content: message },
      { role: 'assistant', content: reply },
    ]);
  }

  /** Resume (issue 4): the history of a killed run, as `reply` would have built it. */
  restore(history: readonly ChatMessage[]): void {
    for (const message of history) this.history.push({ message, tokens: messageTokens(message) });
    this.prune();
  }

  /** Number of history messages kept (for tests and diagnostics). */
  get historyLength(): number {
    return this.history.length;
  }

  async close(): Promise<void> {
    this.history = [];
  }
}
