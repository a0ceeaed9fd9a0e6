/**
 * Issue 13: every kind of run resumes to the scores of an uninterrupted run
 * after Ctrl-C or kill -9 at three points: a task run (its run directory), a
 * suite (its matrix summary) and a match (its directory, the parent killed;
 * its children must not crash with EPIPE).
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJson, readJsonl, runCli, tempDir } from '../helpers.js';
import { lineCount, runAndSignal, type TurnRecord } from './helpers.js';

/** 36 arithmetic tasks; the weak sim model gets the products wrong, so attempts are retried. */
function taskFile(dir: string): string {
  const lines = Array.from({ length: 36 }, (_, i) => {
    const [a, b] = [11 + i, 7 + (i % 5)];
    const mul = i % 3 === 0;
    return JSON.stringify({ id: `t${i}`, prompt: `What is ${a} ${mul ? '*' : '+'} ${b}?`, expected: mul ? a * b : a + b, evaluator: 'numeric' });
  });
  const file = join(dir, 'arith.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function agentFile(dir: string, name: string, model: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nkind: chat\nllm: { provider: sim, model: ${model}, max_tokens: 64 }\ncontext_size: 4096\nsim: { ttft_ms: 50 }\n`);
  return file;
}

interface TaskScores {
  score: number;
  tests: Record<string, number>;
}

function taskScores(runDir: string): TaskScores {
  const stats = readJson<{ score: number; tests: { test_id: string; score: number }[] }>(join(runDir, 'runstats.json'));
  return { score: stats.score, tests: Object.fromEntries(stats.tests.map((t) => [t.test_id, t.score])) };
}

const POINTS = [
  ['SIGINT', 0.2],
  ['SIGINT', 0.55],
  ['SIGINT', 0.85],
  ['SIGKILL', 0.2],
  ['SIGKILL', 0.55],
  ['SIGKILL', 0.85],
] as const;

describe('task run: interrupted at three points, then --resume <run dir>', () => {
  const dir = tempDir('referee-int-tasks-');
  const out = join(dir, 'runs');
  let common: string[];
  let straight: TaskScores;
  let total = 0;
  beforeAll(async () => {
    common = ['run', '--tasks', taskFile(dir), '--agent-config', agentFile(dir, 'mini', 'sim-mini-1'), '--attempts', '2', '--concurrency', '4', '--output-dir', out, '--quiet'];
    const r = await runCli([...common, '--run-id', 'straight']);
    expect(r.code, r.stderr).toBe(0);
    straight = taskScores(join(out, 'straight'));
    total = lineCount(join(out, 'straight', 'turn_metrics.jsonl'));
    // Some tasks needed a second attempt: progress must count them as turns of their own.
    expect(total).toBeGreaterThan(36);
  }, 60_000);

  for (const [signal, share] of POINTS) {
    it(`${signal} after ${Math.round(share * 100)}% of the attempts: same scores`, async () => {
      const runId = `${signal}-${share}`;
      const runDir = join(out, runId);
      const sent = await runAndSignal([...common, '--run-id', runId], join(runDir, 'turn_metrics.jsonl'), Math.round(total * share), signal);
      if (signal === 'SIGINT') expect(sent.code, sent.stderr).toBe(130);
      expect(readJsonl<TurnRecord>(join(runDir, 'turn_metrics.jsonl')).filter((t) => t.status === 'error')).toEqual([]);
      const resumed = await runCli(['run', '--resume', runDir, '--quiet']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(taskScores(runDir)).toEqual(straight);
      // Every task once in the results, and the run's progress ended at 100%, not past it.
      const results = readJsonl<{ test_id: string }>(join(runDir, 'results', 'mini', 'results.jsonl'));
      expect(new Set(results.map((r) => r.test_id)).size).toBe(36);
      expect(results).toHaveLength(36);
      // One turn per task however many attempts it took (issue 21); every attempt is a line of turn_metrics.
      const end = readJsonl<{ type: string; turns_done?: number }>(join(runDir, 'events.jsonl')).filter((e) => e.type === 'turn_end').at(-1);
      expect(end?.turns_done).toBe(36);
      const stats = readJson<{ turns: number; attempts: number }>(join(runDir, 'runstats.json'));
      expect(stats).toMatchObject({ turns: 36, attempts: lineCount(join(runDir, 'turn_metrics.jsonl')) });
      expect(existsSync(join(runDir, 'report.html'))).toBe(true);
    }, 60_000);
  }
});

describe('suite: interrupted in its first and second cell, then --resume <matrix summary>', () => {
  const dir = tempDir('referee-int-suite-');
  const out = join(dir, 'runs');
  let suite = '';
  let straight: Record<string, TaskScores>;
  let perCell = 0;
  const cells = (prefix: string): Record<string, TaskScores> =>
    Object.fromEntries(['mini', 'think'].map((a) => [a, taskScores(join(out, `${prefix}-${a}-arith`))]));
  beforeAll(async () => {
    taskFile(dir);
    agentFile(dir, 'mini', 'sim-mini-1');
    agentFile(dir, 'think', 'sim-think-1');
    suite = join(dir, 'suite.yaml');
    writeFileSync(suite, 'name: s\ndatasets:\n  - file: arith.jsonl\nagents:\n  - mini.yaml\n  - think.yaml\ndefaults:\n  attempts: 2\n  concurrency: 4\n');
    const r = await runCli(['run', '--suite', suite, '--output-dir', out, '--run-id', 'straight', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    straight = cells('straight');
    perCell = lineCount(join(out, 'straight-mini-arith', 'turn_metrics.jsonl'));
  }, 60_000);

  const points = [
    ['SIGINT', 'mini', 0.3],
    ['SIGKILL', 'mini', 0.8],
    ['SIGINT', 'think', 0.5],
    ['SIGKILL', 'think', 0.3],
  ] as const;
  for (const [signal, cell, share] of points) {
    it(`${signal} in the ${cell} cell after ${Math.round(share * 100)}% of its turns: same scores in every cell`, async () => {
      const runId = `${signal}-${cell}-${share}`;
      const file = join(out, `${runId}-${cell}-arith`, 'turn_metrics.jsonl');
      const sent = await runAndSignal(['run', '--suite', suite, '--output-dir', out, '--run-id', runId, '--quiet'], file, Math.round(perCell * share), signal);
      if (signal === 'SIGINT') expect(sent.code, sent.stderr).toBe(130);
      const resumed = await runCli(['run', '--resume', join(out, `matrix-${runId}.json`), '--quiet']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(cells(runId)).toEqual(straight);
      const summary = readJson<{ cells: { status: string }[] }>(join(out, `matrix-${runId}.json`));
      expect(summary.cells.map((c) => c.status)).toEqual(['finished', 'finished']);
    }, 90_000);
  }
});

describe('match: the parent interrupted or killed, then --resume <match dir>', () => {
  const dir = tempDir('referee-int-match-');
  const out = join(dir, 'runs');
  let common: string[];
  let straight: { champion: number; challenger: number };
  let perSide = 0;
  const scoresOf = (matchDir: string): { champion: number; challenger: number } => {
    const m = readJson<{ champion: { total_score: number }; challenger: { total_score: number } }>(join(matchDir, 'match.json'));
    return { champion: m.champion.total_score, challenger: m.challenger.total_score };
  };
  const turnsIn = (matchDir: string): number =>
    existsSync(matchDir) ? readdirSync(matchDir).reduce((n, d) => n + lineCount(join(matchDir, d, 'turn_metrics.jsonl')), 0) : 0;
  beforeAll(async () => {
    const dataset = join(dir, 'dataset.yaml');
    writeFileSync(dataset, 'config: { run_name: m }\ndatasets:\n  args: { memory_span: 400, dataset_examples: 1, seed: 5 }\n  datasets:\n    - { name: colours, args: { colour_changes: 3 } }\n    - { name: name_list, args: { name_changes: 3 } }\n');
    common = ['run', '--agent-config', agentFile(dir, 'a', 'sim-1'), '--compare-with', agentFile(dir, 'b', 'sim-mini-1'), '--dataset-config', dataset, '--output-dir', out, '--concurrency', '2', '--quiet'];
    const r = await runCli([...common, '--run-id', 'straight']);
    expect(r.code, r.stderr).toBe(0);
    straight = scoresOf(join(out, 'straight'));
    perSide = turnsIn(join(out, 'straight')) / 2;
  }, 90_000);

  for (const [signal, share] of [['SIGINT', 0.3], ['SIGKILL', 0.5], ['SIGKILL', 1.5]] as const) {
    it(`${signal} to the parent after ${Math.round(share * 100)}% of one side's turns: same scores, children without EPIPE`, async () => {
      const matchId = `${signal}-${share}`;
      const matchDir = join(out, matchId);
      const sent = await runAndSignal([...common, '--run-id', matchId], () => turnsIn(matchDir), Math.round(perSide * share), signal);
      expect(sent.stderr).not.toMatch(/EPIPE/);
      const resumed = await runCli(['run', '--resume', matchDir, '--quiet']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(scoresOf(matchDir)).toEqual(straight);
    }, 90_000);
  }
});
