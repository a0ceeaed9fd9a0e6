import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamChatCompletion } from '../../src/agents/llm/openai-client.js';
import { DeadlineSleeper, planReply, splitReply, startSimServer } from '../../src/agents/sim/server.js';
import type { SimServer } from '../../src/agents/sim/server.js';
import { countTokens } from '../../src/tokens.js';

// main.ts (the standalone process) is not exercised here: it needs the compiled
// dist/, so a CLI/integration test after `npm run build` should spawn it.

const post = (url: string, body: unknown) =>
  fetch(`${url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('sim server', () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSimServer();
  });
  afterAll(() => sim.close());

  it('serves /health and /v1/models', async () => {
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}/v1`);
    expect(await (await fetch(`http://127.0.0.1:${sim.port}/health`)).json()).toEqual({ status: 'ok' });
    const models = (await (await fetch(`${sim.url}/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toContain('sim-1');
    expect((await fetch(`${sim.url}/nope`)).status).toBe(404);
  });

  it('streams the exact OpenAI chunk format with a final usage chunk', async () => {
    const messages = [
      { role: 'user', content: 'My favourite colour is teal.' },
      { role: 'user', content: 'What is my favourite colour?' },
    ];
    const res = await post(sim.url, { model: 'sim-1', messages, stream: true, stream_options: { include_usage: true } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)) as Record<string, unknown>);
    for (const c of chunks) expect(c).toMatchObject({ object: 'chat.completion.chunk', model: 'sim-1' });
    expect(chunks[0]).toMatchObject({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], usage: null });
    const usageChunk = chunks.at(-1) as { choices: unknown[]; usage: Record<string, number> };
    expect(usageChunk.choices).toEqual([]);
    const text = chunks
      .flatMap((c) => (c.choices as Array<{ delta: { content?: string } }>).map((ch) => ch.delta.content ?? ''))
      .join('');
    expect(text).toBe('Your favourite colour is teal.');
    expect(usageChunk.usage).toEqual({
      prompt_tokens: countTokens(messages[0]!.content) + countTokens(messages[1]!.content),
      completion_tokens: countTokens(text),
      total_tokens: countTokens(messages[0]!.content) + countTokens(messages[1]!.content) + countTokens(text),
    });
    const finish = chunks.at(-2) as { choices: Array<{ finish_reason: string }> };
    expect(finish.choices[0]?.finish_reason).toBe('stop');
  });

  it('answers without streaming too', async () => {
    const res = await post(sim.url, { model: 'm', messages: [{ role: 'user', content: 'Hello' }] });
    const body = (await res.json()) as { object: string; choices: Array<{ message: { content: string }; finish_reason: string }>; usage: Record<string, number> };
    expect(body.object).toBe('chat.completion');
    expect(typeof body.choices[0]?.message.content).toBe('string');
    expect(body.choices[0]?.finish_reason).toBe('stop');
    expect(body.usage.prompt_tokens).toBe(countTokens('Hello'));
  });

  it('cuts the reply at max_tokens with finish_reason length', async () => {
    const res = await post(sim.url, { messages: [{ role: 'user', content: 'My favourite colour is teal.' }, { role: 'user', content: 'What is my favourite colour?' }], max_tokens: 2 });
    const body = (await res.json()) as { choices: Array<{ finish_reason: string }>; usage: { completion_tokens: number } };
    expect(body.choices[0]?.finish_reason).toBe('length');
    expect(body.usage.completion_tokens).toBe(2);
  });

  it('rejects bad requests with 400 in the OpenAI error shape', async () => {
    const res = await post(sim.url, { messages: [] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('messages');
  });

  it('answers only from the messages it is sent', () => {
    const without = planReply({ model: 'sim-1', stream: false, includeUsage: false, messages: [{ role: 'user', content: 'What is my favourite colour?' }] });
    expect(without.text).not.toContain('teal');
  });

  it('is cheap at zero latency: 1000 streamed turns in a few seconds', async () => {
    const history = Array.from({ length: 40 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `Message ${i} about the weather and other unrelated matters.` }));
    const started = performance.now();
    for (let i = 0; i < 1000; i++) {
      await streamChatCompletion({
        baseUrl: sim.url,
        model: 'sim-1',
        temperature: 0,
        maxTokens: 64,
        messages: [...(history as Array<{ role: 'user' | 'assistant'; content: string }>), { role: 'user', content: `Turn ${i}` }],
        signal: AbortSignal.timeout(5000),
      });
    }
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(10_000);
  });
});

describe('sim server pacing', () => {
  it('honours ttft, tokens per second and latency', async () => {
    const sim = await startSimServer({ ttftMs: 50, tokensPerSec: 200, latencyMs: 50 });
    try {
      const result = await streamChatCompletion({
        baseUrl: sim.url,
        model: 'sim-1',
        temperature: 0,
        maxTokens: 64,
        messages: [
          { role: 'user', content: 'My favourite colour is teal.' },
          { role: 'user', content: 'What is my favourite colour?' },
        ],
        signal: AbortSignal.timeout(5000),
      });
      const pieces = splitReply(result.text).length; // 5 pieces at 5 ms each
      expect(result.ttftMs).toBeGreaterThanOrEqual(45);
      expect(result.llmMs).toBeGreaterThanOrEqual(45 + ((pieces - 1) * 1000) / 200 + 45);
    } finally {
      await sim.close();
    }
  });

  it('splits replies into word-ish pieces that join back exactly', () => {
    for (const text of ['Hello there, world.', '  leading and trailing  ', 'one', '']) expect(splitReply(text).join('')).toBe(text);
  });
});

describe('sim deadlines', () => {
  it('wakes at a deadline, at once for one already past, and never after an abort', async () => {
    const sleeper = new DeadlineSleeper();
    const never = new AbortController().signal;
    for (let i = 0; i < 5; i++) {
      const deadline = performance.now() + 20;
      expect(await sleeper.sleepUntil(deadline, never)).toBe(true);
      // It may aim early by its learned timer lateness, at most 2 ms.
      expect(performance.now()).toBeGreaterThanOrEqual(deadline - 2);
    }
    const past = performance.now();
    expect(await sleeper.sleepUntil(past - 5, never)).toBe(true);
    const abort = new AbortController();
    const pending = sleeper.sleepUntil(performance.now() + 60_000, abort.signal);
    abort.abort();
    expect(await pending).toBe(false);
    expect(await sleeper.sleepUntil(performance.now() + 10, abort.signal)).toBe(false);
  });
});
