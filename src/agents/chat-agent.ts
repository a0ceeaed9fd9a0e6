/**
 * The plain chat agent: the whole conversation is its memory, cut to what fits
 * the context window. Each message's token count is taken once, when it joins
 * the history, so a turn costs the new text, not the whole context.
 *
 * issue 22: counts are the agent's tokenizer's (`tokenizer:`), corrected by the
 * `prompt_tokens` each response reports (context-budget.ts). A context-length
 * error trims the prompt further and sends it again (up to 3 times, each one
 * recorded). When the window is full, history is dropped in blocks (`history:
 * block`, the default): the oldest messages go at once until the rest fills
 * `history_keep` of the budget, so the calls after it share one prefix and a
 * server's prefix cache serves them; `sliding` drops one exchange a call, which
 * keeps the most history but changes the prompt's start every call.
 */
import { MESSAGE_OVERHEAD_TOKENS, countTokens, tokenCounter, type TokenCounter } from '../tokens.js';
import { ContextBudget } from './context-budget.js';
import { MAX_CONTEXT_RETRIES, sendFitted } from './context-retry.js';
import { streamChatCompletion, type ChatCompletionResult } from './llm/openai-client.js';
import type { ChatEndpoint } from './llm/openai-client.js';
import type { Agent, AgentReply, ChatMessage, ReplyContext } from './types.js';

export { MAX_CONTEXT_RETRIES };

export interface ChatAgentOptions {
  name: string;
  endpoint: ChatEndpoint;
  /** Context window in tokens, prompt and reply together. */
  contextSize: number;
  systemPrompt: string;
  /** Stable id of this conversation, recorded as `gen_ai.conversation.id`. */
  sessionId?: string;
  /** issue 22: what the budget counts with. @default o200k */
  tokenizer?: TokenCounter;
  /** issue 22: how history leaves a full window: `block` (many messages at once, a stable prefix) or `sliding`. @default "block" */
  historyTrim?: 'block' | 'sliding';
  /** issue 22: the share of the prompt budget the history is cut to when a block is dropped. @default 0.5 */
  historyKeep?: number;
}

interface Entry {
  message: ChatMessage;
  tokens: number;
}

/** Tokens a message takes in a prompt: its content plus the chat format's overhead. */
export function messageTokens(message: ChatMessage, counter?: TokenCounter): number {
  return (counter ? counter.count(message.content) : countTokens(message.content)) + MESSAGE_OVERHEAD_TOKENS;
}

interface Prompt {
  messages: ChatMessage[];
  /** Tokens of the prompt as the agent counted them; -1 in task mode (nothing counted). */
  contextTokens: number;
  historySent: number;
}

export class ChatAgent implements Agent {
  readonly name: string;
  private readonly opts: ChatAgentOptions;
  private readonly system: { message: ChatMessage; counted?: number };
  private readonly counter: TokenCounter;
  private readonly budget: ContextBudget;
  private readonly trim: 'block' | 'sliding';
  private readonly keep: number;
  /** Oldest first. Pruned of entries that could never fit the window again (block mode: of entries dropped). */
  private history: Entry[] = [];

  constructor(opts: ChatAgentOptions) {
    this.name = opts.name;
    this.opts = opts;
    const system: ChatMessage = { role: 'system', content: opts.systemPrompt };
    this.system = { message: system };
    this.counter = opts.tokenizer ?? tokenCounter(undefined);
    this.budget = new ContextBudget({ contextSize: opts.contextSize, maxTokens: opts.endpoint.maxTokens });
    this.trim = opts.historyTrim ?? 'block';
    this.keep = opts.historyKeep ?? 0.5;
  }

  /** Counted on first use: a task-mode session never needs it. */
  private get systemTokens(): number {
    this.system.counted ??= this.opts.systemPrompt ? messageTokens(this.system.message, this.counter) : 0;
    return this.system.counted;
  }

  /** Prompt tokens available for system prompt, history and the new message, as the agent counts them. */
  private get promptBudget(): number {
    return this.budget.promptBudget;
  }

  async reply(message: string, ctx: ReplyContext): Promise<AgentReply> {
    // Task mode sends the task's messages whole: no budget, so no token counting (issue 8).
    const user: Entry = { message: { role: 'user', content: message }, tokens: ctx.history ? 0 : messageTokens({ role: 'user', content: message }, this.counter) };
    const first = ctx.history ? this.taskPrompt(ctx.history, user) : this.buildPrompt(user);
    // Task mode sends its prompt once: it has no budget to learn into, nor history to trim.
    const { result, prompt, retries: contextRetries } = await sendFitted({
      budget: ctx.history ? undefined : this.budget,
      prompt: first,
      ctx,
      send: (p) => this.call(p.messages, ctx),
      smaller: (below) => this.buildPrompt(user, below),
    });
    // Only a successful turn joins the history, so a retried message is not doubled.
    // A task-mode turn has its own history, so it keeps none.
    if (!ctx.history) {
      const assistant: ChatMessage = { role: 'assistant', content: result.text };
      this.history.push(user, { message: assistant, tokens: messageTokens(assistant, this.counter) });
      this.prune();
    }
    const reply: AgentReply = {
      text: result.text,
      usage: result.usage,
      timings: { llmMs: result.llmMs, storageMs: 0, ...(result.ttftMs !== undefined ? { ttftMs: result.ttftMs } : {}) },
      finishReasons: result.finishReasons,
      metadata: { history_messages_sent: prompt.historySent, context_tokens: prompt.contextTokens, ...(contextRetries > 0 ? { context_retries: contextRetries } : {}) },
    };
    if (contextRetries > 0) reply.contextRetries = contextRetries;
    if (result.reasoning) reply.reasoning = result.reasoning;
    return reply;
  }

  private call(messages: ChatMessage[], ctx: ReplyContext): Promise<ChatCompletionResult> {
    return streamChatCompletion({
      ...this.opts.endpoint,
      messages,
      signal: ctx.signal,
      ...(ctx.onToken ? { onToken: ctx.onToken } : {}),
      ...(ctx.onReasoning ? { onReasoning: ctx.onReasoning } : {}),
      ...(ctx.progress ? { progress: ctx.progress } : {}),
      ...(this.opts.sessionId !== undefined ? { conversationId: this.opts.sessionId } : {}),
    });
  }

  /**
   * System prompt + the history that fits + the new message. `below`: a retry after a
   * context-length error, whose prompt must come out smaller than the `below` tokens sent.
   */
  private buildPrompt(user: Entry, below?: number): Prompt {
    const fixed = this.systemTokens + user.tokens;
    let budget = this.promptBudget;
    if (below !== undefined) budget = Math.min(budget, below - 1);
    let first: number;
    if (this.trim === 'block') {
      this.dropBlock(fixed, budget);
      first = 0;
    } else {
      let used = fixed;
      first = this.history.length;
      while (first > 0) {
        const entry = this.history[first - 1] as Entry;
        if (used + entry.tokens > budget) break;
        used += entry.tokens;
        first--;
      }
      // Start the history on a user turn: strict chat templates reject system → assistant.
      while (first < this.history.length && (this.history[first] as Entry).message.role !== 'user') first++;
    }
    const messages: ChatMessage[] = [];
    if (this.opts.systemPrompt) messages.push(this.system.message);
    let used = fixed;
    for (let i = first; i < this.history.length; i++) {
      messages.push((this.history[i] as Entry).message);
      used += (this.history[i] as Entry).tokens;
    }
    messages.push(user.message);
    return { messages, contextTokens: used, historySent: this.history.length - first };
  }

  /**
   * Task mode (issue 8): the task's own messages, not the agent's history. A
   * system message in them replaces the agent's system prompt. Nothing is
   * counted (`context_tokens` -1): the server's usage says what was sent.
   */
  private taskPrompt(history: readonly ChatMessage[], user: Entry): Prompt {
    const messages: ChatMessage[] = [];
    if (this.opts.systemPrompt && !history.some((m) => m.role === 'system')) messages.push(this.system.message);
    messages.push(...history, user.message);
    return { messages, contextTokens: -1, historySent: history.length };
  }

  /**
   * Block mode (issue 22): when `fixed` + the history overflows `budget`, the oldest messages go
   * at once, down to `keep` of the budget, so that the calls after this one all start with the
   * same messages. The history then starts on a user turn.
   */
  private dropBlock(fixed: number, budget: number): void {
    let total = this.history.reduce((n, e) => n + e.tokens, 0);
    if (fixed + total <= budget) return;
    const target = Math.floor(budget * this.keep) - fixed;
    let drop = 0;
    while (drop < this.history.length && total > target) total -= (this.history[drop++] as Entry).tokens;
    // Start the history on a user turn: strict chat templates reject system → assistant.
    while (drop < this.history.length && (this.history[drop] as Entry).message.role !== 'user') total -= (this.history[drop++] as Entry).tokens;
    this.history = this.history.slice(drop);
  }

  /** Drops history that cannot fit even beside an empty message, keeping memory bounded. */
  private prune(): void {
    if (this.trim === 'block') {
      this.dropBlock(this.systemTokens + MESSAGE_OVERHEAD_TOKENS, this.promptBudget);
      return;
    }
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
    for (const message of history) this.history.push({ message, tokens: messageTokens(message, this.counter) });
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
