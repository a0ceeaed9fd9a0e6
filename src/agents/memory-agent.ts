/**
 * The memory agent: every message is searched against an on-disk long-term
 * memory (BM25 over every past message), the hits go into the system message
 * in chronological order beside a short verbatim recent history, and the
 * message and the reply are written back after the call.
 *
 * issue 22: counts are the agent's tokenizer's (`tokenizer:`), corrected by the `prompt_tokens`
 * each response reports; a context-length error rebuilds the prompt smaller (fewer memories and
 * recent messages) and sends it again, recorded: the chat agent's code (context-retry.ts).
 */
import { MESSAGE_OVERHEAD_TOKENS, tokenCounter, type TokenCounter } from '../tokens.js';
import { messageTokens } from './chat-agent.js';
import { ContextBudget } from './context-budget.js';
import { sendFitted } from './context-retry.js';
import { streamChatCompletion } from './llm/openai-client.js';
import type { ChatEndpoint } from './llm/openai-client.js';
import type { MemoryHit, MemoryRecord, MemoryStore } from './memory/store.js';
import type { Agent, AgentReply, ChatMessage, ReplyContext } from './types.js';

export interface MemoryAgentOptions {
  name: string;
  endpoint: ChatEndpoint;
  /** Context window in tokens, prompt and reply together. */
  contextSize: number;
  systemPrompt: string;
  /** Memories retrieved per message. */
  topK: number;
  /** Token budget for the verbatim recent history. */
  recentTokens: number;
  /** The session's store; the agent closes it. */
  store: MemoryStore;
  /** Stable id of this conversation, recorded as `gen_ai.conversation.id`. */
  sessionId?: string;
  /** issue 22: what the budget counts with. @default o200k */
  tokenizer?: TokenCounter;
}

interface MemoryPrompt {
  messages: ChatMessage[];
  /** Tokens of the prompt as the agent counted them. */
  contextTokens: number;
  historySent: number;
  memoryIds: number[];
}

export const MEMORY_HEADER = 'Relevant memories:';

/** One memory line: `[memory <id>] <role>: <text>`, on one line. */
export function formatMemory(record: MemoryRecord): string {
  return `[memory ${record.id}] ${record.role}: ${record.text.replace(/\s*[\r\n]+\s*/g, ' ')}`;
}

export class MemoryAgent implements Agent {
  readonly name: string;
  private readonly opts: MemoryAgentOptions;
  private readonly store: MemoryStore;
  /** Token counts cached per record id (issue 13: records read from disk are new objects each time), bounded. */
  private readonly asMessage = new Map<number, number>();
  private readonly asLine = new Map<number, number>();
  private readonly systemTokens: number;
  private readonly headerTokens: number;
  private readonly counter: TokenCounter;
  private readonly budget: ContextBudget;

  constructor(opts: MemoryAgentOptions) {
    this.name = opts.name;
    this.opts = opts;
    this.store = opts.store;
    this.counter = opts.tokenizer ?? tokenCounter(undefined);
    this.budget = new ContextBudget({ contextSize: opts.contextSize, maxTokens: opts.endpoint.maxTokens });
    this.systemTokens = opts.systemPrompt ? messageTokens({ role: 'system', content: opts.systemPrompt }, this.counter) : 0;
    this.headerTokens = this.counter.count(`\n\n${MEMORY_HEADER}\n`) + (opts.systemPrompt ? 0 : MESSAGE_OVERHEAD_TOKENS);
  }

  async reply(message: string, ctx: ReplyContext): Promise<AgentReply> {
    const user: ChatMessage = { role: 'user', content: message };
    const userTokens = messageTokens(user, this.counter);
    const search = this.store.search(message, this.opts.topK);
    let storageMs = search.ms;

    // issue 22: as the chat agent: the budget learns from each answer, a refused prompt is rebuilt smaller and sent again.
    const { result, prompt, retries } = await sendFitted({
      budget: this.budget,
      prompt: this.buildPrompt(user, userTokens, search.hits),
      ctx,
      send: (p) =>
        streamChatCompletion({
          ...this.opts.endpoint,
          messages: p.messages,
          signal: ctx.signal,
          ...(ctx.onToken ? { onToken: ctx.onToken } : {}),
          ...(ctx.progress ? { progress: ctx.progress } : {}),
          ...(this.opts.sessionId !== undefined ? { conversationId: this.opts.sessionId } : {}),
        }),
      smaller: (below) => this.buildPrompt(user, userTokens, search.hits, below),
    });
    // Written only after a successful call, so a retried message is stored once.
    const written = this.store.write([
      { role: 'user', text: message },
      { role: 'assistant', text: result.text },
    ]);
    storageMs += written.ms;

    const reply: AgentReply = {
      text: result.text,
      usage: result.usage,
      timings: { llmMs: result.llmMs, storageMs, ...(result.ttftMs !== undefined ? { ttftMs: result.ttftMs } : {}) },
      finishReasons: result.finishReasons,
      metadata: {
        memory_hits: prompt.memoryIds.length,
        memory_ids: prompt.memoryIds,
        context_tokens: prompt.contextTokens,
        history_messages_sent: prompt.historySent,
        ...(retries > 0 ? { context_retries: retries } : {}),
      },
    };
    if (retries > 0) reply.contextRetries = retries;
    return reply;
  }

  /**
   * System prompt with the memories that fit, the recent history that fits, the new message.
   * `below`: a retry after a context-length error, whose prompt must come out under `below` tokens.
   */
  private buildPrompt(user: ChatMessage, userTokens: number, hits: readonly MemoryHit[], below?: number): MemoryPrompt {
    let used = this.systemTokens + userTokens;
    let budget = this.budget.promptBudget;
    if (below !== undefined) budget = Math.min(budget, below - 1);

    // Verbatim recent history, newest back, within recent_tokens and the window.
    const store = this.store;
    const size = store.size;
    const at = (i: number): MemoryRecord => store.recordAt(i) as MemoryRecord;
    const recentBudget = Math.min(this.opts.recentTokens, budget - used);
    let recentTokens = 0;
    let first = size;
    while (first > 0) {
      const t = this.messageTokens(at(first - 1));
      if (recentTokens + t > recentBudget) break;
      recentTokens += t;
      first--;
    }
    while (first < size && at(first).role !== 'user') {
      recentTokens -= this.messageTokens(at(first));
      first++;
    }
    used += recentTokens;
    const recentFrom = first < size ? at(first).id : Number.POSITIVE_INFINITY;

    // Memories, best first, until the window is full (the lowest ranked are the ones dropped).
    const chosen: MemoryHit[] = [];
    let memoryTokens = 0;
    for (const hit of hits) {
      if (hit.record.id >= recentFrom) continue; // already in the recent history
      const t = this.lineTokens(hit.record) + (chosen.length === 0 ? this.headerTokens : 0);
      if (used + memoryTokens + t > budget) break;
      memoryTokens += t;
      chosen.push(hit);
    }
    used += memoryTokens;
    chosen.sort((x, y) => x.record.id - y.record.id);

    const messages: ChatMessage[] = [];
    const memoryBlock = chosen.length > 0 ? `${MEMORY_HEADER}\n${chosen.map((h) => formatMemory(h.record)).join('\n')}` : '';
    const system = [this.opts.systemPrompt, memoryBlock].filter(Boolean).join('\n\n');
    if (system) messages.push({ role: 'system', content: system });
    for (let i = first; i < size; i++) {
      const r = at(i);
      messages.push({ role: r.role, content: r.text });
    }
    messages.push(user);
    return { messages, contextTokens: used, historySent: size - first, memoryIds: chosen.map((h) => h.record.id) };
  }

  /** issue 12: GoodAI's pre-filled filler is stored as if answered, with no call. */
  async prefill(message: string, reply: string): Promise<void> {
    this.store.write([
      { role: 'user', text: message },
      { role: 'assistant', text: reply },
    ]);
  }

  private messageTokens(record: MemoryRecord): number {
    return cached(this.asMessage, record.id, () => this.counter.count(record.text) + MESSAGE_OVERHEAD_TOKENS);
  }

  private lineTokens(record: MemoryRecord): number {
    return cached(this.asLine, record.id, () => this.counter.count(formatMemory(record)) + 1);
  }

  async close(): Promise<void> {
    this.store.close();
  }
}

/** The cache entry for `key`, computed once; the cache is emptied when it reaches 20,000 entries. */
function cached(cache: Map<number, number>, key: number, compute: () => number): number {
  let t = cache.get(key);
  if (t === undefined) {
    t = compute();
    if (cache.size >= 20_000) cache.clear();
    cache.set(key, t);
  }
  return t;
}
