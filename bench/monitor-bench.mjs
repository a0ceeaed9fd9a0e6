// Event-to-browser latency of the live monitor: a real `referee run` in a child
// process writes events.jsonl; the monitor tails it; 20 SSE clients (plain HTTP,
// what EventSource does) and, when Chromium is installed, one real page receive
// every event. Latency = receipt time - the event's `ts` (stamped as the line
// is written). Not a test: it prints figures.
/* global window, EventSource */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { startMonitor, READY_WITHIN_MS } = await import(join(ROOT, 'dist/monitor/server.js'));
const { writeBigRun } = await import(join(ROOT, 'bench/fixtures/big-run.mjs'));
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);

const dir = mkdtempSync(join(tmpdir(), 'referee-monitor-bench-'));
const agent = join(dir, 'agent.yaml');
writeFileSync(
  agent,
  'name: bench-agent\nkind: memory\nllm: { provider: sim, model: sim-1, max_tokens: 128 }\ncontext_size: 512\nmemory: { top_k: 16, recent_tokens: 128 }\nsim: { ttft_ms: 20, tokens_per_s: 200 }\n',
);

const monitor = await startMonitor({ runsDir: dir, port: 0 });
const url = new URL('/api/benchmark-sse?interval=0', monitor.url).toString();

const latencies = [];
let runEnds = 0;
function client() {
  return new Promise((resolve) => {
    const req = request(url, { headers: { Accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk) => {
        const now = Date.now();
        buf += chunk;
        let end;
        while ((end = buf.indexOf('\n\n')) !== -1) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          if (!block.includes('event: run\n')) continue;
          const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          const ev = JSON.parse(data);
          latencies.push(now - Date.parse(ev.ts));
          if (process.env.BENCH_DEBUG && now - Date.parse(ev.ts) > 50) console.error(ev.seq, ev.type, now - Date.parse(ev.ts));
          if (ev.type === 'run_end') runEnds++;
        }
      });
      resolve(req);
    });
    req.end();
  });
}
const reqs = await Promise.all(Array.from({ length: CLIENTS }, client));

let browser;
let page;
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(chromiumPath)) {
  try {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage();
    await page.goto(monitor.url);
    await page.evaluate(() => {
      window.__lat = [];
      const es = new EventSource('api/benchmark-sse?interval=0');
      es.addEventListener('run', (e) => window.__lat.push(Date.now() - Date.parse(JSON.parse(e.data).ts)));
    });
  } catch (err) {
    console.error(`(no Chromium client: ${err.message})`);
  }
}

const started = Date.now();
const child = spawn(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'run', '--agent-config', agent, '--output-dir', dir, '--quiet'], { stdio: 'ignore' });
await new Promise((r) => child.on('close', r));
const deadline = Date.now() + 10_000;
while (runEnds < CLIENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
const browserLat = page ? await page.evaluate(() => window.__lat) : [];

function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const rss = process.memoryUsage().rss / 1024 / 1024;
console.log(`monitor bench: ${CLIENTS} SSE clients, ${latencies.length / CLIENTS} events each, run took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`  node clients  event-to-client latency ms: p50 ${pct(latencies, 50)}  p95 ${pct(latencies, 95)}  p99 ${pct(latencies, 99)}  max ${Math.max(...latencies)}`);
if (browserLat.length) {
  console.log(`  chromium page event-to-browser latency ms: p50 ${pct(browserLat, 50)}  p95 ${pct(browserLat, 95)}  p99 ${pct(browserLat, 99)}  max ${Math.max(...browserLat)} (${browserLat.length} events)`);
}
console.log(`  monitor process RSS ${rss.toFixed(0)} MB`);

for (const r of reqs) r.destroy();
await browser?.close();
await monitor.close();
rmSync(dir, { recursive: true, force: true });

// issue 17: the monitor beside a 100,000-turn run, started as `referee monitor` and
// `run --monitor` start it (READY_WITHIN_MS) and, for comparison, reading every run first.
const bigDir = mkdtempSync(join(tmpdir(), 'referee-monitor-big-'));
const big = writeBigRun(bigDir, { runId: 'big', tests: Number(process.env.BENCH_BIG_TESTS ?? 10_000), turnsPerTest: 10 });
async function startBeside(readyWithinMs) {
  const t0 = performance.now();
  const m = await startMonitor({ runsDir: bigDir, port: 0, ...(readyWithinMs === undefined ? {} : { readyWithinMs }) });
  const snap = await (await fetch(new URL('/api/benchmark/snapshot', m.url))).json();
  const first = performance.now() - t0;
  const loadingAtFirst = Object.values(snap.detail).some((d) => d.loading);
  let slowest = 0;
  for (;;) {
    const t = performance.now();
    const r = await (await fetch(new URL('/api/benchmark/runs', m.url))).json();
    slowest = Math.max(slowest, performance.now() - t);
    if (!r.runs.some((x) => x.loading)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const whole = performance.now() - t0;
  await m.close();
  return { first, loadingAtFirst, slowest, whole };
}
const fast = await startBeside(READY_WITHIN_MS);
const eager = await startBeside(undefined);
console.log(
  `monitor beside one ${big.turns}-turn run: first snapshot ${fast.first.toFixed(0)} ms after start (run flagged loading: ${fast.loadingAtFirst}); ` +
    `requests while it loads at most ${fast.slowest.toFixed(0)} ms; read whole at ${fast.whole.toFixed(0)} ms`,
);
console.log(`monitor beside the same run, reading it whole before serving: first snapshot ${eager.first.toFixed(0)} ms after start`);
rmSync(bigDir, { recursive: true, force: true });
