/**
 * Issue 4: a run killed with SIGKILL at a random turn, its files torn, and
 * resumed with `referee run --resume` ends with the same runstats.json scores
 * as an uninterrupted run on the same seed, with every turn on disk once.
 */
import { appendFileSync, existsSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, readJsonl, runCli, tempDir } from '../helpers.js';
import { lineCount, nothingLost, readRun, runAndSignal, SLOW_MEMORY_AGENT, writeFiles, type RunFiles } from './helpers.js';

const MEMORY_AGENT = SLOW_MEMORY_AGENT;
const CHAT_AGENT = `name: chat
kind: chat
llm: { provider: sim, model: sim-1, max_tokens: 128 }
context_size: 16384
sim: { ttft_ms: 30 }
`;

/** Starts `referee run`, SIGKILLs it once `killAfter` turns are on disk; resolves with the turns on disk after it died. */
async function runAndKill(args: string[], runDir: string, killAfter: number): Promise<number> {
  const file = join(runDir, 'turn_metrics.jsonl');
  await runAndSignal(['run', ...args, '--quiet'], file, killAfter, 'SIGKILL');
  return lineCount(file);
}

/** Simulates torn writes: half of the last transcripts line, a partial line at the end of other files. */
function tear(runDir: string): void {
  const transcripts = join(runDir, 'transcripts.jsonl');
  const text = readFileSync(transcripts, 'utf8');
  const lastStart = text.lastIndexOf('\n', text.length - 2) + 1;
  truncateSync(transcripts, lastStart + Math.floor((text.length - lastStart) / 2));
  appendFileSync(join(runDir, 'turn_metrics.jsonl'), '{"timestamp":"2026-');
  appendFileSync(join(runDir, 'events.jsonl'), '{"seq":');
  if (existsSync(join(runDir, 'spans.jsonl'))) appendFileSync(join(runDir, 'spans.jsonl'), '{"resourceSpans":[');
}

function scores(run: RunFiles): Record<string, number> {
  return Object.fromEntries(run.stats.tests.map((t) => [t.test_id, t.score]));
}

async function killAndResume(agentYaml: string, concurrency: number): Promise<{ killedAt: number; resumed: RunFiles; straight: RunFiles; stderr: string; out: string }> {
  const dir = tempDir('referee-resume-');
  const files = writeFiles(dir, { 'agent.yaml': agentYaml });
  const out = join(dir, 'runs');
  const common = ['--agent-config', files['agent.yaml']!, '--output-dir', out, '--concurrency', String(concurrency)];

  const straightRun = await runCli(['run', ...common, '--run-id', 'straight', '--quiet']);
  expect(straightRun.code, straightRun.stderr).toBe(0);
  const straight = readRun(join(out, 'straight'));
  const total = straight.turns.length;

  // A random turn, away from both ends so there is something to restore and something left to do.
  const killAfter = 3 + Math.floor(Math.random() * Math.max(1, total - 25));
  const runDir = join(out, 'killed');
  const killedAt = await runAndKill([...common, '--run-id', 'killed'], runDir, killAfter);
  expect(existsSync(join(runDir, 'runstats.json')), `killed at ${killedAt}`).toBe(false);
  tear(runDir);

  const resumedRun = await runCli(['run', '--resume', runDir, '--progress-interval', '60']);
  expect(resumedRun.code, `killed at turn ${killedAt}: ${resumedRun.stderr}`).toBe(0);
  return { killedAt, resumed: readRun(runDir), straight, stderr: resumedRun.stderr, out };
}

describe('referee run --resume after kill -9', () => {
  it('memory agent: same scores as an uninterrupted run, every turn once, the memory store without a duplicate', async () => {
    const { killedAt, resumed, straight, stderr, out } = await killAndResume(MEMORY_AGENT, 1);
    const why = `killed at turn ${killedAt}`;
    expect(scores(resumed), why).toEqual(scores(straight));
    expect(resumed.stats.score, why).toBe(straight.stats.score);
    expect(resumed.stats.turns).toBe(straight.turns.length);
    nothingLost(resumed);
    // The replies are the ones an uninterrupted run gets.
    const replies = (r: RunFiles) => r.master.filter((m) => m.type === 4 || m.type === 5).map((m) => [m.data['turn_id'], m.data['message']]);
    expect(replies(resumed).sort(), why).toEqual(replies(straight).sort());
    // The torn turn was redone, not doubled: two memory records per successful turn.
    const memory = readJsonl(join(resumed.dir, 'state/lane-0/memory.jsonl'));
    expect(memory, why).toHaveLength(2 * resumed.turns.filter((t) => t.status === 'success').length);
    expect(new Set(memory.map((m) => m['id'])).size).toBe(memory.length);
    // events.jsonl stays one ordered stream.
    const seqs = resumed.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(resumed.events.filter((e) => e.type === 'run_end')).toHaveLength(1);
    // run.json and benchmark_history.jsonl say what happened.
    const resumes = resumed.meta['resumes'] as Array<{ turns_restored: number }>;
    expect(resumes).toHaveLength(1);
    expect(resumes[0]!.turns_restored).toBeGreaterThan(0);
    expect(resumes[0]!.turns_restored).toBeLessThan(killedAt);
    expect(resumed.meta['status']).toBe('finished');
    // runstats.json's wall time counts the time before the kill too (duration is GoodAI's summed response time, issue 12), not the time the run lay dead.
    const ts = (e: Record<string, unknown>): number => Date.parse(String(e['ts']));
    const restart = resumed.events.findIndex((e, i) => i > 0 && e.type === 'run_start');
    const before = ts(resumed.events[restart - 1]!) - ts(resumed.events[0]!);
    const after = ts(resumed.events.at(-1)!) - ts(resumed.events[restart]!);
    expect(before).toBeGreaterThan(0);
    expect(resumed.stats.wall_duration_s! * 1000).toBeGreaterThanOrEqual(before + after - 5);
    expect(stderr).toContain(`resuming killed: ${resumes[0]!.turns_restored} completed turns restored`);
    const history = readJsonl(join(out, 'benchmark_history.jsonl'));
    expect(history.map((h) => [h['run_id'], h['run_type'], h['resumed'] ?? false])).toEqual([
      ['straight', 'single', false],
      ['killed', 'single', true],
    ]);
    // Every JSONL file parses whole again (the torn tails were cut before appending).
    for (const f of ['turn_metrics.jsonl', 'events.jsonl', 'transcripts.jsonl', 'master_log.jsonl', 'spans.jsonl']) {
      expect(() => readJsonl(join(resumed.dir, f)), f).not.toThrow();
    }
  });

  it('chat agent on two lanes: its history is restored, so the scores match too', async () => {
    const { killedAt, resumed, straight } = await killAndResume(CHAT_AGENT, 2);
    expect(scores(resumed), `killed at turn ${killedAt}`).toEqual(scores(straight));
    nothingLost(resumed);
  });

  it('a finished run is left alone', async () => {
    const dir = tempDir('referee-resume-');
    const out = join(dir, 'runs');
    const r = await runCli(['run', '--output-dir', out, '--run-id', 'done', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const before = readFileSync(join(out, 'done/turn_metrics.jsonl'), 'utf8');
    const again = await runCli(['run', '--resume', join(out, 'done')]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('run already finished; nothing to resume');
    expect(readFileSync(join(out, 'done/turn_metrics.jsonl'), 'utf8')).toBe(before);
    expect(readJson<{ status: string }>(join(out, 'done/run.json')).status).toBe('finished');
  });
});
