/**
 * Issue 22 (items 1 and 2): context-length errors in each server's words, a budget that learns
 * from the prompt_tokens a server reports, a prompt refused for its length trimmed and sent again
 * (recorded), and history dropped in blocks so consecutive prompts share their start.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatAgent, MAX_CONTEXT_RETRIES } from '../../src/agents/chat-agent.js';
import { ContextBudget } from '../../src/agents/context-budget.js';
import { classifyContextOverflow } from '../../src/agents/llm/context-errors.js';
import { agentFailure } from '../../src/agents/protocol/http-transport.js';
import type { ChatEndpoint } from '../../src/agents/llm/openai-client.js';
import type { ChatMessage, ContextRetryInfo, ReplyContext } from '../../src/agents/types.js';
import { CallError } from '../../src/errors.js';
import { failureReason } from '../../src/runner/turn.js';
import { tokenCounter } from '../../src/tokens.js';
import { openAiStream, startRecordingServer, type RecordingServer } from './helpers.js';
import { tempDir } from '../helpers.js';

describe('context-length errors in each server\'s words', () => {
  it('llama.cpp: the type, or the message, with its numbers (fields or words)', () => {
    const error = { code: 400, message: 'request (2100 tokens) exceeds the available context size (2048 tokens), try increasing it', type: 'exceed_context_size_error', n_prompt_tokens: 2100, n_ctx: 2048 };
    expect(classifyContextOverflow(400, error.message, error)).toEqual({ server: 'llama.cpp', promptTokens: 2100, contextTokens: 2048 });
    expect(classifyContextOverflow(400, error.message)).toEqual({ server: 'llama.cpp', promptTokens: 2100, contextTokens: 2048 });
    const older = { code: 400, message: 'the request exceeds the available context size, try increasing it', type: 'exceed_context_size_error', n_prompt_tokens: 3000, n_ctx: 2048 };
    expect(classifyContextOverflow(400, older.message, older)).toEqual({ server: 'llama.cpp', promptTokens: 3000, contextTokens: 2048 });
  });

  it('OpenAI: the code, the wording', () => {
    const message = "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens. Please reduce the length of the messages.";
    expect(classifyContextOverflow(400, message, { message, type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' })).toEqual({ server: 'openai', promptTokens: 9000, contextTokens: 8192 });
    expect(classifyContextOverflow(400, 'Your input exceeds the context window of this model. Please adjust your input and try again.', { code: 'context_length_exceeded' })?.server).toBe('openai');
  });

  it('vLLM: current and older wordings', () => {
    expect(classifyContextOverflow(400, "This model's maximum context length is 2048 tokens. However, your request has 2100 input tokens. Please reduce the length of the input messages.")).toEqual({ server: 'vllm', promptTokens: 2100, contextTokens: 2048 });
    expect(classifyContextOverflow(400, "This model's maximum context length is 2048 tokens. However, you requested 2300 tokens (2,044 in the messages, 256 in the completion). Please reduce the length of the messages or completion.")).toEqual({ server: 'vllm', promptTokens: 2044, contextTokens: 2048 });
    expect(classifyContextOverflow(400, "'max_tokens' or 'max_completion_tokens' is too large: 256. This model's maximum context length is 2048 tokens and your request has 1900 input tokens (256 > 2048 - 1900).")).toEqual({ server: 'vllm', promptTokens: 1900, contextTokens: 2048 });
    expect(classifyContextOverflow(400, 'The prompt (total length 2100) is too long to fit into the model (context length 2048). Make sure that `max_model_len` is no smaller than the number of text tokens.')).toEqual({ server: 'vllm', promptTokens: 2100, contextTokens: 2048 });
  });

  it('Ollama: no numbers', () => {
    expect(classifyContextOverflow(400, 'the input length exceeds the context length')).toEqual({ server: 'ollama' });
  });

  it('not one: other 400s, a 429 or 5xx whatever it says', () => {
    expect(classifyContextOverflow(400, "'messages' must contain the word 'json'")).toBeUndefined();
    expect(classifyContextOverflow(429, 'context_length_exceeded')).toBeUndefined();
    expect(classifyContextOverflow(500, 'the input length exceeds the context length')).toBeUndefined();
  });

  it("a protocol agent passing its model's error on is read the same way", () => {
    const err = agentFailure({ message: 'HTTP 400: the input length exceeds the context length' }, 'stdio agent x');
    expect(err.contextOverflow).toEqual({ server: 'ollama' });
    expect(agentFailure({ message: 'out of cheese' }, 'x').contextOverflow).toBeUndefined();
  });

  it('a failed turn says context_length, not http_400', () => {
    const err = new CallError('http', 'HTTP 400: the input length exceeds the context length', { status: 400, contextOverflow: { server: 'ollama' } });
    expect(failureReason(err, false)).toBe('context_length');
    expect(failureReason(new CallError('http', 'HTTP 400: bad', { status: 400 }), false)).toBe('http_400');
  });
});

describe('the budget', () => {
  it('keeps a margin and learns from the prompt_tokens a server reports', () => {
    const b = new ContextBudget({ contextSize: 2048, maxTokens: 128 });
    expect(b.margin).toBe(41);
    expect(b.promptBudget).toBe(2048 - 128 - 41);
    b.observe(1000, 1150);
    expect(b.ratio).toBeCloseTo(1.15);
    expect(b.promptBudget).toBe(Math.floor((2048 - 128 - 41) / 1.15));
  });

  it('a context-length error teaches the real size, or a step where it gave none; a smaller window is believed', () => {
    const b = new ContextBudget({ contextSize: 4096, maxTokens: 100 });
    b.overflowed(1800, { server: 'llama.cpp', promptTokens: 2100, contextTokens: 2048 });
    expect(b.ratio).toBeCloseTo(2100 / 1800);
    expect(b.promptBudget).toBe(Math.floor((2048 - 100 - 41) / (2100 / 1800)));
    const c = new ContextBudget({ contextSize: 2048, maxTokens: 100 });
    c.overflowed(1900, { server: 'ollama' });
    expect(c.ratio).toBeCloseTo(1.1);
  });
});

/** A server with a window of `window` tokens counting 1 token per word plus 5 per message, llama.cpp's 400 past it. */
function llamaLikeServer(window: number): Promise<RecordingServer> {
  return startRecordingServer((_req, res, body) => {
    const messages = (body as { messages: ChatMessage[] }).messages;
    const prompt = messages.reduce((n, m) => n + m.content.split(/\s+/).filter(Boolean).length + 5, 0) + 3;
    if (prompt >= window) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 400, message: `request (${prompt} tokens) exceeds the available context size (${window} tokens), try increasing it`, type: 'exceed_context_size_error', n_prompt_tokens: prompt, n_ctx: window } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(openAiStream(['Noted.'], { prompt_tokens: prompt, completion_tokens: 2 }));
  });
}

/** A tokenizer.json of whole words (WordLevel), so the agent's counts are words and the server's are more. */
function wordTokenizer(): string {
  const vocab: Record<string, number> = { '[UNK]': 0 };
  const path = join(tempDir('referee-tok-'), 'tokenizer.json');
  writeFileSync(path, JSON.stringify({ version: '1.0', added_tokens: [], normalizer: null, pre_tokenizer: { type: 'WhitespaceSplit' }, post_processor: null, decoder: null, model: { type: 'WordLevel', vocab, unk_token: '[UNK]' } }));
  return path;
}

const ctx = (turnId: number, retries?: ContextRetryInfo[]): ReplyContext => ({ testId: 't', turnId, signal: AbortSignal.timeout(5000), ...(retries ? { onContextRetry: (i) => void retries.push(i) } : {}) });
const note = (i: number): string => `Note ${i}: ${'word '.repeat(40)}end.`;

describe('the chat agent against a window it does not know', () => {
  let server: RecordingServer;
  beforeAll(async () => {
    server = await llamaLikeServer(400);
  });
  afterAll(() => server.close());

  it('a tokenizer.json names what the budget counts with', () => {
    const counter = tokenCounter(wordTokenizer());
    expect(counter.count('one two three')).toBe(3);
    expect(() => tokenCounter(join(tempDir('referee-tok-'), 'missing.json'))).toThrow();
  });

  it('told a window larger than the server has: the refused prompt is trimmed and sent again, recorded, and no turn fails', async () => {
    const endpoint: ChatEndpoint = { baseUrl: server.url, model: 'm', temperature: 0, maxTokens: 32 };
    const agent = new ChatAgent({ name: 'c', endpoint, contextSize: 1000, systemPrompt: 'Be brief.', tokenizer: tokenCounter(wordTokenizer()), historyTrim: 'sliding' });
    const retries: ContextRetryInfo[] = [];
    let retried = 0;
    for (let i = 0; i < 20; i++) {
      const reply = await agent.reply(note(i), ctx(i, retries));
      retried += reply.contextRetries ?? 0;
    }
    expect(retried).toBeGreaterThan(0);
    expect(retries).toHaveLength(retried);
    expect(retries[0]).toMatchObject({ retry: 1, maxRetries: MAX_CONTEXT_RETRIES, serverContextTokens: 400 });
    expect(retries[0]!.trimmedTo).toBeLessThan(retries[0]!.sentTokens);
    // Once learnt, the window is not overrun again.
    expect(retries.length).toBeLessThanOrEqual(2);
  });

  it('a message that cannot fit even alone: the error stands, as a context-length error', async () => {
    const endpoint: ChatEndpoint = { baseUrl: server.url, model: 'm', temperature: 0, maxTokens: 32 };
    const agent = new ChatAgent({ name: 'c', endpoint, contextSize: 1000, systemPrompt: '', tokenizer: tokenCounter(wordTokenizer()) });
    const err = await agent.reply('word '.repeat(500), ctx(0)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallError);
    expect((err as CallError).contextOverflow).toMatchObject({ server: 'llama.cpp', contextTokens: 400 });
  });
});

describe('history in blocks (issue 22 item 2)', () => {
  let server: RecordingServer;
  beforeAll(async () => {
    server = await llamaLikeServer(100_000);
  });
  afterAll(() => server.close());

  it('a full window drops a block at once: consecutive prompts share their start, save at the cuts', async () => {
    const endpoint: ChatEndpoint = { baseUrl: server.url, model: 'm', temperature: 0, maxTokens: 32 };
    const agent = new ChatAgent({ name: 'c', endpoint, contextSize: 600, systemPrompt: 'Be brief.', tokenizer: tokenCounter(wordTokenizer()) });
    const first = server.requests.length;
    const sent: number[] = [];
    for (let i = 0; i < 40; i++) sent.push((await agent.reply(note(i), ctx(i))).metadata?.history_messages_sent as number);
    const prompts = server.requests.slice(first).map((r) => (r.body as { messages: ChatMessage[] }).messages);
    let cuts = 0;
    for (let i = 1; i < prompts.length; i++) {
      const prev = prompts[i - 1]!;
      const shared = prev.every((m, j) => prompts[i]![j]?.content === m.content);
      if (!shared) cuts++;
    }
    // Sliding would change the prompt's start on every call once full; blocks change it rarely.
    expect(cuts).toBeGreaterThan(0);
    expect(cuts).toBeLessThanOrEqual(Math.ceil(prompts.length / 3));
    // At a cut the history falls to about half of the budget.
    const drops = sent.filter((n, i) => i > 0 && n < sent[i - 1]!);
    expect(drops.length).toBe(cuts);
  });
});
