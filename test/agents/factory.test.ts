import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../src/config/agent.js';
import { AgentError } from '../../src/errors.js';
import { createAgentFactory, describeAgent } from '../../src/agents/factory.js';
import { openAiStream, startRecordingServer } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'referee-factory-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const ctx = { testId: 't', turnId: 0, signal: AbortSignal.timeout(5000) };

describe('createAgentFactory', () => {
  it('serves chat and memory sessions from one sim server and stops it on close', async () => {
    for (const kind of ['chat', 'memory'] as const) {
      const config = AgentConfigSchema.parse({ name: `sim-${kind}`, kind, llm: { max_tokens: 32 }, context_size: 512 });
      const factory = await createAgentFactory(config);
      const a = await factory.createSession({ sessionId: 'lane-0', stateDir: join(root, kind, 'lane-0') });
      const b = await factory.createSession({ sessionId: 'lane-1', stateDir: join(root, kind, 'lane-1') });
      await a.reply('My favourite colour is teal.', ctx);
      expect((await a.reply('What is my favourite colour?', ctx)).text).toMatch(/teal/);
      expect((await b.reply('What is my favourite colour?', ctx)).text).not.toMatch(/teal/);
      expect(existsSync(join(root, kind, 'lane-0', 'memory.jsonl'))).toBe(kind === 'memory');
      await factory.close();
      await expect(a.reply('hello', ctx)).rejects.toMatchObject({ reason: 'connection' });
    }
  });

  it('calls an openai endpoint with the key from env and expanded headers', async () => {
    const server = await startRecordingServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(openAiStream(['Hi'], { prompt_tokens: 11, completion_tokens: 1 }));
    });
    try {
      const config = AgentConfigSchema.parse({
        name: 'remote',
        kind: 'chat',
        llm: { provider: 'openai', base_url: server.url, model: 'gpt-x', api_key_env: 'TEST_KEY', headers: { 'x-org': 'org-${ORG_ID}', 'x-plain': 'p' } },
      });
      const factory = await createAgentFactory(config, { env: { TEST_KEY: 'sk-abc', ORG_ID: '42' } });
      const agent = await factory.createSession({ sessionId: 's', stateDir: join(root, 'remote') });
      const reply = await agent.reply('hello', ctx);
      expect(reply.text).toBe('Hi');
      expect(reply.usage).toEqual({ inputTokens: 11, outputTokens: 1, source: 'reported' });
      expect(server.requests[0]?.headers).toMatchObject({ authorization: 'Bearer sk-abc', 'x-org': 'org-42', 'x-plain': 'p' });
      await factory.close();
    } finally {
      await server.close();
    }
  });

  it('fails with one-line AgentErrors for missing base_url, empty key variable, missing header variable', async () => {
    const noUrl = AgentConfigSchema.parse({ name: 'x', kind: 'chat', llm: { provider: 'openai' } });
    await expect(createAgentFactory(noUrl)).rejects.toThrow(/base_url/);
    const withKey = AgentConfigSchema.parse({ name: 'x', kind: 'chat', llm: { provider: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key_env: 'MY_KEY' } });
    const err = await createAgentFactory(withKey, { env: { MY_KEY: '' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentError);
    expect(err).toMatchObject({ code: 'AGENT_ERROR' });
    expect((err as Error).message).toContain('MY_KEY');
    expect((err as Error).message).not.toContain('\n');
    const withHeader = AgentConfigSchema.parse({ name: 'x', kind: 'chat', llm: { provider: 'openai', base_url: 'http://127.0.0.1:9/v1', headers: { 'x-k': '${NOPE}' } } });
    await expect(createAgentFactory(withHeader, { env: {} })).rejects.toThrow(/NOPE/);
  });
});

describe('describeAgent', () => {
  it('keeps names and settings but no secrets', () => {
    const config = AgentConfigSchema.parse({
      name: 'remote',
      kind: 'memory',
      llm: { provider: 'openai', base_url: 'https://user:pw@api.example.com/v1?key=QUERYSECRET', api_key_env: 'TEST_KEY', headers: { 'x-api-key': 'LITERALSECRET' } },
    });
    const summary = describeAgent(config);
    const text = JSON.stringify(summary);
    for (const secret of ['LITERALSECRET', 'QUERYSECRET', 'pw@', 'user:']) expect(text).not.toContain(secret);
    expect(summary).toMatchObject({
      name: 'remote',
      kind: 'memory',
      llm: { provider: 'openai', base_url: 'https://api.example.com/v1', api_key_env: 'TEST_KEY', header_names: ['x-api-key'] },
      memory: { top_k: 16, recent_tokens: 256 },
    });
  });
});
