/**
 * issue 15 against the real stack: the Python example agent, a stdio child
 * of a run exported to the collector, exports its own `agent.reply` span from
 * the `traceparent` Referee sent; in Phoenix each one is a child of Referee's
 * `benchmark.turn` span of that turn, in the run's project.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../src/agents/sim/server.js';
import { stackLayout } from '../../src/stack/config.js';
import { otlpEndpoint, phoenixUrl, stackDown, stackStatus, stackUp, type ServiceName } from '../../src/stack/services.js';
import { readJsonl, ROOT, runCli, tempDir } from '../helpers.js';

const l = stackLayout({ root: ROOT });
const startedHere: ServiceName[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PhoenixSpan {
  name: string;
  context: { trace_id: string; span_id: string };
  parent_id: string | null;
}

async function phoenixSpans(project: string): Promise<PhoenixSpan[]> {
  const res = await fetch(`${phoenixUrl(l)}/v1/projects/${encodeURIComponent(project)}/spans?limit=1000`).catch(() => undefined);
  if (!res?.ok) return [];
  return ((await res.json()) as { data: PhoenixSpan[] }).data;
}

let llm: SimServer;
beforeAll(async () => {
  const before = await stackStatus(l);
  await stackUp(l);
  for (const s of before) if (!s.healthy) startedHere.push(s.name);
  llm = await startSimServer({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await llm?.close();
  await stackDown(l, startedHere);
});

describe('a protocol agent instrumented with OpenTelemetry', () => {
  it("shows its own span under Referee's turn span in Phoenix", async () => {
    const dir = tempDir('referee-stack-byo-');
    const project = `referee-byo-${Date.now().toString(36)}`;
    const agent = join(dir, 'agent.yaml');
    writeFileSync(agent, `name: py\nkind: stdio\nstdio:\n  command: python3\n  args: [${join(ROOT, 'examples/agents/python/naive_memory_agent.py')}, --stdio]\n  env: { LLM_BASE_URL: "${llm.url}" }\n`);
    const dataset = join(dir, 'dataset.yaml');
    writeFileSync(dataset, 'config: { run_name: byo }\ndatasets:\n  args: { memory_span: 400, dataset_examples: 1, seed: 3 }\n  datasets:\n    - name: colours\n      args: { colour_changes: 2 }\n');
    const r = await runCli(['run', '--agent-config', agent, '--dataset-config', dataset, '--output-dir', join(dir, 'runs'), '--run-id', 'byo', '--quiet'], {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint(l), PHOENIX_PROJECT_NAME: project },
    });
    expect(r.code, r.stderr).toBe(0);
    const turns = readJsonl(join(dir, 'runs/byo/turn_metrics.jsonl')).length;
    let spans: PhoenixSpan[] = [];
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      spans = await phoenixSpans(project);
      if (spans.filter((s) => s.name === 'agent.reply').length >= turns && spans.filter((s) => s.name === 'benchmark.turn').length >= turns) break;
      await sleep(1000);
    }
    const turnSpans = new Map(spans.filter((s) => s.name === 'benchmark.turn').map((s) => [s.context.span_id, s.context.trace_id]));
    const agentSpans = spans.filter((s) => s.name === 'agent.reply');
    expect(turnSpans.size).toBe(turns);
    expect(agentSpans).toHaveLength(turns);
    for (const s of agentSpans) expect(turnSpans.get(s.parent_id ?? '')).toBe(s.context.trace_id);
  });
});
