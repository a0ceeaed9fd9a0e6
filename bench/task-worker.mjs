// One task run for bench/task-bench.mjs, in its own process: the agent is an
// OpenAI-compatible chat agent on the given loopback server; full telemetry
// and the whole run directory are written, under the CLI's V8 heap growth
// bound (issue 13). Prints one JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AgentConfigSchema, MetricsReporter, boundHeapGrowth, loadTaskFile, runTasks, startTelemetry } from '../dist/index.js';

boundHeapGrowth();

const { values } = parseArgs({ options: { url: { type: 'string' }, tasks: { type: 'string' }, concurrency: { type: 'string', default: '32' }, keep: { type: 'boolean', default: false } } });
const agentConfig = AgentConfigSchema.parse({
  name: 'bench-tasks',
  kind: 'chat',
  llm: { provider: 'openai', base_url: values.url, model: 'sim-1', max_tokens: 64 },
  // promptfoo sends the prompt alone: so do we, for an identical workload.
  system_prompt: '',
});
const out = mkdtempSync(join(tmpdir(), 'referee-task-run-'));
const runId = 'bench';
let peak = 0;
const callMs = [];
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
const started = performance.now();
const cpu0 = process.cpuUsage();
const telemetry = startTelemetry({ runDir: join(out, runId), runId, agentName: agentConfig.name, metricIntervalMs: 1000 });
const r = await runTasks({
  agentConfig,
  dataset: loadTaskFile(values.tasks),
  outputDir: out,
  runId,
  concurrency: Number(values.concurrency),
  // The model's side of the time: each call's duration as the runner measured it.
  reporters: [new MetricsReporter({ name: agentConfig.name, model: 'sim-1', system: 'openai' }), { onTurnEnd: ({ record }) => void callMs.push(record.llm_ms) }],
});
await telemetry.shutdown(10_000);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);
peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
if (!values.keep) rmSync(out, { recursive: true, force: true });
if (process.env.BENCH_MEM) console.error(JSON.stringify(Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1048576)]))));
callMs.sort((a, b) => a - b);
const callMedianMs = callMs[Math.floor(callMs.length / 2)] ?? 0;
console.log(JSON.stringify({ tasks: r.tasks, passed: r.passed, seconds, tasksPerS: r.tasks / seconds, peakRssMb: peak / 1048576, cpuMsPerTask: (cpu.user + cpu.system) / 1000 / r.tasks, callMedianMs }));
