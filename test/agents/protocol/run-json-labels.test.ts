import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServer } from '../../../src/agents/sim/server.js';
import { readJson, runCli, tempDir } from '../../helpers.js';
import { PY_AGENT, startLlm } from './helpers.js';

// issue 21: a protocol agent is never labelled with Referee's defaults (model sim-1, Referee's system prompt).
describe('a protocol agent in run.json', () => {
  let llm: SimServer;
  beforeAll(async () => {
    llm = await startLlm();
  });
  afterAll(async () => {
    await llm?.close();
  });

  it('has no model and no system prompt of Referee\'s', async () => {
    const dir = tempDir('referee-proto-labels-');
    const agent = join(dir, 'py.yaml');
    writeFileSync(agent, `name: py-stdio\nkind: stdio\nstdio:\n  command: python3\n  args: [${JSON.stringify(PY_AGENT)}, --stdio]\n  env: { LLM_BASE_URL: "${llm.url}" }\n`);
    writeFileSync(join(dir, 'one.jsonl'), '{"id": "a", "prompt": "Say hi", "expected": "hi"}\n');
    const r = await runCli(['run', '--quiet', '--tasks', join(dir, 'one.jsonl'), '--agent-config', agent, '--runs-dir', join(dir, 'runs'), '--run-id', 'py']);
    expect(r.code, r.stderr).toBe(0);
    const file = join(dir, 'runs', 'py', 'run.json');
    const meta = readJson<{ agent: Record<string, unknown>; agent_config: Record<string, unknown> }>(file);
    expect(meta.agent).toMatchObject({ name: 'py-stdio', kind: 'stdio' });
    for (const section of [meta.agent, meta.agent_config]) {
      expect(Object.keys(section)).not.toContain('llm');
      expect(Object.keys(section)).not.toContain('system_prompt');
    }
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('sim-1');
    expect(text).not.toContain('You are a helpful assistant with a good memory.');
    // Resume reads agent_config back through the schema: the run stays resumable.
    const resumed = await runCli(['run', '--quiet', '--resume', join(dir, 'runs', 'py')]);
    expect(resumed.code, resumed.stderr).toBe(0);
  });
});
