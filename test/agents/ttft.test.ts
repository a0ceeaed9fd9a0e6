import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerStarted, streamChatCompletion } from '../../src/agents/llm/openai-client.js';

const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'x', model: 'r1', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// issue 17: TTFT is taken where Streaming starts (seed 004), after the model's reasoning.
describe('TTFT of a reasoning model, over a real loopback stream', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        void (async () => {
          res.writeHead(200, { 'Content-Type': 'text/event-stream' });
          const inline = req.url?.includes('inline');
          res.write(chunk(inline ? { content: '<think>' } : { reasoning_content: 'Let me think. ' }));
          await sleep(400);
          res.write(chunk(inline ? { content: 'still thinking</think>' } : { reasoning_content: 'Done.' }));
          await sleep(200);
          res.write(chunk({ content: 'Paris' }));
          res.end(chunk({}, 'stop') + 'data: [DONE]\n\n');
        })();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const call = (path: string) =>
    streamChatCompletion({ baseUrl: url + path, model: 'r1', apiKey: 'k', temperature: 0, maxTokens: 16, messages: [{ role: 'user', content: 'Capital of France?' }], signal: AbortSignal.timeout(10_000) });

  it('measures TTFT at the first answer token, not the first reasoning token', async () => {
    const r = await call('/v1');
    expect(r.text).toBe('Paris');
    // 600 ms of reasoning came first; the first reasoning token came at once.
    expect(r.ttftMs).toBeGreaterThanOrEqual(580);
    expect(r.llmMs).toBeGreaterThanOrEqual(r.ttftMs!);
  });

  it('does the same for an inline <think> block in the content', async () => {
    const r = await call('/inline/v1');
    expect(r.ttftMs).toBeGreaterThanOrEqual(580);
  });

  it('answerStarted: only visible text after a closed think block counts', () => {
    expect(answerStarted('')).toBe(false);
    expect(answerStarted('<thi')).toBe(false);
    expect(answerStarted('<think>hmm')).toBe(false);
    expect(answerStarted('<think>hmm</think>  ')).toBe(false);
    expect(answerStarted('<think>hmm</think>Paris')).toBe(true);
    expect(answerStarted('Paris')).toBe(true);
  });
});
