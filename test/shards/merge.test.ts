/**
 * `referee run --shard i/N` and `referee merge`: the example suite run as 4 shards (one of them
 * killed mid-run and resumed alone) merges into what one process writes for the same plan, results
 * and scores equal once timings are set aside; a missing, duplicated or foreign shard is refused.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, readJson, runCli, tempDir } from '../helpers.js';
import { suiteAsRead } from './same-run.js';

const SUITE = join(ROOT, 'configs/suites/example.yaml');

describe('referee run --shard and referee merge', () => {
  const dir = tempDir('referee-shards-');
  const single = join(dir, 'single');
  const shards = join(dir, 'shards');
  const merged = join(dir, 'merged');
  let killed: Awaited<ReturnType<typeof runCli>>;
  let early: Awaited<ReturnType<typeof runCli>>;
  let resumed: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    const one = await runCli(['run', '--suite', SUITE, '--runs-dir', single, '--run-id', 'ex', '--quiet']);
    expect(one.code, one.stderr).toBe(0);
    // Shard 1 dies (kill -9) as its first piece ends, before its second (a whole cell) has run.
    killed = await runCli(['run', '--suite', SUITE, '--runs-dir', shards, '--run-id', 'ex', '--shard', '1/4', '--quiet'], { env: { REFEREE_KILL_AT: 'ending:marked' } });
    for (const i of [2, 3, 4]) {
      const r = await runCli(['run', '--suite', SUITE, '--runs-dir', shards, '--run-id', 'ex', '--shard', `${i}/4`, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
    }
    early = await runCli(['merge', shards, '--output-dir', join(dir, 'too-early')]);
    resumed = await runCli(['run', '--resume', join(shards, 'matrix-ex.shard-1-of-4.json'), '--quiet']);
  }, 240_000);

  it('writes each shard as ordinary run directories and its own matrix summary', () => {
    expect(killed.code).not.toBe(0);
    const names = readdirSync(shards).sort();
    expect(names).toContain('matrix-ex.shard-3-of-4.json');
    expect(names).toContain('ex-sim-mini-basics.shard-2-of-4');
    const piece = readJson<{ dataset_config: { tasks: number; shard: { index: number; tasks: string[]; run_id: string } } }>(join(shards, 'ex-sim-mini-basics.shard-2-of-4', 'run.json'));
    expect(piece.dataset_config.tasks).toBe(3);
    expect(piece.dataset_config.shard).toMatchObject({ index: 2, run_id: 'ex-sim-mini-basics' });
    // A piece is part of a run: only the merged run gets a history line.
    expect(existsSync(join(shards, 'benchmark_history.jsonl'))).toBe(false);
  });

  it('refuses to merge a shard that has not finished, in one line, exit 2', () => {
    expect(early.code).toBe(2);
    expect(early.stderr.trim().split('\n')).toHaveLength(1);
    expect(early.stderr).toMatch(/matrix-ex\.shard-1-of-4\.json: shard 1\/4 has not finished .*referee run --resume/);
  });

  it('resumes the killed shard alone, then merges into what one process writes (timings aside)', async () => {
    expect(resumed.code, resumed.stderr).toBe(0);
    const r = await runCli(['merge', shards, '--output-dir', merged]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('merged 4 shards');
    expect(r.stdout).toMatch(/sim-mini \(sim-mini-1\)\s+6\/12 50%\s+0\/6 0%/);
    const want = await suiteAsRead(single, 'ex');
    const got = await suiteAsRead(merged, 'ex');
    expect(Object.keys(got['cells'] as object).sort()).toEqual(['ex-sim-mini-basics', 'ex-sim-mini-code', 'ex-sim-think-basics', 'ex-sim-think-code']);
    expect(got).toEqual(want);
  }, 60_000);

  it('refuses a missing, a duplicated and a foreign shard, each in one line, exit 2', async () => {
    const partial = join(dir, 'partial');
    mkdirSync(partial);
    for (const i of [1, 2, 4]) copyFileSync(join(shards, `matrix-ex.shard-${i}-of-4.json`), join(partial, `matrix-ex.shard-${i}-of-4.json`));
    const missing = await runCli(['merge', partial, '--output-dir', join(dir, 'm1')]);
    expect([missing.code, missing.stderr.trim()]).toEqual([2, 'referee: merge: shard 3/4 missing (found 1, 2, 4 of 4)']);

    const twice = await runCli(['merge', shards, join(partial, 'matrix-ex.shard-2-of-4.json'), '--output-dir', join(dir, 'm2')]);
    expect(twice.code).toBe(2);
    expect(twice.stderr.trim()).toMatch(/^referee: \S+matrix-ex\.shard-2-of-4\.json: shard 2\/4 given twice \(also \S+\)$/);

    const otherPlan = join(dir, 'other-plan');
    const o = await runCli(['run', '--suite', SUITE, '--runs-dir', otherPlan, '--run-id', 'ex', '--shard', '3/4', '--attempts', '1', '--quiet']);
    expect(o.code, o.stderr).toBe(0);
    const foreign = await runCli(['merge', partial, otherPlan, '--output-dir', join(dir, 'm3')]);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr.trim()).toMatch(/^referee: \S+other-plan\/matrix-ex\.shard-3-of-4\.json: a shard of another plan than \S+ \(plan \w+, 4 shards vs \w+, 4 shards\)$/);

    const otherData = join(dir, 'other-data');
    const t = await runCli(['run', '--tasks', join(ROOT, 'configs/tasks/basics.jsonl'), '--agent-config', join(ROOT, 'configs/agents/sim-mini.yaml'), '--runs-dir', otherData, '--run-id', 'ex', '--shard', '3/4', '--quiet']);
    expect(t.code, t.stderr).toBe(0);
    const otherDataset = await runCli(['merge', partial, otherData, '--output-dir', join(dir, 'm4')]);
    expect(otherDataset.code).toBe(2);
    expect(otherDataset.stderr.trim()).toMatch(/^referee: \S+: a shard of other datasets than \S+/);
    for (const m of ['m1', 'm2', 'm3', 'm4']) expect(existsSync(join(dir, m))).toBe(false);
  }, 60_000);

  it('needs --run-id, shared by every shard, to name the merged run', async () => {
    const r = await runCli(['run', '--suite', SUITE, '--runs-dir', join(dir, 'no-id'), '--shard', '1/2', '--quiet']);
    expect([r.code, r.stderr.trim()]).toEqual([2, 'referee: command line: --shard needs --run-id, the same for every shard (it names the merged run)']);
  });

  it('cuts a --tasks run (one cell) across every shard, and merges it into the one run a single process writes', async () => {
    // The command-line settings the summary records reach the merged summary as a single process writes them.
    const settings = ['--attempts', '2', '--cooling-s', '0', '--overrides', 'agent.llm.temperature=0.3'];
    const tasks = ['--tasks', join(ROOT, 'configs/tasks/basics.jsonl'), '--agent-config', join(ROOT, 'configs/agents/sim-mini.yaml'), '--run-id', 'one', ...settings, '--quiet'];
    const alone = await runCli(['run', ...tasks, '--runs-dir', join(dir, 'tasks-single')]);
    expect(alone.code, alone.stderr).toBe(0);
    for (const i of [1, 2, 3]) {
      const r = await runCli(['run', ...tasks, '--runs-dir', join(dir, 'tasks-shards'), '--shard', `${i}/3`]);
      expect(r.code, r.stderr).toBe(0);
      expect(readJson<{ dataset_config: { tasks: number } }>(join(dir, 'tasks-shards', `one.shard-${i}-of-3`, 'run.json')).dataset_config.tasks).toBe(4);
    }
    const m = await runCli(['merge', join(dir, 'tasks-shards'), '--output-dir', join(dir, 'tasks-merged')]);
    expect(m.code, m.stderr).toBe(0);
    expect(readJson(join(dir, 'tasks-merged', 'matrix-one.json'))).toMatchObject({ attempts: 2, cooling_s: 0, overrides: ['agent.llm.temperature=0.3'] });
    expect(await suiteAsRead(join(dir, 'tasks-merged'), 'one')).toEqual(await suiteAsRead(join(dir, 'tasks-single'), 'one'));
  }, 60_000);
});
