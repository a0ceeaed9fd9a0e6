/**
 * issue 12 through the real engine: a GoodAI-shaped run against a loopback
 * OpenAI-compatible server that answers "OK". Filler is pre-filled (no call,
 * but in the agent's history), waits are measured on the real traffic, and
 * runstats.json carries GoodAI's meanings.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../src/config/agent.js';
import { loadDatasetConfig } from '../../src/config/load.js';
import { runBenchmark } from '../../src/runner/run-benchmark.js';
import { countGoodaiTokens } from '../../src/tokens.js';
import { startConstantServer, type RecordingServer } from '../agents/helpers.js';
import { readJson, readJsonl, ROOT, runCli, tempDir } from '../helpers.js';

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

describe('referee run -i (isolated, GoodAI\'s -i)', () => {
  let server: RecordingServer;
  beforeAll(async () => {
    server = await startConstantServer('OK');
  });
  afterAll(() => server?.close());

  it('gives each test a conversation of its own, with no introduction and no filler between its lines', async () => {
    const dir = tempDir();
    const agentFile = join(dir, 'agent.yaml');
    writeFileSync(agentFile, `name: ok-agent\nkind: chat\ncontext_size: 100000\nllm: { provider: openai, base_url: "${server.url}", model: ok, max_tokens: 16 }\n`);
    const r = await runCli(['run', '-i', '--agent-config', agentFile, '--dataset-dir', join(ROOT, 'test/fixtures/goodai/export-small'), '--output-dir', join(dir, 'runs'), '--run-id', 'iso', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const bodies = server.requests.map((q) => (q.body as { messages: { role: string; content: string }[] }).messages);
    // The first message of each of the three tests is sent with no history before it.
    const fresh = bodies.filter((m) => m.filter((x) => x.role !== 'system').length === 1).map((m) => m.at(-1)!.content);
    // GoodAI's order: Colours - 0, Prospective Memory - 0, Trigger Response - 0.
    expect(fresh).toEqual(['My favourite colour is teal.', "'Well begun is half done.' - Aristotle", "Whenever I say 'Achoo!' then say: 'Here is a tissue for you'"]);
    const colours = bodies.find((m) => m.at(-1)!.content === 'What is my favourite colour?')!;
    expect(colours.filter((x) => x.role === 'user').map((x) => x.content)).toEqual(['My favourite colour is teal.', 'My favourite colour is now amber.', 'What is my favourite colour?']);
    expect(readJson<{ dataset_config: { config: { isolated: boolean } } }>(join(dir, 'runs/iso/run.json')).dataset_config.config.isolated).toBe(true);
    const again = await runCli(['run', '--tasks', join(dir, 'x.jsonl'), '-i', '--agent-config', agentFile]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--isolated');
  }, 60_000);
});
