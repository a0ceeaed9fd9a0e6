import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig, loadDatasetConfig } from '../../src/config/load.js';
import { parseOverride } from '../../src/config/overrides.js';
import { runBenchmark } from '../../src/runner/run-benchmark.js';
import { ROOT, readJson, tempDir } from '../helpers.js';

const datasetFile = join(ROOT, 'configs/datasets/default.yaml');

describe('the default offline benchmark', () => {
  it('scores the memory agent above a chat agent with a small window, on the same dataset', async () => {
    const out = tempDir();
    const dataset = loadDatasetConfig(datasetFile);
    const memory = await runBenchmark({
      agentConfig: loadAgentConfig(join(ROOT, 'configs/agents/memory.yaml')),
      datasetConfig: dataset,
      outputDir: out,
    });
    const chat = await runBenchmark({
      agentConfig: loadAgentConfig(join(ROOT, 'configs/agents/chat-small.yaml')),
      datasetConfig: dataset,
      outputDir: out,
    });
    expect(memory.status).toBe('finished');
    expect(chat.status).toBe('finished');
    expect(memory.stats.max_score).toBe(chat.stats.max_score);
    expect(memory.stats.score).toBeGreaterThan(chat.stats.score);
    // Storage time is measured for the memory agent only.
    expect(memory.stats.turns_failed).toBe(0);
    // Same seed, same bytes: both runs generated the same dataset.
    const shaA = readJson<{ dataset: { sha256: string } }>(join(memory.runDir, 'run.json')).dataset.sha256;
    const shaB = readJson<{ dataset: { sha256: string } }>(join(chat.runDir, 'run.json')).dataset.sha256;
    expect(shaA).toBe(shaB);

    const other = await runBenchmark({
      agentConfig: loadAgentConfig(join(ROOT, 'configs/agents/chat-small.yaml')),
      datasetConfig: loadDatasetConfig(datasetFile, [parseOverride('datasets.args.seed=99')]),
      outputDir: out,
    });
    expect(readJson<{ dataset: { sha256: string } }>(join(other.runDir, 'run.json')).dataset.sha256).not.toBe(shaA);
  });

  it('runs test conversations concurrently with every turn recorded once', async () => {
    const out = tempDir();
    const r = await runBenchmark({
      agentConfig: loadAgentConfig(join(ROOT, 'configs/agents/memory.yaml')),
      datasetConfig: loadDatasetConfig(datasetFile),
      outputDir: out,
      concurrency: 3,
    });
    expect(r.status).toBe('finished');
    expect(r.stats.tests).toHaveLength(6);
    const { readJsonl } = await import('../helpers.js');
    const turns = readJsonl<{ lane: number; turn_id: number }>(join(r.runDir, 'turn_metrics.jsonl'));
    expect(new Set(turns.map((t) => t.lane)).size).toBe(3);
    expect(new Set(turns.map((t) => t.turn_id)).size).toBe(turns.length);
    expect(turns).toHaveLength(r.stats.turns);
  });
});
