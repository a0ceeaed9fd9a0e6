/**
 * The workers panel over real shards (no Slurm): the example suite run as 2 shards by the CLI into
 * one runs directory, read by the monitor's hub. Each shard is a worker whose tests done and share
 * equal the lines of its pieces' results.jsonl; a shard with pieces still to run is idle, one with
 * none on disk pending. The Slurm test (test/slurm/workers-panel.test.ts) watches the same live.
 */
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MonitorHub } from '../../src/monitor/hub.js';
import { costsView, workersView } from '../../src/monitor/views.js';
import { ROOT, runCli, tempDir } from '../helpers.js';

const SUITE = join(ROOT, 'configs/suites/example.yaml');

/** Lines of the results.jsonl files of these pieces. */
function resultLines(root: string, pieces: string[]): number {
  let n = 0;
  for (const piece of pieces) {
    const results = join(root, piece, 'results');
    for (const agent of existsSync(results) ? readdirSync(results) : []) n += readFileSync(join(results, agent, 'results.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).length;
  }
  return n;
}

const piecesOf = (root: string, i: number): string[] => readdirSync(root).filter((d) => d.endsWith(`.shard-${i}-of-2`)).sort();

describe('the workers of a sharded suite', () => {
  const shared = join(tempDir('referee-workers-shards-'), 'ex');
  const hubs: MonitorHub[] = [];
  const open = async (runsDir: string, workerHourlyUsd?: number): Promise<MonitorHub> => {
    const hub = new MonitorHub({ runsDir, ...(workerHourlyUsd !== undefined ? { workerHourlyUsd } : {}) });
    hubs.push(hub);
    await hub.start();
    return hub;
  };
  afterEach(() => {
    for (const h of hubs.splice(0)) h.stop();
  });

  beforeAll(async () => {
    for (const i of [1, 2]) {
      const r = await runCli(['run', '--suite', SUITE, '--runs-dir', shared, '--run-id', 'ex', '--shard', `${i}/2`, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 240_000);

  it('shows each shard as a worker on this host, ended, with the tests its results hold', async () => {
    const hub = await open(shared, 3600);
    const v = workersView(hub, {});
    expect([v.total_workers, v.active_workers, v.idle_workers]).toEqual([2, 0, 2]);
    const lines = [1, 2].map((i) => resultLines(shared, piecesOf(shared, i)));
    expect(lines[0]! + lines[1]!).toBe(36);
    expect(v.workers.map((w) => [w.worker_id, w.kind, w.host, w.status, w.current_task, w.tasks_completed, w.tasks_total, w.runs.length])).toEqual([
      ['shard 1/2', 'shard', hostname(), 'finished', null, lines[0], lines[0], piecesOf(shared, 1).length],
      ['shard 2/2', 'shard', hostname(), 'finished', null, lines[1], lines[1], piecesOf(shared, 2).length],
    ]);
    // /costs: the two workers' wall time at $3,600 an hour, so its dollars are their seconds.
    const costs = costsView(hub, {}) as { workers: { workers: number; cost_usd: number; estimated: boolean } };
    expect(costs.workers).toMatchObject({ workers: 2, estimated: true });
    expect(Math.abs(costs.workers.cost_usd - v.workers.reduce((a, w) => a + w.uptime_seconds, 0))).toBeLessThan(0.2);
  });

  it('counts a shard with pieces still to run as idle against its whole share, and one with nothing on disk as pending', async () => {
    // The shared directory as it was when shard 1 had run its first piece and shard 2 had not started.
    const early = join(tempDir('referee-workers-early-'), 'ex');
    const [first] = piecesOf(shared, 1);
    cpSync(join(shared, first!), join(early, first!), { recursive: true });
    const v = workersView(await open(early), {});
    expect(v.workers.map((w) => [w.worker_id, w.status, w.tasks_completed, w.tasks_total])).toEqual([
      ['shard 1/2', 'idle', resultLines(early, [first!]), resultLines(shared, piecesOf(shared, 1))],
      ['shard 2/2', 'pending', 0, null],
    ]);
  });
});
