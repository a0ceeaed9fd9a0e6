// `referee view` (issue 17): how soon the viewer answers over a runs directory of
// 1,000 runs, the same beside one 100,000-turn run, and how that run's sample list
// is served a page at a time. Not a test: it prints figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBigRun } from './fixtures/big-run.mjs';
import { writeSmallRun } from './fixtures/small-runs.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { startMonitor } = await import(join(ROOT, 'dist/monitor/server.js'));
const { READY_WITHIN_MS } = await import(join(ROOT, 'dist/monitor/server.js'));
const RUNS = Number(process.env.BENCH_RUNS ?? 1000);
const BIG_TESTS = Number(process.env.BENCH_BIG_TESTS ?? 10_000);
const TURNS_PER_TEST = 10;

const get = async (monitor, path) => {
  const t = performance.now();
  const r = await fetch(new URL(path, monitor.url));
  const text = await r.text();
  return { ms: performance.now() - t, text, body: r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null };
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the viewer's server as `referee view` does; times its first full list and until every run is read. */
async function open(dir, expected, readyWithinMs) {
  const started = performance.now();
  const monitor = await startMonitor({ runsDir: dir, port: 0, ...(readyWithinMs === undefined ? {} : { readyWithinMs }) });
  let first;
  while (!first) {
    const r = await get(monitor, '/api/view/runs?limit=1000');
    if (r.body.total >= expected) first = { at: performance.now() - started, ms: r.ms };
    else await sleep(20);
  }
  let slowest = 0;
  let loadedAt = 0;
  for (;;) {
    const r = await get(monitor, '/api/view/runs?limit=1000');
    slowest = Math.max(slowest, r.ms);
    if (!r.body.runs.some((x) => x.loading)) {
      loadedAt = performance.now() - started;
      break;
    }
    await sleep(100);
  }
  return { monitor, first, slowest, loadedAt };
}

const dir = mkdtempSync(join(tmpdir(), 'referee-view-bench-'));
for (let i = 0; i < RUNS; i++) writeSmallRun(dir, `run-${String(i).padStart(4, '0')}`);

const small = await open(dir, RUNS, READY_WITHIN_MS);
await small.monitor.close();
console.log(`view: ${RUNS} runs: first list answered ${small.first.at.toFixed(0)} ms after start (request ${small.first.ms.toFixed(0)} ms), every run read at ${small.loadedAt.toFixed(0)} ms`);

const big = writeBigRun(dir, { runId: 'big', tests: BIG_TESTS, turnsPerTest: TURNS_PER_TEST });
const withBig = await open(dir, RUNS + 1, READY_WITHIN_MS);
console.log(
  `view: ${RUNS} runs + one ${big.turns}-turn run: first list answered ${withBig.first.at.toFixed(0)} ms after start; ` +
    `list requests while it loads took at most ${withBig.slowest.toFixed(0)} ms; the big run fully read at ${withBig.loadedAt.toFixed(0)} ms`,
);
const times = [];
let bytes = 0;
for (const offset of [0, Math.floor(BIG_TESTS / 2), BIG_TESTS - 50]) {
  const r = await get(withBig.monitor, `/api/view/samples?run=big&offset=${offset}&limit=50`);
  times.push(r.ms);
  bytes = Math.max(bytes, r.text.length);
}
const lastTest = `d${(BIG_TESTS - 1) % 5}/${BIG_TESTS - 1}`;
const sample = await get(withBig.monitor, `/api/view/sample?run=big&test=${encodeURIComponent(lastTest)}`);
const again = await get(withBig.monitor, `/api/view/sample?run=big&test=${encodeURIComponent(lastTest)}`);
await withBig.monitor.close();
console.log(`view: ${big.turns}-turn run, a 50-sample page (first / middle / last): ${times.map((t) => t.toFixed(1)).join(' / ')} ms, at most ${bytes} bytes`);
console.log(`view: its last sample opened (${sample.body.turns.length} messages) in ${sample.ms.toFixed(0)} ms, again in ${again.ms.toFixed(0)} ms`);

// For comparison: what start-up cost when the monitor read every run before serving (before issue 17's fix).
const eager = await open(dir, RUNS + 1, undefined);
await eager.monitor.close();
console.log(`view: the same, read whole before serving: first list answered ${eager.first.at.toFixed(0)} ms after start`);
rmSync(dir, { recursive: true, force: true });
console.log(`view: rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
