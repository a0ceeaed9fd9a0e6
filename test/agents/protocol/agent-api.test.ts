/**
 * issue 15: one protocol agent's calls, through the factory and the runner's
 * turn executor: streamed replies over SSE and stdio token lines (live tokens,
 * TTFT), a 429 with Retry-After retried after the time it asks for, oversized
 * metadata cut at the boundary, and an answer that breaks the schema named by
 * its field.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentFactory } from '../../../src/agents/factory.js';
import type { SimServer } from '../../../src/agents/sim/server.js';
import type { AgentFactory } from '../../../src/agents/types.js';
import { AgentConfigSchema } from '../../../src/config/agent.js';
import type { RetryInfo } from '../../../src/runner/retry.js';
import type { ScheduleStep } from '../../../src/runner/scheduler.js';
import { executeTurn } from '../../../src/runner/turn.js';
import { tempDir } from '../../helpers.js';
import { startRecordingServer } from '../helpers.js';
import { PY_AGENT, startHttpAgent, startLlm, type AgentServer } from './helpers.js';

const step = (message: string): ScheduleStep =>
  ({ turnId: 1, lane: 0, step: 1, kind: 'test', testId: 'T/0', dataset: 'colours', message, isQuestion: true, lineIndex: 0, beginsTest: true, endsTest: true, tokens: 5, laneTokensBefore: 0 }) as ScheduleStep;

async function session(factory: AgentFactory) {
  return factory.createSession({ sessionId: 'lane-0', stateDir: join(tempDir('referee-proto-api-'), 'state/lane-0') });
}

describe('protocol agent calls', () => {
  let llm: SimServer;
  let server: AgentServer;
  beforeAll(async () => {
    llm = await startLlm();
    server = await startHttpAgent('python3', [PY_AGENT], { LLM_BASE_URL: llm.url });
  });
  afterAll(async () => {
    server?.stop();
    await llm?.close();
  });

  for (const kind of ['http', 'stdio'] as const) {
    it(`${kind}: a streamed reply arrives token by token, with its TTFT`, async () => {
      const config = AgentConfigSchema.parse(
        kind === 'http'
          ? { name: 'py', kind, http: { url: server.url } }
          : { name: 'py', kind, stdio: { command: 'python3', args: [PY_AGENT, '--stdio'], env: { LLM_BASE_URL: llm.url } } },
      );
      const factory = await createAgentFactory(config);
      try {
        const agent = await session(factory);
        await agent.reply('My favourite colour is teal.', { testId: 'T/0', turnId: 0, signal: AbortSignal.timeout(10_000) });
        const tokens: string[] = [];
        const reply = await agent.reply('What is my favourite colour?', { testId: 'T/0', turnId: 1, signal: AbortSignal.timeout(10_000), onToken: (d) => tokens.push(d) });
        expect(reply.text).toContain('teal');
        expect(tokens.length).toBeGreaterThan(1);
        expect(tokens.join('')).toBe(reply.text);
        expect(reply.timings?.ttftMs).toBeGreaterThan(0);
        expect(reply.usage?.inputTokens).toBeGreaterThan(10);
      } finally {
        await factory.close();
      }
    });
  }

  it("http: a 429 with Retry-After is retried by the runner's turn executor after the time it asks for", async () => {
    let messages = 0;
    const agentServer = await startRecordingServer((_req, res, body) => {
      const type = (body as { type: string }).type;
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(value));
      };
      if (type === 'start') return json(200, { session_id: 'srv-1' });
      if (type === 'message' && ++messages === 1) return json(429, { error: { message: 'slow down' } }, { 'retry-after': '1' });
      if (type === 'message') return json(200, { text: 'ok', metadata: { blob: 'x'.repeat(60 * 1024) } });
      json(200, {});
    });
    const config = AgentConfigSchema.parse({ name: 'rec', kind: 'http', http: { url: agentServer.url } });
    const factory = await createAgentFactory(config);
    try {
      const agent = await session(factory);
      const retries: RetryInfo[] = [];
      const started = performance.now();
      const outcome = await executeTurn(agent, step('hello'), {
        timeoutMs: 10_000,
        signal: new AbortController().signal,
        retries: { max_attempts: 3, base_ms: 1, max_ms: 2 },
        onRetry: (info) => void retries.push(info),
      });
      expect(outcome.status).toBe('success');
      expect(outcome.attempts).toBe(2);
      expect(retries[0]).toMatchObject({ status: 429, retryAfterMs: 1000, delayMs: 1000 });
      expect(retries[0]!.message).toContain('HTTP 429 from agent');
      expect(retries[0]!.message).toContain('slow down');
      expect(performance.now() - started).toBeGreaterThanOrEqual(990);
      // 60 KB of metadata is replaced at the boundary, whatever kind of run reads it.
      expect(outcome.reply?.metadata).toEqual({ error: 'Metadata exceeded 50KB limit', truncated_keys: ['blob'] });
      // The session id the agent chose is the one every later request carries.
      expect(agentServer.requests.filter((r) => (r.body as { type: string }).type === 'message').map((r) => (r.body as { session_id: string }).session_id)).toEqual(['srv-1', 'srv-1']);
    } finally {
      await factory.close();
      await agentServer.close();
    }
  });

  it('http: a restarted server (404 for its session) gets a new session and the conversation back, and the turn is retried', async () => {
    let sessions = 0;
    let known = '';
    const agentServer = await startRecordingServer((_req, res, body) => {
      const b = body as { type: string; session_id: string; message?: string };
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (b.type === 'start') return json(200, { session_id: (known = `s${++sessions}`) });
      if (b.session_id !== known) return json(404, { error: { message: `unknown session ${b.session_id}` } });
      if (b.type === 'message' && b.message === 'third' && sessions === 1) {
        known = 'lost'; // the server restarts while answering
        return json(404, { error: { message: `unknown session ${b.session_id}` } });
      }
      if (b.type === 'message') return json(200, { text: `re: ${b.message}` });
      json(200, {});
    });
    const factory = await createAgentFactory(AgentConfigSchema.parse({ name: 'rec', kind: 'http', http: { url: agentServer.url } }));
    try {
      const agent = await session(factory);
      for (const m of ['first', 'second']) await agent.reply(m, { testId: 'T/0', turnId: 0, signal: AbortSignal.timeout(5000) });
      const outcome = await executeTurn(agent, step('third'), { timeoutMs: 5000, signal: new AbortController().signal, retries: { max_attempts: 2, base_ms: 1, max_ms: 2 } });
      expect(outcome.status).toBe('success');
      expect(outcome.attempts).toBe(2);
      expect(outcome.reply?.text).toBe('re: third');
      const seen = agentServer.requests.map((r) => {
        const b = r.body as { type: string; session_id?: string; message?: string; reply?: string };
        return [b.type, b.session_id ?? '', b.message ?? '', b.reply ?? ''].join(' ').trim();
      });
      expect(seen).toEqual([
        'start lane-0',
        'message s1 first',
        'message s1 second',
        'message s1 third',
        'start lane-0',
        'prefill s2 first re: first',
        'prefill s2 second re: second',
        'message s2 third',
      ]);
    } finally {
      await factory.close();
      await agentServer.close();
    }
  });

  it('http: an answer that breaks the protocol is a malformed call naming the field', async () => {
    const agentServer = await startRecordingServer((_req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify((body as { type: string }).type === 'start' ? { session_id: 's', max_message_size: 500 } : { txt: 'typo' }));
    });
    const factory = await createAgentFactory(AgentConfigSchema.parse({ name: 'rec', kind: 'http', http: { url: agentServer.url } }));
    try {
      const agent = await session(factory);
      expect(agent.maxMessageSize).toBe(500);
      const outcome = await executeTurn(agent, step('hello'), { timeoutMs: 5000, signal: new AbortController().signal });
      expect(outcome.status).toBe('error');
      expect(outcome.reason).toBe('malformed');
      expect(outcome.error).toMatch(/message answer from agent http:\/\/127\.0\.0\.1:\d+\/v1: field text: /);
    } finally {
      await factory.close();
      await agentServer.close();
    }
  });
});
