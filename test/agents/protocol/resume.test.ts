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
import { nothingLost, readRun, type RunFiles } from '../../reliability/helpers.js';
import { buildTsAgent, memorySizes, messageTurns, PY_AGENT, SMALL_DATASET, turnsOf, type Turn } from './helpers.js';

function turnsOnDisk(runDir: string): number {
  const file = join(runDir, 'turn_metrics.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).length : 0;
}

/** Starts `referee run` and SIGKILLs it as soon as `killAfter` turns are on disk. */
function runAndKill(args: string[], runDir: string, env: NodeJS.ProcessEnv, killAfter: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', ...args, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setInterval(() => {
      if (turnsOnDisk(runDir) >= killAfter) child.kill('SIGKILL');
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
    // A slow model, so the kill lands while the question is in flight.
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
    const straightRun = await runCli(['run', ...common, '--run-id', 'straight', '--quiet'], { env });
    expect(straightRun.code, straightRun.stderr).toBe(0);
    const straight = readRun(join(out, 'straight'));
    // The kill falls between the last statement and the question that needs it: once every turn before the
    // run's first question is on disk (one lane: its step is that count), while the question is in flight.
    const question = turnsOf(straight).find((t) => t.is_question)!;
    expect(question.prefilled).toBeUndefined();
    expect(turnsOf(straight).some((t) => t.kind === 'test' && t.test_id === question.test_id && t.step < question.step)).toBe(true);
    const runDir = join(out, 'killed');
    const killedAt = await runAndKill([...common, '--run-id', 'killed'], runDir, env, question.step);
    expect(killedAt).toBe(question.step);
    const resumed = await runCli(['run', '--resume', runDir, '--quiet'], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    return { straight, resumed: readRun(runDir), question };
  }

  /** The uninterrupted run answered the question the kill splits from its statements: memory is what is tested. */
  function expectAnswered(straight: RunFiles, question: Turn): void {
    const test = (straight.stats.tests as Array<{ test_id: string; score: number; max_score: number }>).find((t) => t.test_id === question.test_id)!;
    expect(test.score).toBe(test.max_score);
  }

  it('the TypeScript agent (save/restore) is restored from its checkpoint: same scores', async () => {
    const { straight, resumed, question } = await killAndResume('ts', process.execPath, [tsAgent, '--stdio']);
    expectAnswered(straight, question);
    expect(resumed.stats.tests).toEqual(straight.stats.tests);
    expect(resumed.stats.score).toBe(straight.stats.score);
    nothingLost(resumed);
    // The agent held as much at each message as in the uninterrupted run: checkpoint, replay and pre-filled filler.
    expect(memorySizes(resumed)).toEqual(memorySizes(straight));
    // A checkpoint is saved before each message, covering the exchanges before it (pre-filled ones too). The last
    // one (before the question, or before the message ahead of it, as the kill fell) was given back to the new
    // process; the rest was replayed.
    const messageSteps = messageTurns(straight).map((t) => t.step);
    const restored = Number(/restored (\d+) exchanges/.exec(readFileSync(join(resumed.dir, 'agent-stderr.log'), 'utf8'))?.[1]);
    expect(messageSteps.filter((s) => s <= question.step).slice(-2)).toContain(restored);
    // The run's last checkpoint: saved before its last message.
    expect(readJson<{ exchanges: unknown[] }>(join(resumed.dir, 'state/lane-0/agent-checkpoint.json')).exchanges).toHaveLength(messageSteps.at(-1)!);
  });

  it('the Python agent (no save/restore) gets the conversation replayed as pre-filled turns: same scores', async () => {
    const { straight, resumed, question } = await killAndResume('py', 'python3', [PY_AGENT, '--stdio']);
    expectAnswered(straight, question);
    expect(resumed.stats.tests).toEqual(straight.stats.tests);
    expect(resumed.stats.score).toBe(straight.stats.score);
    nothingLost(resumed);
    // Every exchange before the kill, pre-filled filler included, was replayed: the agent held as much at each message.
    expect(memorySizes(resumed)).toEqual(memorySizes(straight));
    expect(existsSync(join(resumed.dir, 'state/lane-0/agent-checkpoint.json'))).toBe(false);
  });
});
