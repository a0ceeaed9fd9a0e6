/**
 * Issue 25 (item 6): a test open across a kill -9 keeps every line from its start. After
 * `referee run --resume`, each test's `task_log` and `full_log` (GoodAI's result logs) are the
 * uninterrupted run's, but for the times and the SUITE_RESET line GoodAI also writes at a resume.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJson, readJsonl, runCli, tempDir } from '../helpers.js';
import { lineCount, runAndSignal, SLOW_MEMORY_AGENT, writeFiles } from './helpers.js';

interface Result {
  task_log: string[];
  full_log: string[];
}

const TIME = /\(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\)/g;

/** Every test's logs, times taken out; the full_log without GoodAI's resume marker. */
function logs(runDir: string): Record<string, { task: string[]; full: string[] }> {
  const root = join(runDir, 'results', 'mem');
  const out: Record<string, { task: string[]; full: string[] }> = {};
  for (const dataset of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(join(root, dataset.name))) {
      const r = readJson<Result>(join(root, dataset.name, file));
      out[`${dataset.name}/${file}`] = {
        task: r.task_log.map((l) => l.replace(TIME, '(t)')),
        full: r.full_log.filter((l) => !l.endsWith('Suite was RESET')).map((l) => l.replace(TIME, '(t)')),
      };
    }
  }
  return out;
}

/** Each test's BEGIN record's token count (GoodAI's total_token_count when it began). */
function begins(runDir: string): Record<string, unknown> {
  const master = readJsonl<{ type: number; test_id: string; data: Record<string, unknown> }>(join(runDir, 'master_log.jsonl'));
  return Object.fromEntries(master.filter((m) => m.type === 1).map((m) => [m.test_id, m.data['tokens']]));
}

describe('--resume keeps every line of a test open across the kill', () => {
  let root = '';
  let agent = '';
  let straight: ReturnType<typeof logs> = {};
  let turns = 0;
  beforeAll(async () => {
    root = tempDir('referee-resume-logs-');
    agent = writeFiles(root, { 'agent.yaml': SLOW_MEMORY_AGENT })['agent.yaml']!;
    const r = await runCli(['run', '--agent-config', agent, '--output-dir', join(root, 'runs'), '--run-id', 'straight', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    straight = logs(join(root, 'runs', 'straight'));
    turns = lineCount(join(root, 'runs', 'straight', 'turn_metrics.jsonl'));
  }, 60_000);

  // Early, in the middle and late: each cuts some test between its first line and its question.
  it.each([0.2, 0.45, 0.5, 0.8])('kill -9 after %s of the turns, then --resume: task_log and full_log are the uninterrupted run\'s', async (share) => {
    const id = `killed-${share}`;
    const runDir = join(root, 'runs', id);
    const killAfter = Math.max(2, Math.floor(turns * share));
    await runAndSignal(['run', '--agent-config', agent, '--output-dir', join(root, 'runs'), '--run-id', id, '--quiet'], join(runDir, 'turn_metrics.jsonl'), killAfter, 'SIGKILL');
    const resumed = await runCli(['run', '--resume', runDir, '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = logs(runDir);
    expect(Object.keys(after).sort()).toEqual(Object.keys(straight).sort());
    for (const [test, { task, full }] of Object.entries(straight)) {
      expect(after[test]!.task, `${test} task_log, killed after ${killAfter} turns`).toEqual(task);
      expect(after[test]!.full, `${test} full_log, killed after ${killAfter} turns`).toEqual(full);
    }
    // GoodAI's total_token_count goes on from the turns before the kill: each BEGIN records the same count.
    expect(begins(runDir)).toEqual(begins(join(root, 'runs', 'straight')));
  }, 90_000);
});
