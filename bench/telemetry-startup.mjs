// npm run bench:telemetry: what setting telemetry up through @opentelemetry/sdk-node
// costs (issue 16), side by side with a baseline commit's setup (by default the one
// before sdk-node came back). Each sample is a fresh `node` process that imports the
// setup module and starts telemetry; it reports the time from process start to a
// started provider and the RSS then. Runs alternate between the two setups so that
// machine load falls on both alike. Not a test: it prints figures, it asserts nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    baseline: { type: 'string', default: 'fd3888c~1' },
    runs: { type: 'string', default: '9' },
  },
});

/** Compiles the baseline commit's src/telemetry/setup.ts (and what it imports) under .cache/, beside our node_modules. */
function buildBaseline(commit) {
  const dir = join(root, '.cache', 'bench-telemetry-baseline');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['archive', commit, 'src'], { cwd: root, maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: join(root, 'tsconfig.json'), compilerOptions: { rootDir: 'src', outDir: 'dist', noEmitOnError: false, skipLibCheck: true }, files: ['src/telemetry/setup.ts'], include: [] }),
  );
  spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'tsconfig.json')], { cwd: dir, stdio: 'inherit' });
  return join(dir, 'dist', 'telemetry', 'setup.js');
}

const worker = `
const t0 = performance.now();
const m = await import(process.env.SETUP_URL);
const h = m.startTelemetry({ runDir: process.env.RUN_DIR, runId: 'bench', agentName: 'bench' });
const ms = performance.now();
const rss = process.memoryUsage.rss();
await h.shutdown(2000);
console.log(JSON.stringify({ ms, importStartMs: ms - t0, rssMb: rss / 2 ** 20 }));
`;

function sample(setupFile, env) {
  const runDir = mkdtempSync(join(tmpdir(), 'referee-tel-bench-'));
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', worker], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, SETUP_URL: pathToFileURL(setupFile).href, RUN_DIR: runDir },
    encoding: 'utf8',
  });
  rmSync(runDir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`worker failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const baseline = buildBaseline(values.baseline);
const current = join(root, 'dist', 'telemetry', 'setup.js');
const scenarios = {
  'JSONL only (no OTEL_* set)': {},
  'OTLP/HTTP protobuf export': { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_LOG_LEVEL: 'none' },
};
const runs = Number(values.runs);
console.log(`telemetry start-up, median of ${runs} fresh processes each (baseline ${values.baseline} vs working tree)`);
console.log('scenario                        setup      ms to started   import+start ms   RSS MB');
for (const [name, env] of Object.entries(scenarios)) {
  const got = { baseline: [], 'sdk-node': [] };
  for (let i = 0; i < runs; i++) {
    got.baseline.push(sample(baseline, env));
    got['sdk-node'].push(sample(current, env));
  }
  for (const [setup, xs] of Object.entries(got)) {
    const m = (k) => median(xs.map((x) => x[k])).toFixed(1);
    console.log(`${name.padEnd(31)} ${setup.padEnd(10)} ${m('ms').padStart(13)} ${m('importStartMs').padStart(17)} ${m('rssMb').padStart(8)}`);
  }
}
