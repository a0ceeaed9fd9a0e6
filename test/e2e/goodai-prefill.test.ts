/**
 * issue 12 through the real engine: a GoodAI-shaped run against a loopback
 * OpenAI-compatible server that answers "OK". Filler is pre-filled (no call,
 * but in the agent's history), waits are measured on the real traffic, and
 * runstats.json carries GoodAI's meanings.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../src/config/agent.js';
import { loadDatasetConfig } from '../../src/config/load.js';
import { runBenchmark } from '../../src/runner/run-benchmark.js';
import { countGoodaiTokens } from '../../src/tokens.js';
import { startConstantServer, type RecordingServer } from '../agents/helpers.js';
import { readJson, readJsonl, ROOT, tempDir } from '../helpers.js';

const FIXTURE = join(ROOT, 'test/fixtures/goodai/plan-8k');

describe('a GoodAI-shaped run with pre-filled filler', () => {
  let server: RecordingServer;
  let runDir = '';
  beforeAll(async () => {
    server = await startConstantServer('OK');
    const agentConfig = AgentConfigSchema.parse({ name: 'ok-agent', kind: 'chat', context_size: 200000, llm: { provider: 'openai', base_url: server.url, model: 'ok', max_tokens: 16 } });
    const result = await runBenchmark({
      agentConfig,
      datasetConfig: loadDatasetConfig(join(FIXTURE, 'definitions/config.yml')),
      datasetDir: FIXTURE,
      outputDir: tempDir(),
      runId: 'prefill',
      env: {},
    });
    runDir = result.runDir;
  }, 60_000);
  afterAll(() => server?.close());

  it('makes one LLM call per test message and the introduction, none for filler', () => {
    const turns = readJsonl<{ kind: string; prefilled?: boolean; status: string }>(join(runDir, 'turn_metrics.jsonl'));
    const filler = turns.filter((t) => t.prefilled);
    expect(filler.length).toBeGreaterThan(30);
    expect(filler.every((t) => t.kind === 'filler' && t.status === 'success')).toBe(true);
    expect(server.requests.length).toBe(turns.length - filler.length);
    expect(turns.every((t) => t.status === 'success')).toBe(true);
  });

  it('puts each pre-filled filler message and its canned reply into the agent\'s history', () => {
    const last = server.requests.at(-1)!.body as { messages: { role: string; content: string }[] };
    const i = last.messages.findIndex((m) => m.role === 'user' && m.content.startsWith('Here are some trivia questions and answers for you to process.'));
    expect(i).toBeGreaterThan(0);
    expect(last.messages[i + 1]).toMatchObject({ role: 'assistant' });
    expect(last.messages[i + 1]!.content).toMatch(/^\['.*'\]$/s);
  });

  it('writes runstats.json in GoodAI\'s meanings: every message and reply, replies only', () => {
    const stats = readJson<{ total_tokens: number; agent_tokens: number; duration: number; tokens_in: number; tokens_out: number }>(join(runDir, 'runstats.json'));
    const master = readJsonl<{ type: number; data: { message?: string } }>(join(runDir, 'master_log.jsonl'));
    const sum = (types: number[]) => master.filter((e) => types.includes(e.type)).reduce((n, e) => n + countGoodaiTokens(e.data.message ?? ''), 0);
    expect(stats.total_tokens).toBe(sum([0, 3, 4, 5]));
    expect(stats.agent_tokens).toBe(sum([4, 5]));
    // Referee's own usage totals stay apart: 1 completion token per real call.
    expect(stats.tokens_out).toBe(server.requests.length);
    expect(stats.duration).toBeGreaterThan(0);
  });
});
