// npm run bench (task workloads, issue 8): tasks/s and peak RSS of single-turn
// task runs against a loopback OpenAI-compatible server in a separate process
// (`referee sim`), with full telemetry (spans.jsonl, metrics.jsonl) and every
// run-directory file on. Each run is its own process, so its peak RSS is its own.
// Not a test: it prints figures against the issue's goals, it asserts nothing.
//   node bench/task-bench.mjs [--workload a|b|all] [--repeat N] [--cpu-prof DIR]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist/cli/main.js');

export const WORKLOADS = {
  a: { name: 'A: 2000 tasks, concurrency 32, 0 ms latency', tasks: 2000, concurrency: 32, latencyMs: 0, goal: { tasksPerS: 1000, rssMb: 150 } },
  b: { name: 'B: 500 tasks, concurrency 8, 50 ms latency', tasks: 500, concurrency: 8, latencyMs: 50, goal: { tasksPerS: 150 } },
};

/** The identical task list both tools run: sums the sim answers, checked with `contains`. */
export function writeTaskList(dir, n) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    const a = (i * 7919) % 1000;
    const b = (i * 104729) % 1000;
    lines.push(JSON.stringify({ id: `t${i}`, prompt: `What is ${a} + ${b}?`, expected: String(a + b), evaluator: 'contains' }));
  }
  const file = join(dir, `tasks-${n}.jsonl`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Starts `referee sim` as its own process; resolves with its base URL and a stop function. */
export function startSim(latencyMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'sim', '--port', '0', '--latency-ms', String(latencyMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const line = buf.split('\n')[0];
      if (buf.includes('\n')) resolve({ url: line.trim(), stop: () => new Promise((r) => (child.kill('SIGTERM'), child.once('exit', r))) });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sim exited with ${code}`)));
  });
}

/** Runs a command, resolving with its stdout and exit code. */
export function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** One Referee task run in its own process (bench/task-worker.mjs); returns its JSON line. */
export async function runReferee({ url, tasksFile, concurrency, cpuProfDir }) {
  const args = [...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []), join(ROOT, 'bench/task-worker.mjs'), '--url', url, '--tasks', tasksFile, '--concurrency', String(concurrency)];
  const r = await run(process.execPath, args);
  if (r.code !== 0) throw new Error(`task worker failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main() {
  const { values } = parseArgs({ options: { workload: { type: 'string', default: 'all' }, repeat: { type: 'string', default: '3' }, 'cpu-prof': { type: 'string' } } });
  const picked = values.workload === 'all' ? Object.keys(WORKLOADS) : values.workload.split(',');
  const repeat = Number(values.repeat);
  const dir = mkdtempSync(join(tmpdir(), 'referee-task-bench-'));
  try {
    for (const key of picked) {
      const w = WORKLOADS[key];
      const tasksFile = writeTaskList(dir, w.tasks);
      const sim = await startSim(w.latencyMs);
      const runs = [];
      try {
        for (let i = 0; i < repeat; i++) runs.push(await runReferee({ url: sim.url, tasksFile, concurrency: w.concurrency, cpuProfDir: values['cpu-prof'] }));
      } finally {
        await sim.stop();
      }
      const tps = median(runs.map((r) => r.tasksPerS));
      const rss = median(runs.map((r) => r.peakRssMb));
      const limit = (w.concurrency * 1000) / Math.max(1, w.latencyMs);
      console.log(`${w.name}`);
      console.log(`  runs: ${runs.map((r) => `${r.tasksPerS.toFixed(0)} tasks/s ${r.peakRssMb.toFixed(0)} MB ${r.cpuMsPerTask.toFixed(2)} CPU-ms/task (${r.passed}/${r.tasks} passed)`).join(' | ')}`);
      const goal = [`goal >= ${w.goal.tasksPerS} tasks/s`, w.goal.rssMb ? `<= ${w.goal.rssMb} MB` : null].filter(Boolean).join(', ');
      const ofLimit = w.latencyMs > 0 ? ` = ${((tps / limit) * 100).toFixed(1)}% of the ${limit.toFixed(0)} tasks/s limit` : '';
      const cpuMs = median(runs.map((r) => r.cpuMsPerTask));
      const callMs = median(runs.map((r) => r.callMedianMs));
      console.log(`  median: ${tps.toFixed(0)} tasks/s${ofLimit}, peak RSS ${rss.toFixed(0)} MB (${goal}); runner CPU ${cpuMs.toFixed(2)} ms/task = ${(1000 / cpuMs).toFixed(0)} tasks/s per core; LLM call ${callMs.toFixed(1)} ms (median, as the runner timed it)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
