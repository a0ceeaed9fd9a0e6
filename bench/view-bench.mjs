// `referee view` (issue 17): how soon the viewer lists a runs directory of 1,000
// runs, and how a 100,000-turn run's sample list is served a page at a time.
// Not a test: it prints figures.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { startMonitor } = await import(join(ROOT, 'dist/monitor/server.js'));
const RUNS = Number(process.env.BENCH_RUNS ?? 1000);
const BIG_TESTS = Number(process.env.BENCH_BIG_TESTS ?? 10_000);
const TURNS_PER_TEST = 10;

const dir = mkdtempSync(join(tmpdir(), 'referee-view-bench-'));
const t0 = Date.parse('2026-03-01T10:00:00Z');
const iso = (ms) => new Date(t0 + ms).toISOString();

function writeRun(id, tests, turnsPerTest) {
  const d = join(dir, id);
  mkdirSync(d);
  writeFileSync(join(d, 'run.json'), JSON.stringify({ run_id: id, created_at: iso(0), status: 'finished', agent: { name: `agent-${id.length % 3}` } }));
  const lines = [];
  let seq = 0;
  let t = 0;
  const ev = (type, data) => lines.push(JSON.stringify({ seq: seq++, ts: iso(t++), type, run_id: id, ...data }));
  ev('run_start', { tests_total: tests, turns_total: tests * turnsPerTest, tests: Array.from({ length: tests }, (_, i) => ({ test_id: `t/${i}`, dataset: `d${i % 5}` })) });
  for (let i = 0; i < tests; i++) {
    ev('test_start', { test_id: `t/${i}`, dataset: `d${i % 5}`, lane: 0 });
    for (let k = 0; k < turnsPerTest; k++) {
      const step = i * turnsPerTest + k;
      ev('turn_start', { test_id: `t/${i}`, turn_id: step, lane: 0, step, kind: 'test', dataset: `d${i % 5}`, prompt: 'p' });
      ev('turn_end', { test_id: `t/${i}`, turn_id: step, lane: 0, step, status: 'success', is_question: k === turnsPerTest - 1, tokens_in: 20, tokens_out: 8, llm_ms: 40, total_ms: 45, ttft_ms: 10, cost_usd: 0, response: 'r' });
    }
    ev('test_end', { test_id: `t/${i}`, dataset: `d${i % 5}`, score: i % 2, max_score: 1, reasons: [] });
  }
  ev('run_end', { status: 'finished' });
  writeFileSync(join(d, 'events.jsonl'), lines.join('\n') + '\n');
}

for (let i = 0; i < RUNS; i++) writeRun(`run-${String(i).padStart(4, '0')}`, 5, 2);
writeRun('big', BIG_TESTS, TURNS_PER_TEST);

const started = performance.now();
const monitor = await startMonitor({ runsDir: dir, port: 0 });
const listed = async () => (await (await fetch(new URL('/api/view/runs?limit=1000', monitor.url))).json()).total;
while ((await listed()) < RUNS + 1) await new Promise((r) => setTimeout(r, 20));
const openMs = performance.now() - started;
const page = await fetch(new URL('/view', monitor.url));
const pageMs = performance.now() - started;
await page.text();

while (!(await (await fetch(new URL('/api/view/runs?q=big', monitor.url))).json()).runs.some((r) => r.status === 'finished')) await new Promise((r) => setTimeout(r, 50));
const bigReadyMs = performance.now() - started;
const times = [];
let bytes = 0;
for (const offset of [0, 5000, BIG_TESTS - 100]) {
  const t = performance.now();
  const body = await (await fetch(new URL(`/api/view/samples?run=big&offset=${offset}&limit=100`, monitor.url))).text();
  times.push(performance.now() - t);
  bytes = Math.max(bytes, body.length);
}
await monitor.close();
rmSync(dir, { recursive: true, force: true });
console.log(`view: ${RUNS + 1} runs listed ${openMs.toFixed(0)} ms after start (page served at ${pageMs.toFixed(0)} ms)`);
console.log(`view: ${BIG_TESTS * TURNS_PER_TEST}-turn run read in ${bigReadyMs.toFixed(0)} ms; a 100-sample page: ${times.map((t) => t.toFixed(1)).join(' / ')} ms, at most ${bytes} bytes`);
console.log(`view: rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
