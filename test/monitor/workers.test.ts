import { describe, expect, it } from 'vitest';
import type { TaskShard } from '../../src/shards/shard-info.js';
import { deriveWorkers, workerCompute, type WorkerRun } from '../../src/monitor/workers.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();
const NOW = T0 + 100_000;

function shard(index: number, count: number, tasks: string[], whole: { shard_tasks?: number; shard_pieces?: number } = {}, plan = 'plan-a'): TaskShard {
  return { index, count, plan, datasets: 'd', tasks, whole: false, run_id: 'nightly-x', cell_tasks: 12, concurrency: 4, ...whole };
}

function piece(id: string, o: Partial<WorkerRun> & { busy?: string[] }): WorkerRun {
  const { busy = [], ...rest } = o;
  return {
    key: `nightly/${id}`,
    run_id: id,
    group: 'nightly',
    agent: 'sim-think',
    host: 'node-1',
    shard: undefined,
    status: 'running',
    started_at: at(0),
    ended_at: null,
    last_event_at: at(10),
    elapsed_ms: 10_000,
    tests_done: 0,
    tests_total: 3,
    turns_done: 0,
    lanes: busy.map((test_id, lane) => ({ lane, busy: true, test_id, tests_done: 0, turns_done: 0, idle_since: null, idle_ms_total: 0, first_seen: at(0) })),
    ...rest,
  };
}

describe('the workers panel', () => {
  it('shows each shard of a sharded run as a worker: host, test in flight, tests done of its share, and a shard not started as pending', () => {
    const runs = [
      // Shard 1: its first piece done, its second in flight on two lanes.
      piece('a.shard-1-of-3', { shard: shard(1, 3, ['t1', 't2'], { shard_tasks: 5, shard_pieces: 2 }), status: 'finished', tests_done: 2, tests_total: 2, turns_done: 2, started_at: at(0), ended_at: at(20), last_event_at: at(20), elapsed_ms: 20_000 }),
      piece('b.shard-1-of-3', { shard: shard(1, 3, ['u1', 'u2', 'u3'], { shard_tasks: 5, shard_pieces: 2 }), host: 'node-1', busy: ['u2', 'u3'], tests_done: 1, turns_done: 1, started_at: at(30), last_event_at: at(90), elapsed_ms: 70_000 }),
      // Shard 2: its only piece has ended, on another machine.
      piece('a.shard-2-of-3', { shard: shard(2, 3, ['t3', 't4'], { shard_tasks: 2, shard_pieces: 1 }), host: 'node-2', status: 'finished', tests_done: 2, tests_total: 2, turns_done: 4, started_at: at(5), ended_at: at(45), last_event_at: at(45), elapsed_ms: 40_000 }),
    ];
    const v = deriveWorkers(runs, NOW);
    expect(v).toMatchObject({ total_workers: 3, active_workers: 1, idle_workers: 2 });
    expect(v.workers.map((w) => [w.worker_id, w.host, w.status, w.current_task, w.current_tasks, w.tasks_completed, w.tasks_total])).toEqual([
      ['shard 1/3', 'node-1', 'running', 'u2', ['u2', 'u3'], 3, 5],
      ['shard 2/3', 'node-2', 'finished', null, [], 2, 2],
      ['shard 3/3', null, 'pending', null, [], 0, null],
    ]);
    const [one, two] = v.workers;
    // Shard 1 has run for 100 s, 90 s of it in its pieces; shard 2 from its start to its last event.
    expect([one!.uptime_seconds, one!.idle_time_seconds, one!.runs]).toEqual([100, 10, ['a.shard-1-of-3', 'b.shard-1-of-3']]);
    expect([two!.uptime_seconds, two!.idle_time_seconds, two!.last_seen]).toEqual([40, 0, at(45)]);
  });

  it('counts a shard between its pieces as idle (alive), and one whose last piece ended as finished', () => {
    const runs = [
      piece('a.shard-1-of-2', { shard: shard(1, 2, ['t1'], { shard_tasks: 4, shard_pieces: 2 }), status: 'finished', tests_done: 1, ended_at: at(10) }),
      piece('a.shard-2-of-2', { shard: shard(2, 2, ['t2'], { shard_tasks: 1, shard_pieces: 1 }), busy: ['t2'] }),
    ];
    const between = deriveWorkers(runs, NOW);
    expect(between.workers.map((w) => [w.status, w.uptime_seconds])).toEqual([
      ['idle', 100],
      ['running', 100],
    ]);
    const ended = deriveWorkers([runs[0]!, { ...runs[1]!, status: 'finished', ended_at: at(50), last_event_at: at(50), tests_done: 1, lanes: [] }], NOW);
    // Nothing in flight any more: the last sharded run keeps its panel, every worker ended or idle.
    expect(ended).toMatchObject({ total_workers: 2, active_workers: 0, idle_workers: 2 });
    expect(ended.workers.map((w) => [w.status, w.tasks_completed, w.uptime_seconds])).toEqual([
      ['idle', 1, 10],
      ['finished', 1, 50],
    ]);
  });

  it('says how a shard ended: a failed or interrupted piece is the shard’s ending', () => {
    const runs = [
      piece('a.shard-1-of-2', { shard: shard(1, 2, ['t1'], { shard_pieces: 1 }), status: 'failed', ended_at: at(10) }),
      piece('a.shard-2-of-2', { shard: shard(2, 2, ['t2'], { shard_pieces: 1 }), status: 'interrupted', ended_at: at(10) }),
    ];
    expect(deriveWorkers(runs, NOW).workers.map((w) => w.status)).toEqual(['failed', 'interrupted']);
  });

  it('without shard_tasks (pieces written before it was recorded) counts the tests of the pieces it has seen', () => {
    const runs = [piece('a.shard-1-of-1', { shard: shard(1, 1, ['t1', 't2', 't3']), tests_total: 3, tests_done: 1, busy: ['t2'] })];
    expect(deriveWorkers(runs, NOW).workers[0]).toMatchObject({ tasks_completed: 1, tasks_total: 3 });
  });

  it('keeps the shards of two sharded runs apart, each named with its folder', () => {
    const runs = [
      piece('a.shard-1-of-1', { shard: shard(1, 1, ['t1'], {}, 'plan-a'), group: 'nightly' }),
      piece('b.shard-1-of-1', { shard: shard(1, 1, ['t1'], {}, 'plan-b'), group: 'weekly', key: 'weekly/b.shard-1-of-1' }),
    ];
    expect(deriveWorkers(runs, NOW).workers.map((w) => w.worker_id)).toEqual(['nightly shard 1/1', 'weekly shard 1/1']);
  });

  it('shows the lanes of a run that is no shard’s, beside the shards in flight', () => {
    const single = piece('solo', {
      group: null,
      lanes: [
        { lane: 0, busy: true, test_id: 'q1', tests_done: 2, turns_done: 5, idle_since: null, idle_ms_total: 3000, first_seen: at(0) },
        { lane: 1, busy: false, test_id: 'q0', tests_done: 1, turns_done: 2, idle_since: at(90), idle_ms_total: 1000, first_seen: at(0) },
      ],
    });
    const sharded = piece('a.shard-1-of-1', { shard: shard(1, 1, ['t1']), busy: ['t1'], tests_total: 1 });
    const v = deriveWorkers([single, sharded], NOW);
    expect(v.workers.map((w) => [w.worker_id, w.kind, w.status, w.current_task, w.tasks_completed, w.tasks_total, w.idle_time_seconds])).toEqual([
      ['shard 1/1', 'shard', 'running', 't1', 0, 1, 90],
      ['solo/lane-0', 'lane', 'running', 'q1', 2, null, 3],
      ['solo/lane-1', 'lane', 'idle', null, 1, null, 11],
    ]);
    // Asked for one run: its lanes only.
    expect(deriveWorkers([single, sharded], NOW, { only: single }).total_workers).toBe(2);
  });

  it('with nothing in flight and no shards, shows the current run’s lanes as done', () => {
    const ended = piece('solo', { group: null, status: 'finished', ended_at: at(30), lanes: [{ lane: 0, busy: false, test_id: 'q1', tests_done: 3, turns_done: 3, idle_since: at(30), idle_ms_total: 0, first_seen: at(0) }] });
    expect(deriveWorkers([ended], NOW, { current: ended }).workers.map((w) => [w.worker_id, w.status, w.uptime_seconds])).toEqual([['solo/lane-0', 'done', 30]]);
    expect(deriveWorkers([ended], NOW)).toEqual({ total_workers: 0, active_workers: 0, idle_workers: 0, workers: [] });
  });

  it('prices each shard worker’s wall time at the hourly rate, and says when no rate is set', () => {
    const runs = [
      piece('a.shard-1-of-3', { shard: shard(1, 3, ['t1'], { shard_pieces: 1 }), status: 'finished', started_at: at(0), last_event_at: at(1800) }),
      piece('a.shard-2-of-3', { shard: shard(2, 3, ['t2'], { shard_pieces: 1 }), status: 'finished', started_at: at(0), last_event_at: at(3600) }),
    ];
    const { workers } = deriveWorkers(runs, NOW);
    // Shard 3 never started: no machine to price.
    expect(workerCompute(workers, 2)).toMatchObject({ hourly_rate_usd: 2, workers: 2, worker_hours: 1.5, cost_usd: 3, estimated: true });
    const none = workerCompute(workers, undefined);
    expect([none.hourly_rate_usd, none.cost_usd, none.worker_hours]).toEqual([null, null, 1.5]);
    expect(none.note).toContain('not configured');
  });
});
