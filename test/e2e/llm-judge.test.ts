/**
 * The LLM judge (issue 7): a configured agent endpoint, here a real loopback
 * server, decides what the deterministic check cannot; its calls are the
 * run's managing cost, never the agent's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../src/config/agent.js';
import { DatasetConfigSchema } from '../../src/config/dataset.js';
import { loadAgentConfig } from '../../src/config/load.js';
import { runBenchmark } from '../../src/runner/run-benchmark.js';
import { openAiStream, startRecordingServer, type RecordingServer } from '../agents/helpers.js';
import { pyJsonDumps } from '../../src/datasets/py-json-dumps.js';
import { MATCH_SYSTEM_PROMPT } from '../../src/scoring/judge.js';
import { ROOT, readJson, readJsonl, tempDir } from '../helpers.js';

describe('LLM judge', () => {
  let server: RecordingServer;
  beforeAll(async () => {
    server = await startRecordingServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(openAiStream(['[{"question_nr": 1, "checklist": ["yes", "no", "no"]}]'], { prompt_tokens: 1000, completion_tokens: 20 }));
    });
  });
  afterAll(() => server.close());

  const dataset = DatasetConfigSchema.parse({
    config: { intro: false, clock: { tell: 'real', max_real_wait_s: 0 } },
    datasets: { args: { memory_span: 400, dataset_examples: 1, seed: 1 }, datasets: [{ name: 'jokes', args: { jokes_told: 2 } }, { name: 'colours' }] },
  });
  const judgeConfig = AgentConfigSchema.parse({
    name: 'judge',
    kind: 'chat',
    llm: { provider: 'openai', base_url: 'http://127.0.0.1:9/v1', model: 'judge-model', api_key_env: 'REFEREE_TEST_JUDGE_KEY' },
    pricing: { input_per_mtok: 1, output_per_mtok: 2 },
  });

  it('scores a jokes answer the deterministic check rejects, and counts the cost as managing cost', async () => {
    const out = tempDir();
    // In `real` clock mode no timestamps are sent, so the sim cannot name the joke itself.
    const agentConfig = loadAgentConfig(join(ROOT, 'configs/agents/chat-small.yaml'));
    const plain = await runBenchmark({ agentConfig, datasetConfig: dataset, outputDir: out, runId: 'plain' });
    // issue 25: without a judge the joke GoodAI's judge would decide is unscored: no number, in no total.
    const unjudged = plain.stats.tests.find((t) => t.dataset === 'jokes')!;
    expect(unjudged).toMatchObject({ status: 'unscored', score: null, max_score: null });
    expect(unjudged.reasons[0]).toMatch(/^unscored: needs judge .*--judge-config/);
    expect(plain.stats.tests_unscored).toBe(1);
    const colours = plain.stats.tests.find((t) => t.dataset === 'colours')!;
    expect([plain.stats.score, plain.stats.max_score]).toEqual([colours.score, colours.max_score]);
    expect(plain.stats.managing_costs_usd).toBe(0);

    const judged = await runBenchmark({
      agentConfig,
      datasetConfig: dataset,
      outputDir: out,
      runId: 'judged',
      judgeConfig: { ...judgeConfig, llm: { ...judgeConfig.llm, base_url: server.url } },
      env: { ...process.env, REFEREE_TEST_JUDGE_KEY: 'sk-judge-secret' },
    });
    expect(judged.stats.tests.find((t) => t.dataset === 'jokes')).toMatchObject({ score: 1, reasons: [expect.stringMatching(/judged by judge/)] });
    // Colours has no judged variant: the judge is not asked about it.
    expect(server.requests).toHaveLength(1);
    // issue 25: GoodAI's evaluate_correct_gpt context, verbatim: its system prompt, json.dumps(q_list) with the question as asked.
    const sent = readJsonl<{ test_id: string; user: string; agent: string }>(join(judged.runDir, 'transcripts.jsonl')).filter((t) => t.test_id.startsWith('Jokes/'));
    const asked = sent.find((t) => t.user.startsWith('Which joke did I tell you about '))!;
    const joke = judged.stats.tests.find((t) => t.dataset === 'jokes')!;
    const body = server.requests[0]!.body as { messages: { role: string; content: string }[] };
    const expectedJoke = readJson<{ expected_responses: string[] }>(join(judged.runDir, 'dataset', 'definitions', 'Jokes', '0.def.json')).expected_responses[0]!;
    expect(body.messages).toEqual([
      { role: 'system', content: MATCH_SYSTEM_PROMPT },
      { role: 'user', content: pyJsonDumps([{ question_nr: 0, question: asked.user, expected_answer: expectedJoke, answer_given: asked.agent }]) },
    ]);
    expect(joke.score).toBe(1);
    expect(judged.stats.managing_costs_usd).toBeCloseTo((1000 * 1 + 20 * 2) / 1e6, 9);
    expect(judged.stats.agent_costs_usd).toBe(plain.stats.agent_costs_usd);
    expect(readJson<{ managing_costs_usd: number }>(join(judged.runDir, 'runstats.json')).managing_costs_usd).toBeGreaterThan(0);
    for (const file of ['run.json', 'events.jsonl', 'runstats.json']) expect(readFileSync(join(judged.runDir, file), 'utf8')).not.toContain('sk-judge-secret');
  });
});
