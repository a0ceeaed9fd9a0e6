import { mkdtempSync, readFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatAgent } from '../../src/agents/chat-agent.js';
import { MemoryAgent, formatMemory } from '../../src/agents/memory-agent.js';
import { MemoryStore } from '../../src/agents/memory/store.js';
import { startSimServer } from '../../src/agents/sim/server.js';
import type { SimServer } from '../../src/agents/sim/server.js';
import type { ChatEndpoint } from '../../src/agents/llm/openai-client.js';
import type { ReplyContext } from '../../src/agents/types.js';
import { MESSAGE_OVERHEAD_TOKENS, countTokens } from '../../src/tokens.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'referee-agents-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ctx = (turnId = 0): ReplyContext => ({ testId: 't', turnId, signal: AbortSignal.timeout(5000) });

/** ~60 tokens of unrelated text. */
const filler = (i: number) =>
  `Filler note number ${i}: the committee discussed drainage schedules, parking permits, the library roof, seasonal bus timetables and the annual budget for public benches in considerable and tedious detail.`;

let sim: SimServer;
let endpoint: ChatEndpoint;
beforeAll(async () => {
  sim = await startSimServer();
  endpoint = { baseUrl: sim.url, model: 'sim-1', temperature: 0, maxTokens: 48 };
});
afterAll(() => sim.close());

describe('ChatAgent', () => {
  it('sends the system prompt, the history that fits the window, and the new message', async () => {
    const agent = new ChatAgent({ name: 'chat', endpoint, contextSize: 400, systemPrompt: 'You are terse.', historyTrim: 'sliding' });
    const sent: number[] = [];
    const tokens: number[] = [];
    for (let i = 0; i < 20; i++) {
      const reply = await agent.reply(filler(i), ctx(i));
      sent.push(reply.metadata?.history_messages_sent as number);
      tokens.push(reply.metadata?.context_tokens as number);
      expect(reply.timings?.storageMs).toBe(0);
      expect(reply.usage?.inputTokens).toBeGreaterThan(0);
    }
    expect(sent.slice(0, 3)).toEqual([0, 2, 4]);
    // Exactly as many (user, assistant) pairs as fit beside the system prompt and the new message.
    const m = (text: string) => countTokens(text) + MESSAGE_OVERHEAD_TOKENS;
    const pair = m(filler(10)) + m('Okay, noted.');
    // issue 22: the budget keeps a margin of the window free (16 tokens at least).
    const fit = Math.floor((400 - 48 - 16 - m('You are terse.') - m(filler(19))) / pair);
    expect(sent.at(-1)).toBe(2 * fit);
    expect(Math.max(...sent)).toBe(2 * fit);
    for (const t of tokens) expect(t).toBeLessThanOrEqual(400 - 48 - 16);
    // The retained history is pruned to what could still fit.
    expect(agent.historyLength).toBeLessThan(14);
    await agent.close();
  });

  it('forgets a fact that scrolled out of a small window, remembers it in a large one', async () => {
    const small = new ChatAgent({ name: 'small', endpoint, contextSize: 200, systemPrompt: 'You are helpful.' });
    const large = new ChatAgent({ name: 'large', endpoint, contextSize: 100_000, systemPrompt: 'You are helpful.' });
    for (const agent of [small, large]) {
      await agent.reply('My favourite colour is teal.', ctx());
      for (let i = 0; i < 30; i++) await agent.reply(filler(i), ctx(i + 1));
    }
    expect((await small.reply('What is my favourite colour?', ctx(99))).text).not.toMatch(/teal/i);
    expect((await large.reply('What is my favourite colour?', ctx(99))).text).toMatch(/teal/i);
  });
});

describe('MemoryStore', () => {
  it('ranks the right message first with BM25', () => {
    const store = MemoryStore.open(tempDir());
    store.write([
      { role: 'user', text: 'The weather today is rainy and cold.' },
      { role: 'user', text: 'My favourite colour is teal.' },
      { role: 'assistant', text: 'Okay, noted.' },
      { role: 'user', text: 'I bought a colour printer for the office.' },
      { role: 'user', text: 'Remember that my sister lives in Lisbon.' },
    ]);
    const { hits, ms } = store.search('What is my favourite colour?', 3);
    expect(hits[0]?.record.text).toBe('My favourite colour is teal.');
    expect(hits.map((h) => h.record.id)).toContain(3);
    expect(hits.length).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(store.search('Lisbon', 5).hits.map((h) => h.record.id)).toEqual([4]);
    expect(store.search('the of and', 5).hits).toEqual([]);
    store.close();
  });

  it('persists across reopen, tolerates a torn last line and keeps ids increasing', () => {
    const dir = tempDir();
    const first = MemoryStore.open(dir);
    first.write([{ role: 'user', text: 'alpha fact' }, { role: 'assistant', text: 'beta reply' }]);
    first.close();
    appendFileSync(join(dir, 'memory.jsonl'), '{"id":2,"ts":"x","role":"us'); // a crash mid-write

    const second = MemoryStore.open(dir);
    expect(second.size).toBe(2);
    expect(second.skippedLines).toBe(1);
    expect(second.search('alpha', 1).hits[0]?.record).toMatchObject({ id: 0, role: 'user', text: 'alpha fact' });
    const { records } = second.write([{ role: 'user', text: 'gamma fact' }]);
    expect(records[0]?.id).toBe(2);
    second.close();

    const lines = readFileSync(join(dir, 'memory.jsonl'), 'utf8').split('\n');
    expect(JSON.parse(lines.at(-2) ?? '')).toMatchObject({ id: 2, text: 'gamma fact' });
    const third = MemoryStore.open(dir);
    expect(Array.from({ length: third.size }, (_, i) => third.recordAt(i)?.text)).toEqual(['alpha fact', 'beta reply', 'gamma fact']);
    third.close();
  });
});

describe('MemoryAgent', () => {
  it('beats a small-window ChatAgent on colour recall', async () => {
    const memory = new MemoryAgent({
      name: 'mem',
      endpoint,
      contextSize: 200,
      systemPrompt: 'You are helpful.',
      topK: 4,
      recentTokens: 60,
      store: MemoryStore.open(tempDir()),
    });
    const chat = new ChatAgent({ name: 'chat', endpoint, contextSize: 200, systemPrompt: 'You are helpful.' });
    for (const agent of [memory, chat]) {
      await agent.reply('My favourite colour is teal.', ctx());
      for (let i = 0; i < 30; i++) await agent.reply(filler(i), ctx(i + 1));
    }
    const remembered = await memory.reply('What is my favourite colour?', ctx(99));
    const forgotten = await chat.reply('What is my favourite colour?', ctx(99));
    expect(remembered.text).toMatch(/teal/i);
    expect(forgotten.text).not.toMatch(/teal/i);
    expect(remembered.metadata?.memory_ids).toContain(0);
    expect(remembered.metadata?.memory_hits).toBeGreaterThan(0);
    expect(remembered.metadata?.context_tokens as number).toBeLessThanOrEqual(200 - 48);
    expect(remembered.timings?.storageMs).toBeGreaterThan(0);
    await memory.close();
  });

  it('puts memories in chronological order in one system message and keeps its memory across sessions', async () => {
    const dir = tempDir();
    const store = MemoryStore.open(dir);
    store.write([
      { role: 'user', text: 'My favourite colour is red.' },
      { role: 'assistant', text: 'Okay.' },
      { role: 'user', text: 'My favourite colour is now blue.' },
      { role: 'assistant', text: 'Okay.' },
    ]);
    store.close();
    const agent = new MemoryAgent({ name: 'mem', endpoint, contextSize: 1000, systemPrompt: 'Sys.', topK: 8, recentTokens: 0, store: MemoryStore.open(dir) });
    const reply = await agent.reply('What is my favourite colour?', ctx());
    expect(reply.text).toMatch(/blue/);
    expect(reply.metadata?.memory_ids).toEqual([0, 2]);
    expect(formatMemory({ id: 3, ts: '', role: 'user', text: 'two\nlines' })).toBe('[memory 3] user: two lines');
    await agent.close();
    const reopened = MemoryStore.open(dir);
    expect(reopened.size).toBe(6);
    reopened.close();
  });
});
