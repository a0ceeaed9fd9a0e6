import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { ROOT, tempDir } from '../helpers.js';
import { writeResumedRun, writeRetriedTaskRun, writeSuiteRuns } from './fixture-runs.js';
import { getJson, getOk, SseClient, waitFor } from './helpers.js';

type Json = Record<string, unknown>;

/** A finished run of `n` one-turn tests, every third failed, one test id a spreadsheet formula. */
function writeWideRun(root: string, n: number): void {
  const dir = join(root, 'wide');
  mkdirSync(dir);
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ run_id: 'wide', created_at: '2026-03-01T11:00:00Z', agent: { name: 'wide-agent' } }));
  const ts = '2026-03-01T11:00:00.000Z';
  const ids = Array.from({ length: n }, (_, i) => (i === 0 ? '=HYPERLINK("x")' : `w/${i}`));
  const lines = [{ type: 'run_start', ts, tests_total: n, turns_total: n, tests: ids.map((id) => ({ test_id: id, dataset: 'wide' })) }];
  ids.forEach((id, i) => lines.push({ type: 'test_end', ts, test_id: id, dataset: 'wide', score: i % 3 === 2 ? 0 : 1, max_score: 1, reasons: [`r,${i}`] } as never));
  lines.push({ type: 'run_end', ts, status: 'finished' } as never);
  writeFileSync(join(dir, 'events.jsonl'), lines.map((l, seq) => JSON.stringify({ seq, run_id: 'wide', ...l })).join('\n') + '\n');
}

// issue 17: the viewer's REST side (what view.html reads), over fixture runs.
describe('viewer API', () => {
  let monitor: MonitorServer;
  const get = (path: string): Promise<Json> => getOk(monitor.url, path);

  beforeAll(async () => {
    const root = tempDir('referee-viewer-api-');
    writeRetriedTaskRun(root);
    writeResumedRun(root);
    writeSuiteRuns(root);
    writeWideRun(root, 3000);
    monitor = await startMonitor({ runsDir: root, port: 0, pollMs: 50, discoverMs: 100 });
    await waitFor(() => monitor.hub.models().filter((m) => m.ended_at).length === 7, 'fixtures read');
  });
  afterAll(async () => {
    await monitor?.close();
  });

  it('filters the run list by search, status, dataset and score', async () => {
    const ids = async (q: string): Promise<string[]> => ((await get(`/api/view/runs?${q}`))['runs'] as Json[]).map((r) => String(r['run_id'])).sort();
    expect(await ids('q=strong')).toEqual(['demo-strong-math', 'demo-strong-trivia']);
    expect(await ids('dataset=trivia')).toEqual(['demo-strong-trivia', 'demo-weak-trivia']);
    expect(await ids('min_score=0.7')).toEqual(['demo-strong-math', 'demo-strong-trivia']);
    expect(await ids('q=ltm%20colours')).toEqual(['ltm-resumed']);
    const bad = await getJson<{ error: string }>(new URL('/api/view/runs?status=bogus', monitor.url).toString());
    expect(bad.status).toBe(400);
  });

  it('pages a large run’s samples and filters them', async () => {
    const page = await get('/api/view/samples?run=wide&offset=2900&limit=100');
    expect(page['total']).toBe(3000);
    expect((page['samples'] as Json[]).map((s) => s['test_id'])).toEqual(Array.from({ length: 100 }, (_, i) => `w/${2900 + i}`));
    expect((await get('/api/view/samples?run=wide&status=fail&limit=1'))['total']).toBe(1000);
  });

  it('exports CSV a spreadsheet cannot run, and JSON', async () => {
    const csv = await (await fetch(new URL('/api/view/export?run=wide&format=csv', monitor.url))).text();
    const lines = csv.trim().split('\n');
    expect(lines).toHaveLength(3001);
    expect(lines[0]).toBe('test_id,dataset,status,score,max_score,turns,reasons,prompt,answer,expected,latency_ms,tokens_in,tokens_out');
    // This fixture has events only: its prompt, answer, expected and timing cells are empty.
    expect(lines[1]).toBe(`"'=HYPERLINK(""x"")",wide,pass,1,1,0,"r,0",,,,,,`);
    const json = await get('/api/view/export?run=tasks-retried&format=json');
    expect((json['results'] as Json[]).map((r) => r['status'])).toEqual(['pass', 'fail', 'pass']);
  });

  it('builds a suite matrix from its cells', async () => {
    const m = await get('/api/view/matrix');
    expect(m['suites']).toEqual(['demo']);
    expect((m['cells'] as Json[]).map((c) => [c['agent'], c['dataset'], c['pass'], c['tests']]).sort()).toEqual([
      ['strong', 'math', 4, 4],
      ['strong', 'trivia', 3, 4],
      ['weak', 'math', 1, 4],
      ['weak', 'trivia', 2, 4],
    ]);
  });
});

// issue 17: `referee view` beside a run too big to read before the first answer.
describe('viewer API beside a large run', () => {
  it('answers at once, the large run flagged loading, then whole with a `loaded` event', async () => {
    const root = tempDir('referee-viewer-big-');
    writeSuiteRuns(root);
    // 4,000 tests of 10 turns (40,000 turns, ~25 MB of events), written as RunDirWriter writes them.
    const { writeBigRun } = (await import(pathToFileURL(join(ROOT, 'bench/fixtures/big-run.mjs')).href)) as {
      writeBigRun: (root: string, o: { runId: string; tests: number; turnsPerTest: number }) => { pass: number; turns: number };
    };
    const truth = writeBigRun(root, { runId: 'big', tests: 4000, turnsPerTest: 10 });
    const monitor = await startMonitor({ runsDir: root, port: 0, readyWithinMs: 0 });
    const sse = new SseClient(new URL('/api/benchmark/telemetry/stream?types=loaded&interval=0', monitor.url).toString());
    try {
      await sse.open();
      const first = (await getOk(monitor.url, '/api/view/runs?q=big'))['runs'] as Json[];
      expect(first.map((r) => [r['run_id'], r['loading']])).toEqual([['big', true]]);
      expect(first[0]!['tests_done']).toBeLessThan(4000);
      const loaded = await waitFor(() => sse.events.find((e) => JSON.parse(e.data).key === 'big'), 'the loaded event', 60_000);
      expect(JSON.parse(loaded.data)).toMatchObject({ type: 'loaded', key: 'big' });
      const run = ((await getOk(monitor.url, '/api/view/runs?q=big'))['runs'] as Json[])[0]!;
      expect([run['loading'], run['tests_done'], run['pass'], run['turns_done'], run['status']]).toEqual([false, 4000, truth.pass, truth.turns, 'finished']);
      // Its samples page through: the last page, not the whole list.
      const page = await getOk(monitor.url, '/api/view/samples?run=big&offset=3950&limit=50');
      expect([page['total'], (page['samples'] as Json[]).length, (page['samples'] as Json[])[49]!['test_id']]).toEqual([4000, 50, 'd4/3999']);
    } finally {
      sse.close();
      await monitor.close();
    }
  });
});
