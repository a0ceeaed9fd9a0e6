import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig, loadDatasetConfig } from '../../src/config/load.js';
import { runBenchmark } from '../../src/runner/run-benchmark.js';
import { ROOT, tempDir } from '../helpers.js';

describe('runBenchmark with a signal aborted before it starts', () => {
  // A match stopping a child that is still starting up (issue 5): the abort must not be lost.
  it('stops at once as interrupted instead of running to the end', async () => {
    const abort = new AbortController();
    abort.abort(new Error('stopped by the match'));
    const r = await runBenchmark({
      agentConfig: loadAgentConfig(join(ROOT, 'configs/agents/chat-small.yaml')),
      datasetConfig: loadDatasetConfig(join(ROOT, 'configs/datasets/default.yaml')),
      outputDir: tempDir(),
      signal: abort.signal,
    });
    expect(r.status).toBe('interrupted');
    expect(r.stats.turns).toBe(0);
  });
});
