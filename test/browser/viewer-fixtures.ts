import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI, ROOT, runCli } from '../helpers.js';
import { SMALL_DATASET } from '../reliability/helpers.js';

/**
 * issue 17: run directories of every kind for the viewer's Chromium test, made by
 * really running small runs on the simulated model (LTM, tasks, suite, match, an
 * interrupted-then-resumed run, a failed run), and a 100,000-turn run written
 * straight to disk in RunDirWriter's shapes.
 */

/** A memory agent whose every reply takes ~`ms` ms, so a run can be watched (or stopped) mid-way. */
export function slowAgentYaml(name: string, ms: number): string {
  return `name: ${name}\nkind: memory\nllm: { provider: sim, model: sim-1, max_tokens: 64 }\ncontext_size: 512\nmemory: { top_k: 8, recent_tokens: 128 }\nsim: { ttft_ms: ${ms} }\n`;
}

async function ok(args: string[], code = 0): Promise<void> {
  const r = await runCli([...args, '--quiet']);
  if (r.code !== code) throw new Error(`referee ${args.join(' ')}: exit ${r.code}, wanted ${code}: ${r.stderr}`);
}

function linesIn(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

/** `referee run` stopped by Ctrl-C once `after` turns are on disk, then `--resume`d to its end. */
async function interruptedThenResumed(args: string[], runDir: string, after: number): Promise<void> {
  const child = spawn(process.execPath, [CLI, 'run', ...args, '--quiet'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // Once: a second Ctrl-C quits without writing what is done.
  const timer = setInterval(() => {
    if (linesIn(join(runDir, 'turn_metrics.jsonl')) < after) return;
    clearInterval(timer);
    child.kill('SIGINT');
  }, 10);
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  clearInterval(timer);
  if (code !== 130) throw new Error(`the run to interrupt ended with ${code}: ${stderr}`);
  await ok(['run', '--resume', runDir]);
}

export interface RealRuns {
  /** The suite's name and its two agents. */
  suite: string;
}

/** Every kind of run, under `root` (run one after another: the machine is small). */
export async function writeRealRuns(root: string, scratch: string): Promise<RealRuns> {
  const dataset = join(scratch, 'small.yaml');
  writeFileSync(dataset, SMALL_DATASET);
  const suite = join(scratch, 'suite.yaml');
  writeFileSync(
    suite,
    `name: mini\ndatasets:\n  - file: ${join(ROOT, 'configs/tasks/basics.jsonl')}\nagents:\n  - ${join(ROOT, 'configs/agents/sim-think.yaml')}\n  - ${join(ROOT, 'configs/agents/sim-mini.yaml')}\ndefaults:\n  evaluator: exact\n  concurrency: 4\n`,
  );
  const dead = join(scratch, 'dead.yaml');
  // Up at the set-up, then every call dropped: a run whose every turn failed.
  writeFileSync(dead, `name: dead\nkind: chat\nllm: { provider: sim, model: m }\nsim: { faults: [{ kind: reset, every: 1 }] }\nretries: { max_attempts: 1 }\n`);
  const slow = join(scratch, 'slow.yaml');
  writeFileSync(slow, slowAgentYaml('slow-memory', 40));
  const chat = join(ROOT, 'configs/agents/chat-small.yaml');
  await ok(['run', '--agent-config', chat, '--dataset-config', dataset, '--output-dir', root, '--run-id', 'ltm-chat']);
  await ok(['run', '--tasks', join(ROOT, 'configs/tasks/basics.jsonl'), '--agent-config', join(ROOT, 'configs/agents/sim-mini.yaml'), '--output-dir', root, '--run-id', 'tasks-mini']);
  await ok(['run', '--suite', suite, '--output-dir', root]);
  await ok(['run', '--agent-config', chat, '--compare-with', join(ROOT, 'configs/agents/memory.yaml'), '--dataset-config', dataset, '--output-dir', root, '--run-id', 'duel']);
  // Every call fails: the run ends `failed`, exit 4.
  await ok(['run', '--agent-config', dead, '--dataset-config', dataset, '--output-dir', root, '--run-id', 'dead'], 4);
  await interruptedThenResumed(['--agent-config', slow, '--dataset-config', dataset, '--output-dir', root, '--run-id', 'resumed'], join(root, 'resumed'), 4);
  return { suite: 'mini' };
}

export interface BigRun {
  dir: string;
  runId: string;
  tests: number;
  turns: number;
  pass: number;
}

/** The 100,000-turn run (10,000 tests of 10 turns), from bench/fixtures/big-run.mjs. */
export async function writeBigRun(root: string): Promise<BigRun> {
  const mod = (await import(pathToFileURL(join(ROOT, 'bench/fixtures/big-run.mjs')).href)) as {
    writeBigRun: (root: string, o: { runId: string; tests: number; turnsPerTest: number }) => BigRun;
  };
  return mod.writeBigRun(root, { runId: 'ltm-100k', tests: 10_000, turnsPerTest: 10 });
}

/** What runstats.json says of a run: the scores the viewer must show. */
export function runStats(dir: string): { score: number; max_score: number; tests: number; pass: number } {
  const s = JSON.parse(readFileSync(join(dir, 'runstats.json'), 'utf8')) as { score: number; max_score: number; tests: { score: number; max_score: number }[] };
  const pass = s.tests.filter((t) => t.max_score > 0 && t.score >= t.max_score).length;
  return { score: s.score, max_score: s.max_score, tests: s.tests.length, pass };
}
