/**
 * A task suite resumed after a kill between its cells runs the cells not yet started with the
 * command-line settings it started with (--overrides, --attempts, --cooling-s, --concurrency), read
 * back from its matrix summary: the same run.json settings and the same scores as a run never killed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, ROOT, runCli, tempDir } from '../helpers.js';

const KILLED = null;
const FLAGS = ['--attempts', '2', '--cooling-s', '0.01', '--concurrency', '1', '--overrides', 'agent.llm.temperature=0.3'];

interface Cell {
  run_id: string;
  status: string;
  tasks: number;
  passed: number;
  attempts: number;
  score: number;
  max_score: number;
}

/** The settings a cell's run.json says it ran with. */
function settings(out: string, runId: string): Record<string, unknown> {
  const meta = readJson<{ agent: { llm: { temperature: number } }; dataset_config: { attempts: number; cooling_s: number }; concurrency: number }>(join(out, runId, 'run.json'));
  return { temperature: meta.agent.llm.temperature, attempts: meta.dataset_config.attempts, cooling_s: meta.dataset_config.cooling_s, concurrency: meta.concurrency };
}

function scores(out: string): Array<[string, string, number, number, number, number, number]> {
  return readJson<{ cells: Cell[] }>(join(out, 'matrix-s.json')).cells.map((c) => [c.run_id, c.status, c.tasks, c.passed, c.attempts, c.score, c.max_score]);
}

describe('a task suite killed between cells and resumed', () => {
  const dir = tempDir('referee-suite-resume-settings-');
  const write = (name: string, tasks: object[]) => writeFileSync(join(dir, name), tasks.map((t) => JSON.stringify(t)).join('\n') + '\n');
  // sim-mini adds right and multiplies two-digit numbers one ten off: the second cell's failures are retried.
  write('add.jsonl', [{ id: 'a', prompt: 'What is 2 + 2?', expected: 4, evaluator: 'numeric' }]);
  write('mul.jsonl', [
    { id: 'm', prompt: 'What is 12 * 13?', expected: 156, evaluator: 'numeric' },
    { id: 'n', prompt: 'What is 3 + 4?', expected: 7, evaluator: 'numeric' },
  ]);
  const suite = join(dir, 'suite.yaml');
  writeFileSync(
    suite,
    ['name: small', 'datasets:', `  - file: ${join(dir, 'add.jsonl')}`, `  - file: ${join(dir, 'mul.jsonl')}`, 'agents:', `  - ${join(ROOT, 'configs/agents/sim-mini.yaml')}`, 'defaults: { evaluator: exact, concurrency: 2 }', ''].join('\n'),
  );

  it('runs its later cells with the first cell\'s --overrides, --attempts, --cooling-s and --concurrency, to the scores of a run never killed', async () => {
    const whole = join(dir, 'whole');
    const uninterrupted = await runCli(['run', '--suite', suite, '--runs-dir', whole, '--run-id', 's', ...FLAGS, '--quiet']);
    expect(uninterrupted.code, uninterrupted.stderr).toBe(0);

    const out = join(dir, 'killed');
    const killed = await runCli(['run', '--suite', suite, '--runs-dir', out, '--run-id', 's', ...FLAGS, '--quiet'], { env: { REFEREE_KILL_AT: 'suite:cell-recorded' } });
    expect(killed.code, killed.stderr).toBe(KILLED);
    expect(readJson(join(out, 'matrix-s.json'))).toMatchObject({ overrides: ['agent.llm.temperature=0.3'], attempts: 2, cooling_s: 0.01, concurrency: 1 });
    const resumed = await runCli(['run', '--resume', join(out, 'matrix-s.json'), '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);

    const first = { temperature: 0.3, attempts: 2, cooling_s: 0.01, concurrency: 1 };
    expect(settings(out, 's-sim-mini-add')).toEqual(first);
    expect(settings(out, 's-sim-mini-mul')).toEqual(first);
    expect(scores(out)).toEqual(scores(whole));
    // The retried multiplication: two attempts at it, one at the sum.
    expect(scores(out)[1]).toEqual(['s-sim-mini-mul', 'finished', 2, 1, 3, 1, 2]);
    expect(readJson(join(out, 'matrix-s.json'))).toMatchObject({ overrides: ['agent.llm.temperature=0.3'], attempts: 2, cooling_s: 0.01, concurrency: 1 });
  }, 120_000);

  it('judges its later cells with the --judge-config it started with (the suite names no judge)', async () => {
    const judged = join(dir, 'judged.yaml');
    writeFileSync(
      judged,
      ['name: judged', 'datasets:', `  - file: ${join(dir, 'add.jsonl')}`, `  - file: ${join(dir, 'mul.jsonl')}`, 'agents:', `  - ${join(ROOT, 'configs/agents/sim-mini.yaml')}`, 'defaults: { evaluator: judge }', ''].join('\n'),
    );
    const judge = ['--judge-config', join(ROOT, 'configs/agents/sim-judge.yaml')];
    const whole = join(dir, 'judged-whole');
    const uninterrupted = await runCli(['run', '--suite', judged, '--runs-dir', whole, '--run-id', 's', ...judge, '--quiet']);
    expect(uninterrupted.code, uninterrupted.stderr).toBe(0);
    const out = join(dir, 'judged-killed');
    const killed = await runCli(['run', '--suite', judged, '--runs-dir', out, '--run-id', 's', ...judge, '--quiet'], { env: { REFEREE_KILL_AT: 'suite:cell-recorded' } });
    expect(killed.code, killed.stderr).toBe(KILLED);
    expect(readJson(join(out, 'matrix-s.json'))).toMatchObject({ judge_config: join(ROOT, 'configs/agents/sim-judge.yaml') });
    const resumed = await runCli(['run', '--resume', join(out, 'matrix-s.json'), '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(scores(out)).toEqual(scores(whole));
    expect(scores(out).map((c) => c[1])).toEqual(['finished', 'finished']);
  }, 120_000);
});
