// issue 14: 300 SSE clients that stop reading while a real `referee run` writes
// events. The monitor runs as its own process (`referee monitor`), so its RSS is
// read from /proc; a separate client polls /api/benchmark/status every 50 ms.
// Goal: RSS grows by at most 100 MB, /status answers within 100 ms at p99.
// Not a test: it prints figures. BENCH_STALLED, BENCH_EXAMPLES tune it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const STALLED = Number(process.env.BENCH_STALLED ?? 300);
const EXAMPLES = Number(process.env.BENCH_EXAMPLES ?? 6);

const dir = mkdtempSync(join(tmpdir(), 'referee-stall-bench-'));
const agent = join(dir, 'agent.yaml');
writeFileSync(agent, 'name: stall-agent\nkind: chat\nllm: { provider: sim, model: sim-1, max_tokens: 128 }\ncontext_size: 4096\n');
const dataset = join(dir, 'dataset.yaml');
writeFileSync(
  dataset,
  `config:\n  run_name: stall\ndatasets:\n  args:\n    memory_span: 2000\n    dataset_examples: ${EXAMPLES}\n    seed: 1\n  datasets:\n    - name: colours\n      args: { colour_changes: 6 }\n    - name: name_list\n      args: { name_changes: 6 }\n    - name: shopping\n      args: { item_changes: 6 }\n`,
);

const monitor = spawn(process.execPath, [CLI, 'monitor', '--runs-dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
monitor.stdout.on('data', (d) => (out += d));
while (!/:(\d+)\//.test(out)) await new Promise((r) => setTimeout(r, 50));
const port = Number(/:(\d+)\//.exec(out)[1]);
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${monitor.pid}/status`, 'utf8'))[1]) / 1024;
const rssBefore = rssMb();

// Stalled readers: send the request, read the status line, never read again.
const sockets = [];
const statuses = {};
for (let i = 0; i < STALLED; i++) {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => {});
  await new Promise((r) => s.once('connect', r));
  s.write(`GET /api/benchmark/telemetry/stream?interval=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);
  const first = await new Promise((r) => s.once('data', (d) => r(d.toString('latin1'))));
  const code = first.split(' ')[1];
  statuses[code] = (statuses[code] ?? 0) + 1;
  s.pause();
  sockets.push(s);
}

const latencies = [];
let peak = rssBefore;
let polling = true;
const poll = (async () => {
  while (polling) {
    const t = performance.now();
    try {
      await (await fetch(`http://127.0.0.1:${port}/api/benchmark/status`)).text();
      latencies.push(performance.now() - t);
    } catch {
      latencies.push(Infinity);
    }
    peak = Math.max(peak, rssMb());
    await new Promise((r) => setTimeout(r, 50));
  }
})();

const started = Date.now();
const run = spawn(process.execPath, [CLI, 'run', '--agent-config', agent, '--dataset-config', dataset, '--output-dir', dir, '--run-id', 'stall', '--quiet'], { stdio: 'ignore' });
await new Promise((r) => run.on('close', r));
await new Promise((r) => setTimeout(r, 2000));
polling = false;
await poll;
const turns = readFileSync(join(dir, 'stall', 'turn_metrics.jsonl'), 'utf8').trim().split('\n').length;
const eventsMb = readFileSync(join(dir, 'stall', 'events.jsonl')).length / 1048576;
const held = sockets.filter((s) => !s.destroyed && !s.readableEnded).length;

function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
console.log(`monitor stall bench: ${STALLED} stalled SSE clients (answers ${JSON.stringify(statuses)}), a ${turns}-turn run (${eventsMb.toFixed(1)} MB of events) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`  monitor RSS MB: before ${rssBefore.toFixed(0)}  peak ${peak.toFixed(0)}  growth ${(peak - rssBefore).toFixed(0)} (goal <= 100)`);
console.log(`  /api/benchmark/status ms over ${latencies.length} polls: p50 ${pct(latencies, 50).toFixed(1)}  p99 ${pct(latencies, 99).toFixed(1)}  max ${Math.max(...latencies).toFixed(1)} (goal p99 <= 100)`);
console.log(`  stalled connections still open at the end: ${held}`);

for (const s of sockets) s.destroy();
monitor.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
