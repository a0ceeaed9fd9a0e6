import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { tempDir } from '../helpers.js';
import { writeLiveLtmRun, writeResumedRun, writeRetriedTaskRun } from './fixture-runs.js';
import { getJson, getOk, waitFor } from './helpers.js';

type Json = Record<string, unknown>;
/** `a.b.c` of a parsed JSON body. */
const at = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((x, k) => (x as Record<string, unknown> | undefined)?.[k], o);

// issue 17: every number the monitor shows, against run directories whose true values are known.
describe('monitor numbers over fixture runs', () => {
  let monitor: MonitorServer;
  const api = (path: string): string => new URL(path, monitor.url).toString();
  const get = (path: string): Promise<Json> => getOk(monitor.url, path);

  beforeAll(async () => {
    const root = tempDir('referee-monitor-numbers-');
    writeRetriedTaskRun(root);
    writeResumedRun(root);
    writeLiveLtmRun(root, Date.now() - 2000);
    monitor = await startMonitor({ runsDir: root, port: 0, pollMs: 50, discoverMs: 100, computeHourlyUsd: 0.75 });
    await waitFor(() => monitor.hub.find('tasks-retried')?.ended_at && monitor.hub.find('ltm-resumed')?.ended_at && monitor.hub.find('ltm-live')?.turns_done, 'fixtures read');
  });
  afterAll(async () => {
    await monitor?.close();
  });

  it('counts a retried task once as a turn and each call as an attempt', async () => {
    const job = at(await get('/api/benchmark/status?run=tasks-retried'), 'current_job');
    expect(at(job, 'completed_turns')).toBe(3);
    expect(at(job, 'total_turns')).toBe(3);
    expect(at(job, 'attempts')).toBe(5);
    expect(at(job, 'failed_turns')).toBe(1);
    expect(at(job, 'completed_tasks')).toBe(2 + 1);
  });

  it('measures tokens/s over a window of calls, never per chunk', async () => {
    const m = await get('/api/benchmark/metrics?run=tasks-retried');
    // Over model calls that answered (issue 22): the timed-out attempt's second is counted apart, not as a slow call.
    expect(at(m, 'token_throughput.window_tokens_per_s')).toBeCloseTo(100 / 4.5, 2);
    expect(at(m, 'token_throughput.tokens_per_s')).toBeCloseTo(100 / 4.5, 2);
    const detail = monitor.hub.find('tasks-retried')!.detail();
    const series = (detail['tps'] as { tokens_per_s: number }[]).map((p) => Math.round(p.tokens_per_s * 100) / 100);
    // After `a`'s one-chunk reply: 30 tokens / 1.5 s, not 750,000 tok/s.
    expect(series[0]).toBe(20);
    expect(Math.max(...series)).toBeLessThan(23);
  });

  it('measures a resumed run across its segments', async () => {
    const job = at(await get('/api/benchmark/status?run=ltm-resumed'), 'current_job');
    expect(at(job, 'elapsed_seconds')).toBe(22.8);
    expect(at(job, 'avg_task_seconds')).toBe(11.4);
    expect(at(job, 'segments')).toBe(2);
    expect(at(job, 'status')).toBe('finished');
    const m = await get('/api/benchmark/metrics?run=ltm-resumed');
    expect(at(m, 'domain_breakdown.colours')).toMatchObject({ total: 1, done: 1, success: 1 });
    expect(at(m, 'domain_breakdown.names')).toMatchObject({ total: 1, done: 1, success: 0 });
    const costs = await get('/api/benchmark/costs?run=ltm-resumed');
    expect(at(costs, 'compute.hours_elapsed')).toBe(Math.round((22.8 / 3600) * 1e4) / 1e4);
    expect(at(costs, 'compute.hourly_rate_usd')).toBe(0.75);
    expect(at(costs, 'compute.cost_usd')).toBeCloseTo((22.8 / 3600) * 0.75, 8);
    expect(at(costs, 'total_cost_usd')).toBeCloseTo((22.8 / 3600) * 0.75, 8);
  });

  it('lists the LTM pending queue: tests waiting between turns (with the tokens left of their wait), then tests not begun', async () => {
    // The wait is read from master_log.jsonl once the queue is first asked for.
    const s = await waitFor(async () => {
      const r = await get('/api/benchmark/status?run=ltm-live');
      return (at(r, 'queue') as { wait: unknown }[])[0]?.wait ? r : undefined;
    }, 'the wait of t/1');
    expect(at(s, 'queue')).toEqual([
      { task_id: 't/1', dataset: 'd', status: 'waiting', wait: { tokens: 50, tokens_left: 43, time_s: 0, since: expect.stringMatching(/^\d{4}-/) } },
      { task_id: 't/2', dataset: 'd', status: 'pending', wait: null },
    ]);
    expect(at(s, 'queue_length')).toBe(2);
    expect(at(s, 'current_job.current_task')).toMatchObject({ task_id: 't/0', stage: 'waiting' });
  });

  it('shows the last task’s verdict and its own stage times, not the previous task’s', () => {
    const lane = monitor.hub.find('tasks-retried')!.lanes.get(0)!;
    expect(lane.verdict).toBe('pass');
    expect(lane.test_id).toBe('c');
    // `c`'s second attempt: waiting 0.2 s, streaming 1.8 s, evaluating 0.1 s; nothing of `b`'s cooling.
    expect(lane.stage).toBe('done');
    expect(lane.stage_ms.waiting).toBeCloseTo(200, 0);
    expect(lane.stage_ms.streaming).toBeCloseTo(1800, 0);
    expect(lane.stage_ms.evaluating).toBeCloseTo(100, 0);
    expect(lane.stage_ms.cooling).toBeNull();
    expect(lane.stage_ms.thinking).toBeNull();
  });

  it('answers bad SSE parameters with 400', async () => {
    const bogus = await getJson<{ error: string }>(api('/api/benchmark/telemetry/stream?types=token,bogus'));
    expect(bogus.status).toBe(400);
    expect(bogus.body.error).toMatch(/query parameter types.*bogus/);
    const nope = await getJson<{ error: string }>(api('/api/benchmark/telemetry/stream?run=nope'));
    expect(nope.status).toBe(400);
    expect(nope.body.error).toContain('no run "nope"');
  });
});
