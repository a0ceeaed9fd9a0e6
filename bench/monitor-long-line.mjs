// The monitor's bounded reads: a run whose events.jsonl and transcripts.jsonl each hold one
// 200 MB line (an agent that streamed 200 MB into one answer). Measures, in a fresh process
// per case, how long the monitor takes to read the run and answer the sample, the answer's
// size, and the process's peak RSS (VmHWM) against the same process before it read anything.
// Not a test: it prints figures. `node bench/monitor-long-line.mjs` after `npm run build`.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MB = Number(process.env.BENCH_LINE_MB ?? 200);

if (process.argv[2] === 'child') {
  const { startMonitor } = await import(join(ROOT, 'dist/monitor/server.js'));
  const hwm = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
  const rss = () => process.memoryUsage().rss / 2 ** 20;
  // A monitor over an empty runs directory first: module loading and the server's own start are not the read.
  const empty = mkdtempSync(join(tmpdir(), 'referee-empty-'));
  const tEmpty = performance.now();
  await (await startMonitor({ runsDir: empty, port: 0 })).close();
  const emptyMs = performance.now() - tEmpty;
  const before = { rss: rss(), hwm: hwm() };
  const t0 = performance.now();
  const monitor = await startMonitor({ runsDir: process.argv[3], port: 0 });
  const model = monitor.hub.find('long');
  const readMs = performance.now() - t0;
  const afterRead = hwm();
  const t1 = performance.now();
  const r = await fetch(new URL('/api/view/sample?run=long&test=t/0', monitor.url));
  const text = await r.text();
  const sampleMs = performance.now() - t1;
  const t2 = performance.now();
  const csv = await (await fetch(new URL('/api/view/export?run=long&format=csv', monitor.url))).text();
  const exportMs = performance.now() - t2;
  await monitor.close();
  const agent = JSON.parse(text).turns[0]?.agent ?? '';
  process.stdout.write(
    JSON.stringify({
      tests_done: model?.tests_done,
      notices: model?.notices.toArray().map((n) => n.message),
      read_ms: Math.round(readMs),
      empty_start_ms: Math.round(emptyMs),
      sample_ms: Math.round(sampleMs),
      sample_bytes: text.length,
      sample_marker: agent.slice(-70),
      export_ms: Math.round(exportMs),
      export_bytes: csv.length,
      rss_before_mib: Math.round(before.rss),
      peak_rss_mib: Math.round(hwm()),
      peak_rss_growth_mib: Math.round(hwm() - before.hwm),
      read_peak_rss_growth_mib: Math.round(afterRead - before.hwm),
    }) + '\n',
  );
  process.exit(0);
}

/** Writes a JSONL line `{...head, field: "x" * bytes}` without holding it in memory. */
function writeLongLine(fd, head, field, bytes) {
  const open = JSON.stringify(head).slice(0, -1) + `,"${field}":"`;
  writeSync(fd, open);
  const chunk = Buffer.alloc(1 << 20, 'x');
  for (let left = bytes; left > 0; left -= chunk.length) writeSync(fd, left >= chunk.length ? chunk : chunk.subarray(0, left));
  writeSync(fd, '"}\n');
}

const root = mkdtempSync(join(tmpdir(), 'referee-long-line-'));
try {
  const dir = join(root, 'long');
  mkdirSync(dir);
  const ts = '2026-03-01T11:00:00.000Z';
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ run_id: 'long', created_at: ts, status: 'finished', agent: { name: 'long-agent' } }));
  let fd = openSync(join(dir, 'events.jsonl'), 'w');
  const ev = (seq, e) => writeSync(fd, JSON.stringify({ seq, ts, run_id: 'long', ...e }) + '\n');
  ev(0, { type: 'run_start', tests_total: 1, turns_total: 1, tests: [{ test_id: 't/0', dataset: 'qa' }] });
  ev(1, { type: 'test_start', test_id: 't/0', dataset: 'qa', lane: 0 });
  ev(2, { type: 'turn_start', test_id: 't/0', turn_id: 0, lane: 0, step: 0, kind: 'test', dataset: 'qa', prompt: 'say a lot' });
  writeLongLine(fd, { seq: 3, ts, type: 'token', run_id: 'long', test_id: 't/0', turn_id: 0 }, 'delta', MB * 1e6);
  ev(4, { type: 'turn_end', test_id: 't/0', turn_id: 0, lane: 0, step: 0, status: 'success', tokens_in: 3, tokens_out: 9, total_ms: 10 });
  ev(5, { type: 'test_end', test_id: 't/0', dataset: 'qa', score: 1, max_score: 1, reasons: ['ok'] });
  ev(6, { type: 'run_end', status: 'finished', score: 1, max_score: 1 });
  closeSync(fd);
  writeFileSync(join(dir, 'turn_metrics.jsonl'), JSON.stringify({ test_id: 't/0', turn_id: 0, is_question: true, total_ms: 10, tokens_in: 3, tokens_out: 9 }) + '\n');
  fd = openSync(join(dir, 'transcripts.jsonl'), 'w');
  writeLongLine(fd, { turn_id: 0, test_id: 't/0', user: 'say a lot' }, 'agent', MB * 1e6);
  closeSync(fd);
  // Warm the page cache the way a run that just wrote its files leaves it, then measure in a fresh process.
  spawnSync('cat', [join(dir, 'events.jsonl'), join(dir, 'transcripts.jsonl')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'child', root], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(child.stderr);
  const r = JSON.parse(child.stdout);
  console.log(`monitor, one ${MB} MB line in events.jsonl and in transcripts.jsonl (Node ${process.version}):`);
  console.log(`  monitor start, empty runs dir:    ${r.empty_start_ms} ms`);
  console.log(`  monitor start, run read whole:    ${r.read_ms} ms, ${r.tests_done} test done; notice: ${r.notices.join(' | ')}`);
  console.log(`  sample answer:                    ${r.sample_ms} ms, ${(r.sample_bytes / 2 ** 20).toFixed(2)} MiB, ends "${r.sample_marker}"`);
  console.log(`  CSV export:                       ${r.export_ms} ms, ${(r.export_bytes / 2 ** 20).toFixed(2)} MiB`);
  console.log(`  RSS: ${r.rss_before_mib} MiB before, peak ${r.peak_rss_mib} MiB (+${r.peak_rss_growth_mib} MiB; +${r.read_peak_rss_growth_mib} MiB by the end of the read, before the sample, the export and this process's own fetch client)`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
