import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CallError } from '../../src/errors.js';
import { parseRetryAfter, streamChatCompletion, truncateUtf8 } from '../../src/agents/llm/openai-client.js';
import type { StreamChatOptions } from '../../src/agents/llm/openai-client.js';
import { startSimServer } from '../../src/agents/sim/server.js';
import type { SimServer } from '../../src/agents/sim/server.js';
import { ATTR, SPAN } from '../../src/telemetry/names.js';
import { openAiStream, startRecordingServer } from './helpers.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();
const SECRET = 'sk-test-SECRET-0123456789';

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});
afterEach(() => exporter.reset());

function options(baseUrl: string, extra: Partial<StreamChatOptions> = {}): StreamChatOptions {
  return {
    baseUrl,
    model: 'sim-1',
    apiKey: SECRET,
    temperature: 0,
    maxTokens: 64,
    messages: [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'My favourite colour is teal.' },
      { role: 'user', content: 'What is my favourite colour?' },
    ],
    signal: AbortSignal.timeout(10_000),
    ...extra,
  };
}

function expectNoSecret() {
  for (const span of exporter.getFinishedSpans()) {
    const dump = JSON.stringify({ attributes: span.attributes, events: span.events, status: span.status });
    expect(dump).not.toContain(SECRET);
    expect(dump.toLowerCase()).not.toContain('authorization');
  }
}

describe('streamChatCompletion against the sim server', () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSimServer({ ttftMs: 30 });
  });
  afterAll(() => sim.close());

  it('streams the text, reports usage and TTFT, and records an LLM span', async () => {
    const deltas: string[] = [];
    const result = await streamChatCompletion(options(sim.url, { onToken: (d) => deltas.push(d), conversationId: 's1' }));
    expect(result.text).toBe('Your favourite colour is teal.');
    expect(deltas.join('')).toBe(result.text);
    expect(deltas.length).toBeGreaterThan(1);
    expect(result.usageReported).toBe(true);
    expect(result.usage.inputTokens).toBeGreaterThan(10);
    expect(result.usage.outputTokens).toBeGreaterThan(3);
    expect(result.finishReasons).toEqual(['stop']);
    expect(result.responseModel).toBe('sim-1');
    expect(result.ttftMs).toBeGreaterThanOrEqual(25);
    expect(result.llmMs).toBeGreaterThanOrEqual(result.ttftMs ?? 0);

    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe(SPAN.chat('sim-1'));
    const a = span?.attributes ?? {};
    expect(a[ATTR.genAiOperation]).toBe('chat');
    expect(a[ATTR.genAiProvider]).toBe('openai');
    expect(a[ATTR.genAiRequestModel]).toBe('sim-1');
    expect(a[ATTR.genAiResponseModel]).toBe('sim-1');
    expect(a[ATTR.genAiInputTokens]).toBe(result.usage.inputTokens);
    expect(a[ATTR.genAiOutputTokens]).toBe(result.usage.outputTokens);
    expect(a[ATTR.genAiFinishReasons]).toEqual(['stop']);
    expect(a[ATTR.genAiConversationId]).toBe('s1');
    expect(a[ATTR.serverAddress]).toBe('127.0.0.1');
    expect(a[ATTR.serverPort]).toBe(sim.port);
    expect(a['openinference.span.kind']).toBe('LLM');
    expect(a['llm.model_name']).toBe('sim-1');
    expect(a['llm.token_count.total']).toBe(result.usage.inputTokens + result.usage.outputTokens);
    expect(a['llm.input_messages.1.message.role']).toBe('user');
    expect(a['llm.input_messages.1.message.content']).toBe('My favourite colour is teal.');
    expect(a['llm.output_messages.0.message.content']).toBe(result.text);
    expect(a['output.value']).toBe(result.text);
    expect(JSON.parse(String(a['llm.invocation_parameters']))).toMatchObject({ temperature: 0, max_tokens: 64 });
    expect(a[ATTR.ttftMs]).toBe(result.ttftMs);
    expect(a[ATTR.inputTruncated]).toBe(false);
    expect(a[ATTR.outputTruncated]).toBe(false);
    expectNoSecret();
  });

  it('truncates long prompt text in the span and flags it', async () => {
    const long = 'é'.repeat(5000);
    await streamChatCompletion(options(sim.url, { messages: [{ role: 'user', content: long }] }));
    const a = exporter.getFinishedSpans()[0]?.attributes ?? {};
    const content = String(a['llm.input_messages.0.message.content']);
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    expect(content).toBe('é'.repeat(2048));
    expect(a[ATTR.inputTruncated]).toBe(true);
  });
});

describe('streamChatCompletion against a recording server', () => {
  it('propagates W3C trace context with the chat span as parent, and falls back to counting usage', async () => {
    const server = await startRecordingServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(openAiStream(['Hello', ' there', '!']));
    });
    try {
      const tracer = trace.getTracer('test');
      const result = await tracer.startActiveSpan('benchmark.turn', async (turn) => {
        try {
          return await streamChatCompletion(options(server.url, { headers: { 'x-extra': 'yes' } }));
        } finally {
          turn.end();
        }
      });
      expect(result.text).toBe('Hello there!');
      expect(result.usageReported).toBe(false);
      expect(result.usage.outputTokens).toBeGreaterThan(0);
      expect(result.usage.inputTokens).toBeGreaterThan(10);

      const headers = server.requests[0]?.headers ?? {};
      expect(headers.authorization).toBe(`Bearer ${SECRET}`);
      expect(headers['x-extra']).toBe('yes');
      const body = server.requests[0]?.body as Record<string, unknown>;
      expect(body).toMatchObject({ model: 'sim-1', stream: true, stream_options: { include_usage: true }, max_tokens: 64 });

      const spans = exporter.getFinishedSpans();
      const chat = spans.find((s) => s.name === SPAN.chat('sim-1'));
      const turn = spans.find((s) => s.name === 'benchmark.turn');
      expect(chat?.parentSpanContext?.spanId).toBe(turn?.spanContext().spanId);
      const ctx = chat?.spanContext();
      expect(headers.traceparent).toBe(`00-${ctx?.traceId}-${ctx?.spanId}-01`);
      expectNoSecret();
    } finally {
      await server.close();
    }
  });

  it('turns HTTP 429 with Retry-After into CallError http with status and retryAfterMs', async () => {
    const server = await startRecordingServer((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end(JSON.stringify({ error: { message: `Rate limit reached for key ${SECRET}` } }));
    });
    try {
      const err = await streamChatCompletion(options(server.url)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CallError);
      const e = err as CallError;
      expect(e.reason).toBe('http');
      expect(e.status).toBe(429);
      expect(e.retryAfterMs).toBe(7000);
      expect(e.message).toContain('429');
      expect(e.message).toContain('Rate limit reached');
      expect(e.message).not.toContain(SECRET);
      const span = exporter.getFinishedSpans()[0];
      expect(span?.status.code).toBe(2);
      expect(span?.attributes[ATTR.errorType]).toBe('429');
      expect(span?.events.some((ev) => ev.name === 'exception')).toBe(true);
      expectNoSecret();
    } finally {
      await server.close();
    }
  });

  it('parses Retry-After as an HTTP date and retry-after-ms', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }), now)).toBe(5000);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '250', 'retry-after': '1' }), now)).toBe(250);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined();
  });

  it("turns an unparsable chunk into CallError 'malformed'", async () => {
    const server = await startRecordingServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\ndata: {not json\n\n');
    });
    try {
      const err = await streamChatCompletion(options(server.url)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CallError);
      expect((err as CallError).reason).toBe('malformed');
    } finally {
      await server.close();
    }
  });

  it("turns a stream cut short into CallError 'connection'", async () => {
    const server = await startRecordingServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n');
      setTimeout(() => res.destroy(), 20);
    });
    try {
      const err = await streamChatCompletion(options(server.url)).catch((e: unknown) => e);
      expect((err as CallError).reason).toBe('connection');
    } finally {
      await server.close();
    }
  });

  it("reports a refused connection as CallError 'connection'", async () => {
    const server = await startRecordingServer(() => undefined);
    const url = server.url;
    await server.close();
    const err = await streamChatCompletion(options(url)).catch((e: unknown) => e);
    expect((err as CallError).reason).toBe('connection');
    expect((err as CallError).message).not.toContain(SECRET);
  });

  describe('aborts', () => {
    let hang: Awaited<ReturnType<typeof startRecordingServer>>;
    beforeAll(async () => {
      hang = await startRecordingServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"choices":[{"index":0,"delta":{"content":"thinking"}}]}\n\n'); // then never ends
      });
    });
    afterAll(() => hang.close());

    it("gives 'aborted' for a plain abort mid-stream", async () => {
      const controller = new AbortController();
      const tokens: string[] = [];
      const pending = streamChatCompletion(
        options(hang.url, { signal: controller.signal, onToken: (d) => (tokens.push(d), controller.abort()) }),
      ).catch((e: unknown) => e);
      const err = (await pending) as CallError;
      expect(tokens).toEqual(['thinking']);
      expect(err).toBeInstanceOf(CallError);
      expect(err.reason).toBe('aborted');
    });

    it("gives 'timeout' for AbortSignal.timeout()", async () => {
      const err = (await streamChatCompletion(options(hang.url, { signal: AbortSignal.timeout(100) })).catch((e: unknown) => e)) as CallError;
      expect(err.reason).toBe('timeout');
      expect(exporter.getFinishedSpans()[0]?.attributes[ATTR.errorType]).toBe('timeout');
    });

    it("gives 'timeout' for an abort whose reason is a CallError('timeout')", async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new CallError('timeout', 'turn timed out after 0.1 s')), 100);
      const err = (await streamChatCompletion(options(hang.url, { signal: controller.signal })).catch((e: unknown) => e)) as CallError;
      expect(err.reason).toBe('timeout');
      expect(err.message).toBe('turn timed out after 0.1 s');
    });

    it("gives 'aborted' when the signal is already aborted", async () => {
      const err = (await streamChatCompletion(options(hang.url, { signal: AbortSignal.abort() })).catch((e: unknown) => e)) as CallError;
      expect(err.reason).toBe('aborted');
    });
  });
});

describe('truncateUtf8', () => {
  it('never splits a character', () => {
    expect(truncateUtf8('ab🌍cd', 4)).toEqual({ text: 'ab', truncated: true });
    expect(truncateUtf8('ab🌍cd', 6)).toEqual({ text: 'ab🌍', truncated: true });
    expect(truncateUtf8('short', 4096)).toEqual({ text: 'short', truncated: false });
  });
});
