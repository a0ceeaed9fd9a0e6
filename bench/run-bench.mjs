// npm run bench: turns per second and peak RSS of a ~10,000-turn run on a
// zero-latency sim model, with full telemetry (spans.jsonl, metrics.jsonl and
// every run-directory file) on. Not a test: it prints figures, it asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  AgentConfigSchema,
  DatasetConfigSchema,
  MetricsReporter,
  runBenchmark,
  startTelemetry,
} from '../dist/index.js';

const { values } = parseArgs({
  options: {
    turns: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '4' },
    agent: { type: 'string', default: 'memory' },
    keep: { type: 'boolean', default: false },
  },
});
const targetTurns = Number(values.turns);
const concurrency = Number(values.concurrency);

// About 185 tokens of lane traffic per turn (measured): examples x span sized to land near the target.
const span = 4000;
const examples = Math.max(1, Math.round((targetTurns * 185) / (span * 0.95 * 3)));
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
const result = await runBenchmark({
  agentConfig,
  datasetConfig,
  outputDir: out,
  runId,
  concurrency,
  reporters: [new MetricsReporter({ name: agentConfig.name, model: 'sim-1', system: 'referee.sim' })],
});
const seconds = (performance.now() - started) / 1000;
await telemetry.shutdown(5000);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);

const turns = result.stats.turns;
console.log(`agent=${agentConfig.name} concurrency=${concurrency} tests=${result.stats.tests.length} turns=${turns}`);
console.log(`wall=${seconds.toFixed(2)} s  turns/s=${(turns / seconds).toFixed(0)}  peak RSS=${(peakRss / 1048576).toFixed(0)} MB  score=${result.stats.score.toFixed(2)}/${result.stats.max_score}`);
if (!values.keep) rmSync(out, { recursive: true, force: true });
else console.log(`run directory kept: ${result.runDir}`);
