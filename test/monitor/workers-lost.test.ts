/**
 * A shard whose process dies without a word (kill -9) is not shown running until it is resumed.
 * A real LTM suite shard, watched through the monitor's HTTP API, is killed mid-run: on this host
 * its lock's process is gone, so the run (run list, viewer, workers panel) is `interrupted`; on
 * another host (its lock rewritten as that host's) no pid can be asked, and the run is `stale` once
 * silent for 3 of its heartbeats, running again when its heartbeat is fresh. Running the shard
 * again resumes it, and it finishes with every test of its share.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { CLI, ROOT, runCli, tempDir } from '../helpers.js';
import { getOk, waitFor, writeLtmSuite, writeSlowAgent } from './helpers.js';

interface Worker {
  worker_id: string;
  status: string;
  tasks_completed: number;
  tasks_total: number | null;
  turns_completed: number;
  silent_seconds: number | null;
}
interface Workers {
  active_workers: number;
  workers: Worker[];
}
interface Row {
  run_id: string;
  status: string;
  silent_seconds?: number;
}

const RUN = 'w-slow-agent-small-s0';
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a shard killed with kill -9', () => {
  const dir = tempDir('referee-workers-lost-');
  const runs = join(dir, 'runs');
  const suite = writeLtmSuite(dir, writeSlowAgent(dir, { ttftMs: 20, tokensPerS: 400 }));
  const args = ['run', '--suite', suite, '--runs-dir', runs, '--run-id', 'w', '--shard', '1/2', '--quiet'];
  const monitors: MonitorServer[] = [];
  let monitor: MonitorServer;
  const workers = async (m = monitor): Promise<Workers> => (await getOk(m.url, '/api/benchmark/workers')) as unknown as Workers;
  const row = async (path: string, m = monitor): Promise<Row | undefined> => ((await getOk(m.url, path)) as unknown as { runs: Row[] }).runs.find((r) => r.run_id === RUN);

  beforeAll(async () => {
    monitor = await startMonitor({ runsDir: runs, port: 0, pollMs: 100, discoverMs: 200 });
    monitors.push(monitor);
  });
  afterAll(async () => {
    for (const m of monitors) await m.close();
  });

  it('beats while it runs, and once killed is interrupted everywhere its status is shown', async () => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: 'ignore', env: { ...process.env, REFEREE_HEARTBEAT_S: '0.2' } });
    const lockFile = join(runs, RUN, 'run.lock');
    const running = await waitFor(async () => {
      const v = await workers();
      const w = v.workers.find((x) => x.worker_id === 'shard 1/2');
      return w?.status === 'running' && w.turns_completed > 0 ? w : undefined;
    }, 'shard 1/2 running with turns done');
    expect(running.tasks_total).toBe(8);
    const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number; started_at: string; heartbeat_s: number };
    expect(lock.heartbeat_s).toBe(0.2);
    // The heartbeat: the lock's mtime moves on while the run runs.
    const first = statSync(lockFile).mtimeMs;
    await waitFor(() => statSync(lockFile).mtimeMs > first, 'a heartbeat');
    // The process that holds the run (the CLI's own, or a process it started): killed without a word.
    process.kill(lock.pid, 'SIGKILL');
    if (alive(child.pid!)) child.kill('SIGKILL');
    const lost = await waitFor(async () => {
      const v = await workers();
      return v.workers.find((x) => x.worker_id === 'shard 1/2')?.status === 'interrupted' ? v : undefined;
    }, 'shard 1/2 interrupted');
    expect(lost.active_workers).toBe(0);
    expect(lost.workers.map((w) => [w.worker_id, w.status, typeof w.silent_seconds])).toEqual([
      ['shard 1/2', 'interrupted', 'number'],
      ['shard 2/2', 'pending', 'object'],
    ]);
    // run.json still says running; the run list and the viewer say what the monitor knows.
    expect((JSON.parse(readFileSync(join(runs, RUN, 'run.json'), 'utf8')) as { status: string }).status).toBe('running');
    for (const path of ['/api/benchmark/runs', '/api/view/runs']) expect(await row(path)).toMatchObject({ status: 'interrupted', silent_seconds: expect.any(Number) });
    expect(await row('/api/view/runs?status=interrupted')).toMatchObject({ run_id: RUN });
  }, 120_000);

  it('on another host, is stale after 3 silent heartbeats, and running while its heartbeat is fresh', async () => {
    // The killed run as a monitor on another machine sees it: a lock it cannot ask about, beating every 0.5 s.
    const remote = join(dir, 'remote');
    cpSync(join(runs, RUN), join(remote, RUN), { recursive: true });
    const lockFile = join(remote, RUN, 'run.lock');
    const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as Record<string, unknown>;
    const old = new Date(Date.now() - 60_000);
    writeFileSync(lockFile, JSON.stringify({ ...lock, host: 'node-elsewhere', heartbeat_s: 0.5 }));
    utimesSync(lockFile, old, old);
    const m = await startMonitor({ runsDir: remote, port: 0, pollMs: 100, discoverMs: 200 });
    monitors.push(m);
    const stale = await waitFor(async () => ((await row('/api/view/runs', m))?.status === 'stale' ? await workers(m) : undefined), 'the run stale');
    const w = stale.workers.find((x) => x.worker_id === 'shard 1/2')!;
    expect([w.status, w.silent_seconds! >= 1.5]).toEqual(['stale', true]);
    // A heartbeat written now (every 60 s from here: silent for under 180 s is alive).
    writeFileSync(lockFile, JSON.stringify({ ...lock, host: 'node-elsewhere', heartbeat_s: 60 }));
    await waitFor(async () => (await row('/api/benchmark/runs', m))?.status === 'running', 'the run running again');
  }, 60_000);

  it('resumed, finishes with every test of its share', async () => {
    const r = await runCli(args, { timeoutMs: 180_000 });
    expect(r.code, r.stderr).toBe(0);
    const done = await waitFor(async () => {
      const v = await workers();
      return v.workers.find((x) => x.worker_id === 'shard 1/2')?.status === 'finished' ? v : undefined;
    }, 'shard 1/2 finished');
    expect(done.workers.map((w) => [w.worker_id, w.status, w.tasks_completed, w.tasks_total, w.silent_seconds])).toEqual([
      ['shard 1/2', 'finished', 8, 8, null],
      ['shard 2/2', 'pending', 0, null, null],
    ]);
    expect(await row('/api/view/runs')).toMatchObject({ status: 'finished' });
    expect((await row('/api/view/runs'))?.silent_seconds).toBeUndefined();
  }, 200_000);

  it('refuses a heartbeat that is not a positive number of seconds in one line, exit 2, before any run directory exists', async () => {
    const out = join(dir, 'bad-beat');
    const r = await runCli(['run', '--suite', suite, '--runs-dir', out, '--run-id', 'b', '--quiet'], { env: { ...process.env, REFEREE_HEARTBEAT_S: '0s' } });
    expect([r.code, r.stderr.trim()]).toEqual([2, 'referee: environment: REFEREE_HEARTBEAT_S: "0s" is not a positive number of seconds']);
    expect(existsSync(join(out, 'b-slow-agent-small-s0'))).toBe(false);
  });
});
