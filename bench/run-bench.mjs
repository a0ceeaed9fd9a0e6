// npm run bench: turns per second and peak RSS of LTM runs on a zero-latency
// sim model, with full telemetry (spans.jsonl, metrics.jsonl and every
// run-directory file) on. Issue 13: by default the chat and the memory agent at
// about 5k, 20k and 80k turns, each size in a process of its own, so the table
// shows whether the cost per turn stays flat as a run gets longer (goal: 80k
// within 15% of 5k in turns/s, peak RSS under 300 MB). `--turns N --agent A`
// runs one size in this process. Each size's process applies the CLI's V8 heap
// growth bound (src/heap-growth.ts), so the figures are what `referee run` gets;
// REFEREE_HEAP_GROWING_PERCENT=0 shows V8's own heuristic instead.
// Not a test: it prints figures, it asserts nothing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  AgentConfigSchema,
  boundHeapGrowth,
  DatasetConfigSchema,
  MetricsReporter,
  runBenchmark,
  startTelemetry,
} from '../dist/index.js';

const { values } = parseArgs({
  options: {
    turns: { type: 'string' },
    sizes: { type: 'string', default: '5000,20000,80000' },
    agents: { type: 'string', default: 'chat,memory' },
    // Each size's process gets --max-old-space-size=N: shows how much of peak RSS is V8 deferring collection.
    'heap-mb': { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    agent: { type: 'string', default: 'memory' },
    keep: { type: 'boolean', default: false },
  },
});
if (values.turns === undefined) {
  const rows = [];
  for (const agent of values.agents.split(',')) {
    for (const size of values.sizes.split(',')) {
      const heap = values['heap-mb'] !== undefined ? [`--max-old-space-size=${values['heap-mb']}`] : [];
      const args = [...heap, process.argv[1], '--turns', size, '--agent', agent, '--concurrency', values.concurrency];
      const text = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      process.stdout.write(text);
      const num = (re) => Number(text.match(re)?.[1]);
      rows.push({ agent, turns: num(/turns=(\d+)/), rate: num(/turns\/s=(\d+)/), cpuRate: num(/turns\/cpu-s=(\d+)/), rss: num(/peak RSS=(\d+)/) });
    }
  }
  console.log('\n| agent | turns | turns/s | turns per CPU second | vs smallest (CPU) | peak RSS |\n|---|---|---|---|---|---|');
  for (const r of rows) {
    const first = rows.find((x) => x.agent === r.agent);
    console.log(`| ${r.agent} | ${r.turns} | ${r.rate} | ${r.cpuRate} | ${((r.cpuRate / first.cpuRate) * 100).toFixed(0)}% | ${r.rss} MB |`);
  }
  process.exit(0);
}
const heapGrowingPercent = boundHeapGrowth();
const targetTurns = Number(values.turns);
const concurrency = Number(values.concurrency);

// About 660 tokens of lane traffic per turn since GoodAI's pre-filled filler (issue 12: one large filler message per gap; 185 before), measured: examples x span sized to land near the target.
const span = 4000;
const examples = Math.max(1, Math.round((targetTurns * 660) / (span * 0.95 * 3)));
const datasetConfig = DatasetConfigSchema.parse({
  datasets: {
    args: { memory_span: span, dataset_examples: examples, seed: 1 },
    datasets: [{ name: 'colours' }, { name: 'name_list' }, { name: 'shopping' }],
  },
});
const agentConfig = AgentConfigSchema.parse({
  name: `bench-${values.agent}`,
  kind: values.agent === 'chat' ? 'chat' : 'memory',
  context_size: 512,
  llm: { provider: 'sim', max_tokens: 128 },
});

const out = mkdtempSync(join(tmpdir(), 'referee-bench-'));
const runId = 'bench';
const telemetry = startTelemetry({ runDir: join(out, runId), runId, agentName: agentConfig.name, metricIntervalMs: 1000 });
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const started = performance.now();
const cpuBefore = process.cpuUsage();
const result = await runBenchmark({
  agentConfig,
  datasetConfig,
  outputDir: out,
  runId,
  concurrency,
  reporters: [new MetricsReporter({ name: agentConfig.name, model: 'sim-1', system: 'referee.sim' })],
});
const seconds = (performance.now() - started) / 1000;
// CPU seconds of this process (runner, agent and the in-process sim model): on a shared machine
// turns per CPU second say what turns/s would be on a quiet one.
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
await telemetry.shutdown(5000);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);

const turns = result.stats.turns;
console.log(`agent=${agentConfig.name} concurrency=${concurrency} tests=${result.stats.tests.length} turns=${turns} heap-growing-percent=${heapGrowingPercent ?? 'V8 default'}`);
console.log(
  `wall=${seconds.toFixed(2)} s  turns/s=${(turns / seconds).toFixed(0)}  turns/cpu-s=${(turns / cpuSeconds).toFixed(0)}  peak RSS=${(peakRss / 1048576).toFixed(0)} MB  score=${result.stats.score.toFixed(2)}/${result.stats.max_score}`,
);
if (!values.keep) rmSync(out, { recursive: true, force: true });
else console.log(`run directory kept: ${result.runDir}`);
