/**
 * issue 12: master_log.jsonl of a run through the real engine against GoodAI's own,
 * on the same definitions with the same deterministic agent (every test line
 * answered "OK"; test/fixtures/goodai/plan-8k/goodai-run.json `events`, recorded by
 * running GoodAI's runner). Filler aside, the events (BEGIN, SEND/RESPONSE, WAIT,
 * REGISTER/DEREGISTER_CALLBACK, END, SUITE_RESET) come in the same order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../src/config/agent.js';
import { loadDatasetConfig } from '../../src/config/load.js';
import { findGeneratorByDisplayName } from '../../src/datasets/registry.js';
import { runBenchmark } from '../../src/runner/run-benchmark.js';
import { startConstantServer, type RecordingServer } from '../agents/helpers.js';
import { readJsonl, ROOT, tempDir } from '../helpers.js';

const FIXTURE = join(ROOT, 'test/fixtures/goodai/plan-8k');
type Ev = [number, string, string?];

describe('master_log.jsonl against GoodAI\'s', () => {
  let server: RecordingServer;
  let mine: Ev[] = [];
  beforeAll(async () => {
    server = await startConstantServer('OK');
    const agentConfig = AgentConfigSchema.parse({ name: 'ok-agent', kind: 'chat', context_size: 200000, llm: { provider: 'openai', base_url: server.url, model: 'ok', max_tokens: 16 } });
    const run = await runBenchmark({ agentConfig, datasetConfig: loadDatasetConfig(join(FIXTURE, 'definitions/config.yml')), datasetDir: FIXTURE, outputDir: tempDir(), runId: 'ml', env: {} });
    mine = readJsonl<{ type: number; test_id: string; data: { message?: string } }>(join(run.runDir, 'master_log.jsonl'))
      .filter((e) => e.type !== 3 && e.type !== 5)
      .map((e) => (e.type === 0 ? [e.type, e.test_id, e.data.message!] : [e.type, e.test_id]));
  }, 60_000);
  afterAll(() => server?.close());

  it('has GoodAI\'s events in GoodAI\'s order, filler aside', () => {
    const goodai = (JSON.parse(readFileSync(join(FIXTURE, 'goodai-run.json'), 'utf8')) as { events: Ev[] }).events;
    // Reset messages are the generators' part: where Referee's generator has none (yet), GoodAI's is left out with its reply.
    const resetless = (id: string): boolean => findGeneratorByDisplayName(id.split(' - ')[0]!)?.resetMessage === undefined;
    const resets = ['I have bought all of the items', 'Forget, or otherwise disregard, all of the names'];
    const missingReset = (e: Ev): boolean => e[0] === 0 && resetless(e[1]) && resets.some((r) => e[2]!.startsWith(r));
    const expected: Ev[] = [];
    let skipReply = false;
    for (const e of goodai) {
      if (missingReset(e)) {
        skipReply = true;
        continue;
      }
      if (skipReply && e[0] === 4) {
        skipReply = false;
        continue;
      }
      expected.push(e);
    }
    expect(goodai.length).toBeGreaterThan(200);
    expect(mine).toEqual(expected);
  });
});
