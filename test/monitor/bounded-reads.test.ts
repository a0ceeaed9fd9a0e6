/**
 * The monitor reads without bounds no more: a JSONL line over 1 MiB is read
 * from its first MiB, marked, and never held whole; a file or run directory
 * reached through a symlink that leaves the runs directory is not read. The
 * time and memory of a 200 MB line are measured in bench/monitor-long-line.mjs.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeJsonPrefix, MAX_LINE_BYTES, parseLine } from '../../src/monitor/bounded-lines.js';
import { JsonlLineIndex } from '../../src/monitor/line-index.js';
import { JsonlTail } from '../../src/monitor/jsonl-tail.js';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { tempDir } from '../helpers.js';
import { getJson, getOk, waitFor } from './helpers.js';

type Json = Record<string, unknown>;
const MARKER = / \.\.\.\[line cut by the monitor: 5\.0 MiB, the first 1\.0 MiB shown\]$/;
const HUGE = 'x'.repeat(5 * MAX_LINE_BYTES);
const ts = '2026-03-01T11:00:00.000Z';

/** A finished one-lane run: test t/0's answer streamed as one 5 MiB token event, and t/1 a short one. */
function writeRun(root: string, name: string, answer: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ run_id: name, created_at: ts, status: 'finished', agent: { name: 'big-agent' } }));
  const events = [
    { type: 'run_start', tests_total: 2, turns_total: 2, tests: [{ test_id: 't/0', dataset: 'qa' }, { test_id: 't/1', dataset: 'qa' }] },
    { type: 'test_start', test_id: 't/0', dataset: 'qa', lane: 0 },
    { type: 'turn_start', test_id: 't/0', turn_id: 0, lane: 0, step: 0, kind: 'test', dataset: 'qa', prompt: 'say a lot' },
    { type: 'token', test_id: 't/0', turn_id: 0, delta: answer },
    { type: 'turn_end', test_id: 't/0', turn_id: 0, lane: 0, step: 0, status: 'success', tokens_in: 3, tokens_out: 9, total_ms: 10 },
    { type: 'test_end', test_id: 't/0', dataset: 'qa', score: 1, max_score: 1, reasons: ['ok'] },
    { type: 'test_start', test_id: 't/1', dataset: 'qa', lane: 0 },
    { type: 'test_end', test_id: 't/1', dataset: 'qa', score: 0, max_score: 1, reasons: ['no'] },
    { type: 'run_end', status: 'finished', score: 1, max_score: 2 },
  ];
  writeFileSync(join(dir, 'events.jsonl'), events.map((e, seq) => JSON.stringify({ seq, ts, run_id: name, ...e })).join('\n') + '\n');
  writeFileSync(
    join(dir, 'transcripts.jsonl'),
    [{ turn_id: 0, test_id: 't/0', user: 'say a lot', agent: answer }, { turn_id: 1, test_id: 't/1', user: 'hi', agent: 'short' }].map((l) => JSON.stringify(l)).join('\n') + '\n',
  );
  writeFileSync(join(dir, 'turn_metrics.jsonl'), JSON.stringify({ test_id: 't/0', turn_id: 0, is_question: true, total_ms: 10, tokens_in: 3, tokens_out: 9 }) + '\n');
  writeFileSync(join(dir, 'report.html'), `<p>report of ${name}</p>`);
  return dir;
}

describe('a JSON line cut at the bound', () => {
  it('keeps what it can: the string cut inside ends with the marker, a cut key or number is dropped back to the last value', () => {
    expect(closeJsonPrefix('{"a":1,"b":"hel', '…cut')).toEqual({ a: 1, b: 'hel…cut' });
    expect(closeJsonPrefix('{"a":[1,2,{"c":"x"},"lo')).toEqual({ a: [1, 2, { c: 'x' }, 'lo'] });
    expect(closeJsonPrefix('{"a":1,"lon')).toEqual({ a: 1 });
    expect(closeJsonPrefix('{"a":1,"b":12')).toEqual({ a: 1 });
    expect(closeJsonPrefix('{"a":"x\\u00')).toEqual({ a: 'x' }); // a cut escape is dropped whole
    expect(closeJsonPrefix('{"a":"q\\"')).toEqual({ a: 'q"' });
    expect(closeJsonPrefix('not json')).toBeUndefined();
    expect(parseLine({ text: 'garbage', bytes: 3 * MAX_LINE_BYTES, truncated: true })).toEqual({ truncated_line: { bytes: 3 * MAX_LINE_BYTES, kept: 7 } });
  });

  it('JsonlTail reads a 5 MiB line as its first MiB, marked, and the next line whole, however the file is sliced', async () => {
    const file = join(tempDir(), 'events.jsonl');
    const line = JSON.stringify({ type: 'token', delta: HUGE });
    writeFileSync(file, `{"a":1}\n${line}\n{"a":2}\n`);
    for (const slice of [Infinity, 300_000]) {
      const tail = new JsonlTail(file);
      const got: Json[] = [];
      while (got.length < 3) got.push(...(await tail.readNew(slice)));
      expect(got[0]).toEqual({ a: 1 });
      expect(got[2]).toEqual({ a: 2 });
      expect(got[1]!['type']).toBe('token');
      expect(got[1]!['truncated_line']).toEqual({ bytes: Buffer.byteLength(line), kept: MAX_LINE_BYTES });
      const delta = got[1]!['delta'] as string;
      expect(delta).toMatch(MARKER);
      expect(delta.length).toBeLessThan(MAX_LINE_BYTES + 100); // the kept bytes and the marker
      expect(tail.truncatedLines).toBe(1);
    }
  });

  it('JsonlLineIndex finds a long line by its key and reads back only its first MiB', async () => {
    const dir = tempDir();
    const file = join(dir, 'transcripts.jsonl');
    writeFileSync(file, [{ turn_id: 0, test_id: 'a', agent: HUGE }, { turn_id: 1, test_id: 'b', agent: 'fine' }].map((l) => JSON.stringify(l)).join('\n') + '\n');
    const index = new JsonlLineIndex(file, 'test_id');
    const [a] = await index.find('a');
    expect(a!['agent']).toMatch(MARKER);
    expect(a!['test_id']).toBe('a');
    expect(await index.find('b')).toEqual([{ turn_id: 1, test_id: 'b', agent: 'fine' }]);
  });
});

describe('the monitor server on a run with 5 MiB lines', () => {
  let monitor: MonitorServer;
  beforeAll(async () => {
    const root = tempDir('referee-bounded-');
    writeRun(root, 'big', HUGE);
    monitor = await startMonitor({ runsDir: root, port: 0, pollMs: 50, discoverMs: 100 });
    await waitFor(() => monitor.hub.models().some((m) => m.ended_at), 'run read');
  });
  afterAll(async () => {
    await monitor?.close();
  });

  it('answers a sample with the answer cut and marked, the answer bounded', async () => {
    const r = await fetch(new URL('/api/view/sample?run=big&test=t/0', monitor.url));
    const text = await r.text();
    expect(r.status).toBe(200);
    expect(text.length).toBeLessThan(1.5 * MAX_LINE_BYTES);
    const body = JSON.parse(text) as { turns: Json[] };
    expect(body.turns[0]!['agent']).toMatch(MARKER);
    expect(body.turns[0]!['truncated_line']).toEqual({ bytes: expect.any(Number), kept: MAX_LINE_BYTES });
    expect(body.turns[0]!['user']).toBe('say a lot');
  });

  it('folds the cut event, says so in the run\'s notices, and keeps counting after it', async () => {
    const snapshot = (await getOk(monitor.url, '/api/benchmark/snapshot')) as { detail: Record<string, Json> };
    const run = snapshot.detail['big']!;
    expect(run['tests_done']).toBe(2);
    expect(run['status']).toBe('finished');
    const notices = (run['notices'] ?? []) as { type: string; message: string }[];
    expect(notices).toContainEqual(expect.objectContaining({ type: 'line_truncated', message: 'events.jsonl: a token line of 5.0 MiB was read from its first 1.0 MiB only' }));
  });

  it('exports CSV with the cut answer, not the whole one', async () => {
    const r = await fetch(new URL('/api/view/export?run=big&format=csv', monitor.url));
    const csv = await r.text();
    expect(csv.length).toBeLessThan(1.5 * MAX_LINE_BYTES);
    expect(csv).toContain('line cut by the monitor: 5.0 MiB');
  });
});

describe('symlinks out of the runs directory', () => {
  let monitor: MonitorServer;
  beforeAll(async () => {
    const outside = tempDir('referee-outside-');
    const root = tempDir('referee-links-');
    const away = writeRun(outside, 'away', 'OUTSIDE-ANSWER');
    writeFileSync(join(outside, 'secret.html'), 'OUTSIDE-REPORT');
    // A whole run directory linked in from outside.
    symlinkSync(away, join(root, 'linked-run'));
    // A real run whose transcript and report are links out; another whose run.json is.
    const r1 = writeRun(root, 'r1', 'inside answer');
    for (const f of ['transcripts.jsonl', 'report.html']) {
      const target = f === 'report.html' ? join(outside, 'secret.html') : join(away, f);
      writeFileSync(join(r1, f), '');
      symlinkSync(target, join(r1, `${f}.link`));
    }
    const r2 = join(root, 'r2');
    mkdirSync(r2);
    symlinkSync(join(away, 'run.json'), join(r2, 'run.json'));
    symlinkSync(join(away, 'events.jsonl'), join(r2, 'events.jsonl'));
    // A link that stays inside the runs directory is followed.
    const r3 = writeRun(root, 'r3', 'r3 answer');
    mkdirSync(join(root, 'shared'));
    writeFileSync(join(root, 'shared', 'transcripts.jsonl'), JSON.stringify({ turn_id: 0, test_id: 't/0', user: 'u', agent: 'SHARED-ANSWER' }) + '\n');
    monitor = await startMonitor({ runsDir: root, port: 0, pollMs: 50, discoverMs: 100 });
    // Swap r1's files for their links only now: the links are what the monitor opens.
    const { renameSync, unlinkSync } = await import('node:fs');
    for (const f of ['transcripts.jsonl', 'report.html']) {
      unlinkSync(join(r1, f));
      renameSync(join(r1, `${f}.link`), join(r1, f));
    }
    unlinkSync(join(r3, 'transcripts.jsonl'));
    symlinkSync(join(root, 'shared', 'transcripts.jsonl'), join(r3, 'transcripts.jsonl'));
    await waitFor(() => monitor.hub.models().filter((m) => m.ended_at).length === 2, 'runs read');
  });
  afterAll(async () => {
    await monitor?.close();
  });

  it('lists neither a linked run directory nor a run whose run.json is a link out', async () => {
    const runs = (await getOk(monitor.url, '/api/view/runs')) as { runs: Json[] };
    expect(runs.runs.map((r) => r['run_id']).sort()).toEqual(['r1', 'r3']);
  });

  it('serves no transcript or report reached through a link out, and follows one that stays inside', async () => {
    const sample = await getOk(monitor.url, '/api/view/sample?run=r1&test=t/0');
    expect(sample['turns']).toEqual([]);
    expect(JSON.stringify(sample)).not.toContain('OUTSIDE');
    const report = await getJson(new URL('/api/view/report?run=r1', monitor.url).toString());
    expect(report.status).toBe(404);
    const csv = await (await fetch(new URL('/api/view/export?run=r1&format=csv', monitor.url))).text();
    expect(csv).not.toContain('OUTSIDE');
    const inside = await getOk(monitor.url, '/api/view/sample?run=r3&test=t/0');
    expect((inside['turns'] as Json[])[0]!['agent']).toBe('SHARED-ANSWER');
  });
});
