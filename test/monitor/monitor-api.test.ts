import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { formatSse, startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { writeBigRun } from '../browser/viewer-fixtures.js';
import { SseClient, getJson, spawnRun, waitFor, writeSlowAgent, writeSmallDataset } from './helpers.js';

type Json = Record<string, unknown>;

function runDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

describe('monitor over live runs written by other processes (a match folder, two agents)', () => {
  let out: string;
  let monitor: MonitorServer;
  let runs: ReturnType<typeof spawnRun>[];
  let early: SseClient[];
  const api = (path: string): string => new URL(path, monitor.url).toString();

  beforeAll(async () => {
    out = tempDir('referee-monitor-');
    monitor = await startMonitor({ runsDir: out, port: 0, heartbeatMs: 200, pollMs: 100, discoverMs: 200 });
    // Five clients connected before anything runs: many at once, each sees everything.
    early = Array.from({ length: 5 }, () => new SseClient(api('/api/benchmark/telemetry/stream')));
    await Promise.all(early.map((c) => c.open()));
    const dataset = writeSmallDataset(out);
    const match = join(out, 'match-t');
    runs = [
      spawnRun(['--agent-config', writeSlowAgent(out, { name: 'agent-a', ttftMs: 60, tokensPerS: 40 }), '--dataset-config', dataset, '--output-dir', match]),
      spawnRun(['--agent-config', writeSlowAgent(out, { name: 'agent-b', ttftMs: 20, tokensPerS: 80 }), '--dataset-config', dataset, '--output-dir', match]),
    ];
  });

  afterAll(async () => {
    for (const c of early ?? []) c.close();
    for (const r of runs ?? []) r.child.kill('SIGKILL');
    await monitor?.close();
  });

  it('shows progress, the current task and the workers while the runs execute', async () => {
    const status = await waitFor(async () => {
      const { body } = await getJson<{ current_job: Json | null }>(api('/api/benchmark/status'));
      const job = body.current_job;
      return job && job['status'] === 'running' && (job['completed_turns'] as number) > 0 && (job['completed_turns'] as number) < (job['total_turns'] as number) ? body : undefined;
    }, 'a running job with some turns done');
    const job = status.current_job!;
    expect(job['group']).toBe('match-t');
    expect(job['total_tasks']).toBe(4);
    expect((job['current_task'] as Json)['task_id']).toEqual(expect.any(String));
    expect(job['elapsed_seconds']).toEqual(expect.any(Number));
    const workers = await waitFor(async () => {
      const { body } = await getJson<{ total_workers: number; workers: Json[] }>(api('/api/benchmark/workers'));
      return body.total_workers === 2 ? body : undefined;
    }, 'one worker per agent process');
    expect(new Set(workers.workers.map((w) => w['agent']))).toEqual(new Set(['agent-a', 'agent-b']));
  });

  it('streams every event with a monotonic id to every client, tokens and stages included', async () => {
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    await waitFor(() => early.every((c) => c.events.filter((e) => e.event === 'run' && c.json(e)['type'] === 'run_end').length === 2), 'both run_end events');
    const first = early[0]!;
    expect(first.events[0]!.event).toBe('snapshot');
    const ided = first.events.filter((e) => e.event !== 'message');
    const seqs = ided.map((e) => Number(e.id!.split('-')[1]));
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
    // All five clients saw the same event ids.
    const ids = (c: SseClient): string[] => c.events.filter((e) => e.event === 'run' || e.event === 'stage').map((e) => e.id!);
    for (const c of early.slice(1)) expect(ids(c)).toEqual(ids(first));

    const runEvents = first.events.filter((e) => e.event === 'run').map((e) => first.json(e));
    expect(new Set(runEvents.map((e) => e['key']))).toEqual(new Set(runDirs(join(out, 'match-t')).map((d) => `match-t/${d}`)));
    // Every line of both events.jsonl files arrived, in file order per run.
    for (const dir of runDirs(join(out, 'match-t'))) {
      const lines = readFileSync(join(out, 'match-t', dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json);
      const got = runEvents.filter((e) => e['key'] === `match-t/${dir}`).map((e) => e['seq']);
      expect(got).toEqual(lines.map((l) => l['seq']));
    }
    const tokens = runEvents.filter((e) => e['type'] === 'token');
    // issue 12: pre-filled filler makes no call, so it streams nothing.
    expect(tokens.length).toBeGreaterThan(runEvents.filter((e) => e['type'] === 'turn_end' && e['prefilled'] !== true).length);
    const stages = first.events.filter((e) => e.event === 'stage').map((e) => first.json(e)['stage']);
    for (const s of ['waiting', 'streaming', 'evaluating', 'done']) expect(stages).toContain(s);
    // issue 17: the sim model does not reason; its wait for the first token is Waiting, never Thinking.
    expect(stages).not.toContain('thinking');
    // Summaries (the seed's `onmessage` payload) came as unnamed messages.
    expect(first.events.some((e) => e.event === 'message' && first.json(e)['type'] === 'summary')).toBe(true);
  });

  it('sends heartbeats as comments', () => {
    expect(early[0]!.comments.some((c) => c.startsWith(': ping'))).toBe(true);
  });

  it('replays what a reconnecting client missed (Last-Event-ID), and a snapshot when it cannot', async () => {
    const first = early[0]!;
    const runEvents = first.events.filter((e) => e.event === 'run');
    const resumeFrom = runEvents[10]!;
    const again = new SseClient(api('/api/benchmark-sse?interval=0'), { 'Last-Event-ID': resumeFrom.id! });
    await again.open();
    const expected = first.events.filter((e) => (e.event === 'run' || e.event === 'stage') && Number(e.id!.split('-')[1]) > Number(resumeFrom.id!.split('-')[1]));
    await waitFor(() => again.events.length >= expected.length, 'the replay');
    expect(again.events.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(again.events.map((e) => e.data)).toEqual(expected.map((e) => e.data));
    again.close();

    const stranger = new SseClient(api('/api/benchmark-sse?interval=0'), { 'Last-Event-ID': 'otherepoch-5' });
    await stranger.open();
    await waitFor(() => stranger.events.length > 0, 'a snapshot');
    expect(stranger.events[0]!.event).toBe('snapshot');
    const snap = stranger.json(stranger.events[0]!);
    expect(Object.keys(snap['detail'] as Json)).toHaveLength(2);
    stranger.close();
  });

  it('filters a stream by type and run', async () => {
    const key = `match-t/${runDirs(join(out, 'match-t'))[0]}`;
    // A finished run replays nothing new; ask for its events from the ring instead.
    const c = new SseClient(api(`/api/benchmark-sse?types=token&run=${encodeURIComponent(key)}&interval=0`), { 'Last-Event-ID': `${monitor.hub.epoch}-0` });
    await c.open();
    await waitFor(() => c.events.length > 3, 'token events');
    await new Promise((r) => setTimeout(r, 200));
    expect(c.events.every((e) => c.json(e)['type'] === 'token' && c.json(e)['key'] === key)).toBe(true);
    c.close();
  });

  it('drops a client that goes away: no listener or timer left behind', async () => {
    expect(monitor.sseClients).toBeGreaterThanOrEqual(5);
    for (const c of early) c.close();
    await waitFor(() => monitor.sseClients === 0 && monitor.hub.subscriberCount === 0, 'every client cleaned up', 10_000);
  });

  it('serves finished runs: runs, metrics, costs, compare', async () => {
    const dirs = runDirs(join(out, 'match-t'));
    const stats = dirs.map((d) => JSON.parse(readFileSync(join(out, 'match-t', d, 'runstats.json'), 'utf8')) as Json);
    const { body: list } = await getJson<{ runs: Json[] }>(api('/api/benchmark/runs'));
    expect(list.runs).toHaveLength(2);
    for (const r of list.runs) {
      expect(r['status']).toBe('finished');
      const s = stats.find((x) => x['run_id'] === r['run_id'])!;
      expect(r['score']).toBeCloseTo(s['score'] as number, 6);
      expect(r['tests_done']).toBe(4);
    }
    const [a, b] = list.runs.map((r) => r['run_id'] as string) as [string, string];
    const { body: metrics } = await getJson<Json>(api(`/api/benchmark/metrics?run=${a}`));
    expect(Object.keys(metrics['domain_breakdown'] as Json).sort()).toEqual(['colours', 'name_list']);
    expect((metrics['latency_ms'] as Json)['p95']).toBeGreaterThan(0);
    expect(metrics['success_rate_over_time']).toHaveLength(4);
    const { body: costs } = await getJson<{ api_calls: Record<string, Json>; total_cost_usd: number }>(api('/api/benchmark/costs?run=all'));
    expect(costs.api_calls['sim']!['input_tokens']).toBe(stats.reduce((t, s) => t + (s['tokens_in'] as number), 0));
    expect(costs.total_cost_usd).toBe(0);
    const { status, body: cmp } = await getJson<{ comparison: { delta: Json; run_a: Json; run_b: Json } }>(api(`/api/benchmark/compare?runs=${a},${b}`));
    expect(status).toBe(200);
    expect(cmp.comparison.run_a['run_id']).toBe(a);
    const sa = stats.find((x) => x['run_id'] === a)!;
    const sb = stats.find((x) => x['run_id'] === b)!;
    expect(cmp.comparison.delta['score']).toBeCloseTo((sb['score'] as number) - (sa['score'] as number), 6);
    expect(cmp.comparison.delta['domain_deltas']).toHaveProperty('colours');
  });

  it('a monitor started afterwards reads the finished runs from disk', async () => {
    const later = await startMonitor({ runsDir: out, port: 0 });
    try {
      const { body } = await getJson<{ runs: Json[] }>(new URL('/api/benchmark/runs', later.url).toString());
      expect(body.runs.map((r) => r['status'])).toEqual(['finished', 'finished']);
      const { body: status } = await getJson<{ current_job: Json }>(new URL('/api/benchmark/status', later.url).toString());
      expect(status.current_job['completed_tasks']).toBe(4);
      expect(status.current_job['eta_seconds']).toBe(0);
    } finally {
      await later.close();
    }
  });

  it('answers bad queries with 400 naming the parameter, unknown runs with 404', async () => {
    const bad = await getJson<{ error: string }>(api('/api/benchmark/runs?limit=zero'));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^\/api\/benchmark\/runs: query parameter limit: /);
    const one = await getJson<{ error: string }>(api('/api/benchmark/compare?runs=onlyone'));
    expect(one.status).toBe(400);
    expect(one.body.error).toContain('runs=A,B');
    const extra = await getJson<{ error: string }>(api('/api/benchmark/status?bogus=1'));
    expect(extra.status).toBe(400);
    expect(extra.body.error).toContain('bogus');
    const missing = await getJson<{ error: string }>(api('/api/benchmark/metrics?run=nope'));
    expect(missing.status).toBe(404);
    expect((await fetch(api('/api/nothing'))).status).toBe(404);
  });
});

describe('monitor access', () => {
  it('requires a token when bound beyond loopback', async () => {
    await expect(startMonitor({ runsDir: tempDir(), port: 0, host: '0.0.0.0' })).rejects.toBeInstanceOf(ConfigError);
    const r = await runCli(['monitor', '--runs-dir', tempDir(), '--host', '0.0.0.0', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--token');
  });

  it('checks the token on the API (Bearer header or ?token=), never on the page', async () => {
    const token = 'monitor-secret-123';
    const m = await startMonitor({ runsDir: tempDir(), port: 0, token });
    try {
      const u = (p: string): string => new URL(p, m.url).toString();
      expect((await fetch(u('/api/benchmark/status'))).status).toBe(401);
      expect((await fetch(u('/api/benchmark/status'), { headers: { Authorization: 'Bearer wrong-token-000' } })).status).toBe(401);
      expect((await fetch(u('/api/benchmark/status'), { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(u(`/api/benchmark/status?token=${token}`))).status).toBe(200);
      const stream = new SseClient(u('/api/benchmark/telemetry/stream'));
      await stream.open();
      expect(stream.status).toBe(401);
      stream.close();
      expect((await fetch(u('/'))).status).toBe(200);
    } finally {
      await m.close();
    }
  });

  it('shows nothing running on an empty root', async () => {
    const m = await startMonitor({ runsDir: join(tempDir(), 'not-yet'), port: 0 });
    try {
      const { body } = await getJson<{ current_job: unknown }>(new URL('/api/benchmark/status', m.url).toString());
      expect(body.current_job).toBeNull();
      const page = await fetch(m.url);
      expect(page.headers.get('content-type')).toContain('text/html');
      // One page for the live view and the viewer: the app's bundle draws it (the banner is in it).
      expect(await page.text()).toContain('<script src="assets/app.js"></script>');
      expect(await (await fetch(new URL('/view', m.url))).text()).toBe(await (await fetch(m.url)).text());
      const app = await fetch(new URL('/assets/app.js', m.url));
      expect(app.status).toBe(200);
      expect(app.headers.get('content-type')).toContain('text/javascript');
      expect(await app.text()).toContain('Waiting for benchmark events');
    } finally {
      await m.close();
    }
  });
});

describe('formatSse', () => {
  it('sends multi-line data as several data: lines', () => {
    expect(formatSse({ id: 'e-1', event: 'run', data: 'one\ntwo\r\nthree' })).toBe('id: e-1\nevent: run\ndata: one\ndata: two\ndata: three\n\n');
  });
});

describe('referee run --monitor', () => {
  it('serves the run it executes from the same process', async () => {
    const out = tempDir('referee-run-monitor-');
    const run = spawnRun([
      '--agent-config',
      writeSlowAgent(out, { ttftMs: 100, tokensPerS: 20 }),
      '--dataset-config',
      writeSmallDataset(out),
      '--output-dir',
      join(out, 'runs'),
      '--monitor',
      '--monitor-port',
      '0',
    ]);
    try {
      const url = await waitFor(() => /\[referee\] monitor: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(run.stderr())?.[1], 'the monitor URL');
      const page = new SseClient(new URL('/api/benchmark/telemetry/stream?types=turn_end,run_end', url).toString());
      await page.open();
      const job = await waitFor(async () => {
        const { body } = await getJson<{ current_job: Json | null }>(new URL('/api/benchmark/status', url).toString());
        return body.current_job && (body.current_job['completed_turns'] as number) > 0 ? body.current_job : undefined;
      }, 'turns done');
      expect(job['agent']).toBe('slow-agent');
      const r = await run.done;
      expect(r.code, r.stderr).toBe(0);
      // issue 17: the open page got every turn and the run's end before the process left.
      const seen = page.events.filter((e) => e.event === 'run').map((e) => page.json(e)['type']);
      page.close();
      expect(seen.at(-1)).toBe('run_end');
      const [runDir] = runDirs(join(out, 'runs'));
      const turns = readFileSync(join(out, 'runs', runDir!, 'turn_metrics.jsonl'), 'utf8').trim().split('\n');
      expect(seen.filter((t) => t === 'turn_end')).toHaveLength(turns.length);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
  it('serves at once beside a 100,000-turn run already in its output dir, that run flagged loading (issue 17)', async () => {
    const out = tempDir('referee-run-monitor-big-');
    const big = await writeBigRun(out);
    const run = spawnRun(['--agent-config', writeSlowAgent(out, { ttftMs: 100 }), '--dataset-config', writeSmallDataset(out), '--output-dir', out, '--run-id', 'live', '--monitor', '--monitor-port', '0']);
    try {
      const url = await waitFor(() => /\[referee\] monitor: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(run.stderr())?.[1], 'the monitor URL');
      const { body } = await getJson<{ runs: Json[] }>(new URL('/api/benchmark/runs', url).toString());
      // Read in 6-7 s on the dev machine: the first answer comes long before, with run.json's status.
      expect(body.runs.find((r) => r['run_id'] === big.runId)).toMatchObject({ loading: true, status: 'finished' });
      // The run in progress is the current job, followed live, while the big run is still read.
      const job = await waitFor(async () => {
        const { body } = await getJson<{ current_job: Json | null }>(new URL('/api/benchmark/status', url).toString());
        const j = body.current_job;
        return j && j['run_id'] === 'live' && (j['completed_turns'] as number) > 0 ? j : undefined;
      }, 'turns of the live run');
      expect(job).toMatchObject({ status: 'running', loading: false, total_tasks: 4 });
      const r = await run.done;
      expect(r.code, r.stderr).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
  it('serves a task run too (a flag never silently ignored), flushed before exit', async () => {
    const out = tempDir('referee-run-monitor-tasks-');
    const run = spawnRun(['--tasks', join(ROOT, 'configs/tasks/basics.jsonl'), '--agent-config', join(ROOT, 'configs/agents/sim-mini.yaml'), '--output-dir', out, '--monitor', '--monitor-port', '0']);
    try {
      const url = await waitFor(() => /\[referee\] monitor: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(run.stderr())?.[1], 'the monitor URL');
      const page = new SseClient(new URL('/api/benchmark/telemetry/stream?types=test_end,run_end', url).toString());
      await page.open();
      const r = await run.done;
      expect(r.code, r.stderr).toBe(0);
      const seen = page.events.filter((e) => e.event === 'run').map((e) => page.json(e)['type']);
      page.close();
      const tasks = readFileSync(join(ROOT, 'configs/tasks/basics.jsonl'), 'utf8').trim().split('\n').length;
      expect(seen.at(-1)).toBe('run_end');
      expect(seen.filter((t) => t === 'test_end')).toHaveLength(tasks);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
