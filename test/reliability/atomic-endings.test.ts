/**
 * Issue 24: endings are atomic. run.json says its final status only after runstats.json,
 * report.html and the benchmark_history.jsonl line are written; a kill -9 at any step of the
 * ending (placed by REFEREE_KILL_AT, never by timing) leaves a run that `--resume` completes:
 * the report written, the history line there exactly once, the same figures as a run never
 * killed. A suite killed between a cell's end and its matrix line resumes too.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, readJsonl, ROOT, runCli, tempDir } from '../helpers.js';
import { agentYaml, nothingLost, readRun, writeFiles } from './helpers.js';

const DATASET = `config:
  run_name: endings
datasets:
  args:
    memory_span: 400
    dataset_examples: 1
    seed: 3
  datasets:
    - name: colours
      args: { colour_changes: 2 }
`;

/** runCli reports a process that died of a signal (SIGKILL) with a null exit code. */
const KILLED = null;

function history(out: string): Array<Record<string, unknown>> {
  const file = join(out, 'benchmark_history.jsonl');
  return existsSync(file) ? readJsonl(file) : [];
}

/** What a complete ending leaves: final status, no ending marker, a whole report, one history line. */
function expectComplete(out: string, runId: string): void {
  const meta = readJson(join(out, runId, 'run.json'));
  expect(meta['status']).toBe('finished');
  expect(meta['ending']).toBeUndefined();
  expect(typeof meta['finished_at']).toBe('string');
  const report = join(out, runId, 'report.html');
  expect(existsSync(report)).toBe(true);
  expect(statSync(report).size).toBeGreaterThan(1000);
  const lines = history(out).filter((h) => h['run_id'] === runId);
  expect(lines).toHaveLength(1);
  expect(lines[0]!['finished_at']).toBe(meta['finished_at']);
}

describe('an LTM run killed at each step of its ending', () => {
  const dir = tempDir('referee-atomic-');
  const files = writeFiles(dir, { 'agent.yaml': agentYaml(), 'dataset.yaml': DATASET });
  const out = join(dir, 'runs');
  const run = (runId: string, env: NodeJS.ProcessEnv = {}): ReturnType<typeof runCli> =>
    runCli(['run', '--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--runs-dir', out, '--run-id', runId, '--quiet'], { env });

  it.each(['ending:stats', 'ending:marked', 'ending:report', 'ending:history'])('%s: never "finished" while incomplete; --resume completes it once', async (point) => {
    const runId = point.replace(':', '-');
    const killed = await run(runId, { REFEREE_KILL_AT: point });
    expect(killed.code, killed.stderr).toBe(KILLED);
    // The promise: a run that says finished has its report and its history line.
    const meta = readJson(join(out, runId, 'run.json'));
    expect(meta['status']).toBe('running');
    expect(existsSync(join(out, runId, 'runstats.json'))).toBe(true);

    const resumed = await runCli(['run', '--resume', join(out, runId), '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expectComplete(out, runId);
    // A second --resume has nothing left to do and adds no line.
    const again = await runCli(['run', '--resume', join(out, runId), '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('already finished');
    expectComplete(out, runId);

    // The same figures as a run never killed.
    const whole = `whole-${runId}`;
    const r = await run(whole);
    expect(r.code, r.stderr).toBe(0);
    const a = readRun(join(out, runId));
    const b = readRun(join(out, whole));
    nothingLost(a);
    expect({ score: a.stats.score, max: a.stats.max_score, turns: a.stats.turns, tests: a.stats.tests.map((t) => [t.test_id, t.score]) }).toEqual({
      score: b.stats.score,
      max: b.stats.max_score,
      turns: b.stats.turns,
      tests: b.stats.tests.map((t) => [t.test_id, t.score]),
    });
    expect(a.turns.map((t) => t.turn_id)).toEqual(b.turns.map((t) => t.turn_id));
  }, 120_000);
});

describe('a task run and a suite killed in their endings', () => {
  const dir = tempDir('referee-atomic-tasks-');
  const tasks = join(dir, 'odd.jsonl');
  writeFileSync(
    tasks,
    [
      { id: 'a', prompt: 'What is 2 + 2?', expected: 4, evaluator: 'numeric' },
      { id: 'b', prompt: 'What is 17 + 25?', expected: 42, evaluator: 'numeric' },
    ]
      .map((t) => JSON.stringify(t))
      .join('\n') + '\n',
  );
  const suite = join(dir, 'suite.yaml');
  writeFileSync(
    suite,
    ['name: small', 'datasets:', `  - file: ${tasks}`, 'agents:', `  - ${join(ROOT, 'configs/agents/sim-mini.yaml')}`, `  - ${join(ROOT, 'configs/agents/sim-think.yaml')}`, 'defaults: { evaluator: exact, concurrency: 2 }', ''].join(
      '\n',
    ),
  );

  it.each(['ending:stats', 'ending:marked', 'ending:report', 'ending:history'])('a --tasks run killed at %s resumes to a complete ending', async (point) => {
    const out = join(dir, `tasks-${point.replace(':', '-')}`);
    const killed = await runCli(['run', '--tasks', tasks, '--agent-config', join(ROOT, 'configs/agents/sim-mini.yaml'), '--runs-dir', out, '--run-id', 't', '--quiet'], {
      env: { REFEREE_KILL_AT: point },
    });
    expect(killed.code, killed.stderr).toBe(KILLED);
    expect(readJson(join(out, 't', 'run.json'))['status']).toBe('running');
    const resumed = await runCli(['run', '--resume', join(out, 't'), '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expectComplete(out, 't');
    expect(readJson(join(out, 't', 'run.json'))['task_tally']).toMatchObject({ tasks: 2, passed: 2 });
  }, 120_000);

  // Every boundary of a cell: in the summary before its run starts, each step of its run's ending, ended but not in the summary, in it before the next cell.
  it.each(['suite:cell-started', 'ending:stats', 'ending:marked', 'ending:report', 'ending:history', 'suite:cell-ended', 'suite:cell-recorded'])(
    'a suite killed at %s of its first cell resumes: every cell once, one history line each',
    async (point) => {
      const out = join(dir, `suite-${point.replace(':', '-')}`);
      const killed = await runCli(['run', '--suite', suite, '--runs-dir', out, '--run-id', 's', '--quiet'], { env: { REFEREE_KILL_AT: point } });
      expect(killed.code, killed.stderr).toBe(KILLED);
      const summaryFile = join(out, 'matrix-s.json');
      expect(readJson<{ cells: Array<{ status: string }> }>(summaryFile).cells.map((c) => c.status)).toEqual([point === 'suite:cell-recorded' ? 'finished' : 'running']);
      if (point === 'suite:cell-started') expect(existsSync(join(out, 's-sim-mini-odd', 'run.json'))).toBe(false);

      const resumed = await runCli(['run', '--resume', summaryFile, '--quiet']);
      expect(resumed.code, resumed.stderr).toBe(0);
      const summary = readJson<{ cells: Array<{ run_id: string; status: string; passed: number; tasks: number }> }>(summaryFile);
      expect(summary.cells.map((c) => [c.run_id, c.status, c.passed, c.tasks])).toEqual([
        ['s-sim-mini-odd', 'finished', 2, 2],
        ['s-sim-think-odd', 'finished', 2, 2],
      ]);
      for (const c of summary.cells) expectComplete(out, c.run_id);
      expect(history(out).map((h) => h['run_id'])).toEqual(['s-sim-mini-odd', 's-sim-think-odd']);
    },
    120_000,
  );
});
