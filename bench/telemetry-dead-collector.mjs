// What an unreachable collector adds to a run's exit: the default `referee run` (the offline sim,
// ~50 turns) with no export, then exporting to a port nobody listens on; the time from the run's
// ending line to the process's exit, median of fresh processes each. Not a test: it prints figures. `node bench/telemetry-dead-collector.mjs` after `npm run build`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const N = Number(process.env.BENCH_RUNS ?? 5);

/** Wall time of a run, and the time from its ending line on stdout (the run is over) to the process's exit. */
function timed(env) {
  const out = mkdtempSync(join(tmpdir(), 'referee-dead-'));
  const t = performance.now();
  const child = spawn(process.execPath, [CLI, 'run', '--output-dir', out, '--run-id', 'r'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let ended;
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', (d) => {
    stderr += d;
    // The last line of the run's ending: the run is over, what follows is telemetry's shutdown.
    if (stderr.includes('[referee] browse:')) ended ??= performance.now();
  });
  return new Promise((resolve, reject) =>
    child.on('close', (code) => {
      const exit = performance.now();
      rmSync(out, { recursive: true, force: true });
      if (code !== 0 || ended === undefined) reject(new Error(`run failed (${code}): ${stderr}`));
      else resolve({ wall: exit - t, exitLag: exit - ended });
    }),
  );
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cases = [
  ['no export', {}],
  ['dead collector (http/protobuf, 127.0.0.1:9)', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }],
  ['dead collector (grpc, 127.0.0.1:9)', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }],
];
const results = [];
for (const [name, env] of cases) {
  const xs = [];
  for (let i = 0; i < N; i++) xs.push(await timed(env));
  results.push([name, xs]);
}
const base = median(results[0][1].map((x) => x.exitLag));
console.log(`referee run: from its ending line to the process's exit, median of ${N} (Node ${process.version}):`);
for (const [name, xs] of results) {
  const lag = median(xs.map((x) => x.exitLag));
  console.log(`  ${name.padEnd(46)} ${Math.round(lag)} ms (+${Math.round(lag - base)} ms)  [${xs.map((x) => Math.round(x.exitLag)).join(', ')}]; whole run ${Math.round(median(xs.map((x) => x.wall)))} ms`);
}
