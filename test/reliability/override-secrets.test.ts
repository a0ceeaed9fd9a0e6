/**
 * A secret given on the command line (`--overrides agent.llm.headers.X=<literal>`) reaches no
 * artifact, also where the process that writes it never calls the agent (a match's parent writes
 * its plan first), and a plan read back for a resume never hands the placeholder on as the secret.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordedOverrides } from '../../src/config/overrides.js';
import { REDACTED } from '../../src/events/secrets.js';
import { runCli, tempDir } from '../helpers.js';

const SECRET = 'sk-override-literal-7f3a9c';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('a secret given in --overrides', () => {
  it('is in no file of a match (plan, both runs, report) nor in its output', async () => {
    const out = tempDir('referee-override-secret-');
    const r = await runCli(['run', '--agent-config', 'configs/agents/chat-small.yaml', '--compare-with', 'configs/agents/memory.yaml', '--overrides', `agent.llm.headers.X-Api-Key=${SECRET}`, '--output-dir', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const files = filesUnder(out);
    expect(files.some((f) => f.endsWith('match_plan.json'))).toBe(true);
    const plan = readFileSync(files.find((f) => f.endsWith('match_plan.json'))!, 'utf8');
    expect(plan).toContain(`agent.llm.headers.X-Api-Key=${REDACTED}`);
    expect(files.filter((f) => readFileSync(f, 'latin1').includes(SECRET))).toEqual([]);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('read back redacted for a resume, stops it in one line naming the plan and the override', () => {
    expect(recordedOverrides('/runs/m/match_plan.json', ['dataset.config.seed=3'])).toEqual(['dataset.config.seed=3']);
    expect(() => recordedOverrides('/runs/m/match_plan.json', ['dataset.config.seed=3', `agent.llm.headers.X-Api-Key=${REDACTED}`])).toThrow(
      /^\/runs\/m\/match_plan\.json: overrides\[1\] held a secret, which Referee never writes down; to resume, give it through an environment variable/,
    );
  });
});
