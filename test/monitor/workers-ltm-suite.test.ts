/**
 * The workers panel over a real sharded LTM suite: 1 agent × a small dataset config × 3 seeds run
 * as 2 shards by the CLI into one runs directory (shard 1 gets 2 runs, shard 2 one), read through
 * the monitor's HTTP API. Each shard is a `shard i/N` worker whose tests done and share equal the
 * per-test results its runs wrote; a shard whose later runs are not on disk yet still counts its
 * whole share. Merging the shards drops the shard record: the merged runs are a single process's.
 */
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { runCli, tempDir } from '../helpers.js';
import { getOk, writeLtmSuite } from './helpers.js';

/** The run directories a shard wrote, from its summary. */
const runsOf = (root: string, i: number): string[] =>
  (JSON.parse(readFileSync(join(root, `ltm-suite-w.shard-${i}-of-2.json`), 'utf8')) as { runs: { run_id: string }[] }).runs.map((r) => r.run_id);

/** The tests these runs scored: the per-test scores of their runstats.json. */
function scoredTests(root: string, runs: readonly string[]): number {
  return runs.reduce((n, r) => n + (JSON.parse(readFileSync(join(root, r, 'runstats.json'), 'utf8')) as { tests: unknown[] }).tests.length, 0);
}

interface Worker {
  worker_id: string;
  kind: string;
  host: string;
  status: string;
  current_task: string | null;
  tasks_completed: number;
  tasks_total: number | null;
  runs: string[];
}

describe('the workers of a sharded LTM suite', () => {
  const dir = tempDir('referee-workers-ltm-');
  const shared = join(dir, 'runs');
  const monitors: MonitorServer[] = [];
  const workers = async (runsDir: string): Promise<{ total_workers: number; active_workers: number; workers: Worker[] }> => {
    const m = await startMonitor({ runsDir, port: 0 });
    monitors.push(m);
    return (await getOk(m.url, '/api/benchmark/workers')) as unknown as { total_workers: number; active_workers: number; workers: Worker[] };
  };
  afterEach(async () => {
    for (const m of monitors.splice(0)) await m.close();
  });

  beforeAll(async () => {
    const suite = writeLtmSuite(dir);
    for (const i of [1, 2]) {
      const r = await runCli(['run', '--suite', suite, '--runs-dir', shared, '--run-id', 'w', '--shard', `${i}/2`, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 240_000);

  it('shows each shard as a worker, ended, with the tests its runs scored', async () => {
    const v = await workers(shared);
    const runs = [runsOf(shared, 1), runsOf(shared, 2)];
    expect(runs.map((r) => r.length)).toEqual([2, 1]);
    const tests = runs.map((r) => scoredTests(shared, r));
    // 4 tests a run (2 datasets × 2 examples), 3 runs.
    expect(tests).toEqual([8, 4]);
    expect([v.total_workers, v.active_workers]).toEqual([2, 0]);
    expect(v.workers.map((w) => [w.worker_id, w.kind, w.host, w.status, w.current_task, w.tasks_completed, w.tasks_total, w.runs])).toEqual([
      ['shard 1/2', 'shard', hostname(), 'finished', null, tests[0], tests[0], runs[0]],
      ['shard 2/2', 'shard', hostname(), 'finished', null, tests[1], tests[1], runs[1]],
    ]);
  });

  it('counts a shard whose later runs are not on disk against its whole share, and one with none as pending', async () => {
    // The runs directory as it was when shard 1 had run its first run and shard 2 had not started.
    const early = join(dir, 'early');
    const [first] = runsOf(shared, 1);
    cpSync(join(shared, first!), join(early, first!), { recursive: true });
    const v = await workers(early);
    expect(v.workers.map((w) => [w.worker_id, w.status, w.tasks_completed, w.tasks_total])).toEqual([
      ['shard 1/2', 'idle', scoredTests(shared, [first!]), scoredTests(shared, runsOf(shared, 1))],
      ['shard 2/2', 'pending', 0, null],
    ]);
  });

  it('merges into runs without the shard record', async () => {
    const merged = join(dir, 'merged');
    const r = await runCli(['merge', shared, '--output-dir', merged]);
    expect(r.code, r.stderr).toBe(0);
    const metas = readdirSync(merged)
      .filter((d) => d.startsWith('w-'))
      .map((d) => JSON.parse(readFileSync(join(merged, d, 'run.json'), 'utf8')) as Record<string, unknown>);
    expect(metas.map((m) => [m['run_id'], 'shard' in m])).toEqual([
      ['w-sim-mini-small-s0', false],
      ['w-sim-mini-small-s1', false],
      ['w-sim-mini-small-s2', false],
    ]);
    expect(JSON.parse(readFileSync(join(shared, 'w-sim-mini-small-s0', 'run.json'), 'utf8'))).toMatchObject({ shard: { index: 1, count: 2, shard_pieces: 2, shard_tasks: 8 } });
  });
});
