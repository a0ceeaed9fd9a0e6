/**
 * issue 15: a run with a protocol agent killed with SIGKILL between the last
 * statement and the question that needs it, then resumed: the TypeScript
 * agent (save/restore) is restored from its checkpoint, the Python agent
 * (no save/restore) gets the recorded conversation replayed as pre-filled
 * turns. Either way the scores equal an uninterrupted run's.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../../src/agents/sim/server.js';
import { CLI, readJson, runCli, tempDir } from '../../helpers.js';
import { nothingLost, readRun } from '../../reliability/helpers.js';
import { buildTsAgent, PY_AGENT, SMALL_DATASET } from './helpers.js';

/** Turns on disk when the run is killed: the colour was last stated at turn 8 and is asked at turn 10. */
const KILL_AFTER = 10;

function turnsOnDisk(runDir: string): number {
  const file = join(runDir, 'turn_metrics.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).length : 0;
}

/** Starts `referee run` and SIGKILLs it as soon as `KILL_AFTER` turns are on disk. */
function runAndKill(args: string[], runDir: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', ...args, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setInterval(() => {
      if (turnsOnDisk(runDir) >= KILL_AFTER) child.kill('SIGKILL');
    }, 5);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      if (signal !== 'SIGKILL') reject(new Error(`run ended on its own (code ${code}): ${stderr}`));
      else resolve(turnsOnDisk(runDir));
    });
  });
}

describe('kill -9 and --resume with a protocol agent', () => {
  let llm: SimServer;
  let dir: string;
  let dataset: string;
  let tsAgent: string;
  beforeAll(async () => {
    // A slow model, so the kill lands while turn 10 is in flight.
    llm = await startSimServer({ host: '127.0.0.1', port: 0, latencyMs: 250 });
    dir = tempDir('referee-proto-resume-');
    dataset = join(dir, 'dataset.yaml');
    writeFileSync(dataset, SMALL_DATASET);
    tsAgent = buildTsAgent();
  });
  afterAll(async () => {
    await llm?.close();
  });

  async function killAndResume(name: string, command: string, args: string[]) {
    const agent = join(dir, `${name}.yaml`);
    writeFileSync(agent, `name: ${name}\nkind: stdio\nstdio:\n  command: ${command}\n  args: [${args.join(', ')}]\n  env: { LLM_BASE_URL: "\${LLM_BASE_URL}" }\n`);
    const out = join(dir, name);
    const env = { LLM_BASE_URL: llm.url };
    const common = ['--agent-config', agent, '--dataset-config', dataset, '--output-dir', out];
    const straight = await runCli(['run', ...common, '--run-id', 'straight', '--quiet'], { env });
    expect(straight.code, straight.stderr).toBe(0);
    const runDir = join(out, 'killed');
    const killedAt = await runAndKill([...common, '--run-id', 'killed'], runDir, env);
    expect(killedAt).toBe(KILL_AFTER);
    const resumed = await runCli(['run', '--resume', runDir, '--quiet'], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    return { straight: readRun(join(out, 'straight')), resumed: readRun(runDir) };
  }

  it('the TypeScript agent (save/restore) is restored from its checkpoint: same scores', async () => {
    const { straight, resumed } = await killAndResume('ts', process.execPath, [tsAgent, '--stdio']);
    expect(straight.stats.score).toBe(2);
    expect(resumed.stats.tests).toEqual(straight.stats.tests);
    expect(resumed.stats.score).toBe(straight.stats.score);
    nothingLost(resumed);
    // The last checkpoint (saved before turn 9 or turn 10, as the kill fell) was given back to the new process; the rest was replayed.
    const restored = Number(/restored (\d+) exchanges/.exec(readFileSync(join(resumed.dir, 'agent-stderr.log'), 'utf8'))?.[1]);
    expect([9, 10]).toContain(restored);
    expect(readJson<{ exchanges: unknown[] }>(join(resumed.dir, 'state/lane-0/agent-checkpoint.json')).exchanges).toHaveLength(11);
  });

  it('the Python agent (no save/restore) gets the conversation replayed as pre-filled turns: same scores', async () => {
    const { straight, resumed } = await killAndResume('py', 'python3', [PY_AGENT, '--stdio']);
    expect(straight.stats.score).toBe(1.5);
    expect(resumed.stats.tests).toEqual(straight.stats.tests);
    nothingLost(resumed);
    expect(existsSync(join(resumed.dir, 'state/lane-0/agent-checkpoint.json'))).toBe(false);
  });
});
