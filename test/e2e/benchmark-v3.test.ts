/**
 * The v3 mirror configs run offline on the default agents (and the sim judge), and at the 32k
 * memory span the memory agent beats the small-window chat agent (issue 7).
 * One example per dataset keeps the test short; the full run is in the README.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, runCli, tempDir } from '../helpers.js';

interface Stats {
  score: number;
  max_score: number;
  per_dataset: Record<string, { score: number }>;
}

async function run(agent: string, out: string): Promise<Stats> {
  const r = await runCli(
    // issue 25: with the offline judge, so the tests GoodAI's LLM judge scores have a score too.
    ['run', '--agent-config', `configs/agents/${agent}.yaml`, '--dataset-config', 'configs/datasets/benchmark-v3-32k.yaml', '--judge-config', 'configs/agents/sim-judge.yaml', '--overrides', 'datasets.args.dataset_examples=1', '--output-dir', out, '--run-id', agent, '--quiet'],
    { timeoutMs: 300_000 },
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return readJson<Stats>(join(out, agent, 'runstats.json'));
}

describe('benchmark-v3-32k', () => {
  it('memory agent beats the small-window chat agent', async () => {
    const out = tempDir();
    const memory = await run('memory', out);
    const chat = await run('chat-small', out);
    // Restaurant runs with the judge (GoodAI's dynamic test, out of 1 as its other tests); ChapterBreak's passages are not shipped.
    expect(memory.max_score).toBe(10);
    expect(Object.keys(memory.per_dataset).sort()).toEqual(['colours', 'jokes', 'locations_directions', 'name_list', 'prospective_memory', 'restaurant', 'sallyanne', 'shopping', 'spy_meeting', 'trigger_response']);
    expect(memory.score).toBeGreaterThan(chat.score + 2);
  }, 600_000);
});
