import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startSimServer } from '../../src/agents/sim/server.js';
import { otlpEndpoint, prometheusUrl, stackDown, stackUp } from '../../src/stack/services.js';
import { readJson, readJsonl, ROOT, runCli, tempDir } from '../helpers.js';
import { layout as l, phoenixSpans, sleep, useStack, waitForPhoenix, type PhoenixSpan } from './phoenix.js';

/**
 * The promise of the product, end to end against the real services: a run
 * exported over OTLP to the collector lands in Phoenix (traces) and
 * Prometheus (metrics), and every Grafana panel's query returns data.
 */
useStack();

interface OtlpLine {
  resourceSpans: { scopeSpans: { spans: { spanId: string; name: string; parentSpanId?: string }[] }[] }[];
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function runSpans(runDir: string): { spanId: string; name: string; parentSpanId?: string }[] {
  return readJsonl<OtlpLine>(join(runDir, 'spans.jsonl')).flatMap((x) => x.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
}

type PromResult = { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[];
async function promQuery(expr: string, range?: { start: number; end: number }): Promise<PromResult> {
  const q = new URLSearchParams({ query: expr });
  if (range) {
    q.set('start', String(range.start));
    q.set('end', String(range.end));
    q.set('step', '2');
  }
  const body = await getJson<{ status: string; data: { result: PromResult } }>(`${prometheusUrl(l)}/api/v1/${range ? 'query_range' : 'query'}?${q}`);
  return body.data.result;
}
const finite = (r: PromResult): number[] =>
  r.flatMap((s) => (s.values ?? (s.value ? [s.value] : [])).map(([, v]) => Number(v))).filter((v) => Number.isFinite(v));

/** issue 16: the default run (about 0.2 s), shorter than any export or sample interval. */
async function benchmark(out: string, runId: string, project: string, env: Record<string, string>, args: string[] = []) {
  const r = await runCli(['run', '--output-dir', out, '--run-id', runId, '--quiet', ...args], {
    env: { PHOENIX_PROJECT_NAME: project, ...env },
    timeoutMs: 300_000,
  });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).not.toMatch(/duplicate registration/i);
  return join(out, runId);
}

/** Every query of every Grafana dashboard panel, for one run: the expressions that returned no number. */
async function emptyPanels(runId: string, agent: string, range: { start: number; end: number }): Promise<{ empty: string[]; checked: number }> {
  const dir = join(ROOT, 'dashboards');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThan(0);
  const gpu = existsSync('/usr/bin/nvidia-smi') || (process.env.PATH ?? '').split(':').some((p) => p && existsSync(join(p, 'nvidia-smi')));
  const empty: string[] = [];
  let checked = 0;
  for (const file of files) {
    const dash = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { panels: { title: string; targets?: { expr: string; instant?: boolean }[] }[]; templating: { list: { name: string; query: { query: string } }[] } };
    // The variables' own queries must list this run and its agent.
    for (const v of dash.templating.list) {
      const m = /^label_values\((.*), (\w+)\)$/.exec(v.query.query);
      expect(m, v.name).not.toBeNull();
      const values = (await promQuery(`group by (${m![2]}) (${m![1]!.replaceAll('$run', runId)})`)).map((s) => s.metric[m![2]!]);
      expect(values).toContain(v.name === 'run' ? runId : agent);
    }
    for (const panel of dash.panels) {
      for (const t of panel.targets ?? []) {
        const expr = t.expr.replaceAll('$run', runId).replaceAll('$agent', agent).replaceAll('$__rate_interval', '30s').replaceAll('$__range', '1h');
        if (expr.includes('hw_') && !gpu) continue; // GPU series exist only where a GPU does
        const result = t.instant ? await promQuery(expr) : await promQuery(expr, range);
        checked++;
        if (finite(result).length === 0) empty.push(`${file} / ${panel.title}: ${t.expr}`);
      }
    }
  }
  return { empty, checked };
}

/** Waits until Prometheus has the run's final progress (the last export is the final flush at run end). */
async function waitForPrometheus(runId: string, turns: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (finite(await promQuery(`max(referee_progress_turns_done{referee_run_id="${runId}"})`))[0] === turns) return;
    await sleep(1000);
  }
}

describe('a run exported to the collector', () => {
  const out = tempDir('referee-stack-');
  const suffix = Date.now().toString(36);
  const runId = `stack-${suffix}`;
  const project = `referee-stack-${suffix}`;
  let runDir: string;
  let startedAt: number;
  let endedAt: number;

  beforeAll(async () => {
    startedAt = Date.now() / 1000 - 5;
    runDir = await benchmark(out, runId, project, { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint(l) });
    endedAt = Date.now() / 1000;
  });

  it('lands in Phoenix: every turn span with its LLM child, storage and evaluation spans, with their OpenInference kinds', async () => {
    const written = runSpans(runDir);
    const spans = await waitForPhoenix(project, written.length);
    expect(spans.length).toBe(written.length);
    const byId = new Map(spans.map((s) => [s.context.span_id, s]));
    const turnsWritten = written.filter((s) => s.name === 'benchmark.turn');
    const turns = spans.filter((s) => s.name === 'benchmark.turn');
    expect(turns.length).toBe(turnsWritten.length);
    expect(turns.length).toBe(readJsonl(join(runDir, 'turn_metrics.jsonl')).length);
    for (const t of turnsWritten) expect(byId.get(t.spanId)?.span_kind).toBe('AGENT');
    // issue 12: a pre-filled filler turn makes no call, so it has no LLM child; every other turn has one.
    const called = turns.filter((t) => t.attributes['referee.prefilled'] !== true);
    expect(called.length).toBe(readJsonl<{ prefilled?: boolean }>(join(runDir, 'turn_metrics.jsonl')).filter((t) => !t.prefilled).length);
    expect(called.length).toBeLessThan(turns.length);
    for (const turn of turns.filter((t) => !called.includes(t))) expect(spans.filter((s) => s.parent_id === turn.context.span_id && s.name.startsWith('chat '))).toEqual([]);
    for (const turn of called) {
      const children = spans.filter((s) => s.parent_id === turn.context.span_id);
      const llm = children.filter((c) => c.name.startsWith('chat '));
      expect(llm, `turn ${turn.context.span_id}`).toHaveLength(1);
      expect(llm[0]!.span_kind).toBe('LLM');
      // Phoenix moves openinference.span.kind into span_kind; the GenAI attributes stay.
      expect(llm[0]!.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat' });
      expect(llm[0]!.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    }
    expect(spans.filter((s) => s.name.startsWith('storage ')).length).toBeGreaterThan(0);
    const evals = spans.filter((s) => s.name.startsWith('evaluate '));
    expect(evals.length).toBe(readJson<{ tests: unknown[] }>(join(runDir, 'runstats.json')).tests.length);
    expect(evals.every((e) => e.span_kind === 'EVALUATOR')).toBe(true);
    expect(spans.filter((s) => s.name === 'benchmark.run').map((s) => s.span_kind)).toEqual(['CHAIN']);
    // issue 16: no span without an OpenInference kind (storage spans were UNKNOWN).
    expect(spans.filter((s) => s.span_kind === 'UNKNOWN').map((s) => s.name)).toEqual([]);
  });

  it('lands in Prometheus: token totals and turns equal runstats.json', async () => {
    const stats = readJson<{ tokens_in: number; tokens_out: number; turns: number }>(join(runDir, 'runstats.json'));
    const sel = `referee_run_id="${runId}"`;
    // The last export happens at shutdown; give Prometheus a few scrapes to see it.
    const deadline = Date.now() + 60_000;
    let done: number[] = [];
    while (Date.now() < deadline) {
      done = finite(await promQuery(`max(referee_progress_turns_done{${sel}})`));
      if (done[0] === stats.turns) break;
      await sleep(1000);
    }
    expect(done).toEqual([stats.turns]);
    const tokens = await promQuery(`sum by (gen_ai_token_type) (gen_ai_client_token_usage_sum{${sel}})`);
    const byType = Object.fromEntries(tokens.map((s) => [s.metric['gen_ai_token_type'], Number(s.value![1])]));
    expect(byType).toEqual({ input: stats.tokens_in, output: stats.tokens_out });
    expect(finite(await promQuery(`sum(referee_turns_total{${sel}})`))).toEqual([stats.turns]);
  });

  it('answers every query of every Grafana dashboard panel with data after the default 0.2 s run', async () => {
    const stats = readJson<{ agent: string; turns: number }>(join(runDir, 'runstats.json'));
    await waitForPrometheus(runId, stats.turns);
    const { empty, checked } = await emptyPanels(runId, stats.agent, { start: startedAt, end: endedAt + 30 });
    expect(empty).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });
});

describe('task runs exported to the collector', () => {
  it.each([
    ['a task run', (out: string, id: string) => ['--tasks', join(ROOT, 'configs/tasks/basics.jsonl'), '--agent-config', join(ROOT, 'configs/agents/sim-mini.yaml'), '--run-id', id, '--output-dir', out]],
    ['a suite', (out: string, id: string) => ['--suite', join(ROOT, 'configs/suites/example.yaml'), '--run-id', id, '--output-dir', out]],
  ])('%s: every dashboard query answers for each of its run directories', async (_kind, args) => {
    const out = tempDir('referee-stack-tasks-');
    const id = `tasks-${Date.now().toString(36)}`;
    const startedAt = Date.now() / 1000 - 5;
    const r = await runCli(['run', '--quiet', ...args(out, id)], { env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint(l) }, timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    const endedAt = Date.now() / 1000;
    const runDirs = readdirSync(out).filter((d) => existsSync(join(out, d, 'runstats.json')));
    expect(runDirs.length).toBeGreaterThan(0);
    for (const dir of runDirs) {
      const stats = readJson<{ agent: string; turns: number }>(join(out, dir, 'runstats.json'));
      await waitForPrometheus(dir, stats.turns);
      const { empty } = await emptyPanels(dir, stats.agent, { start: startedAt, end: endedAt + 30 });
      expect(empty, dir).toEqual([]);
    }
  });
});

describe('a run with the collector down', () => {
  it('completes normally, and `referee replay` later delivers all its spans to Phoenix', async () => {
    const out = tempDir('referee-stack-offline-');
    const suffix = Date.now().toString(36);
    const project = `referee-offline-${suffix}`;
    await stackDown(l, ['collector']);
    const runStart = Date.now() / 1000;
    const runDir = await benchmark(out, `offline-${suffix}`, project, { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint(l), OTEL_EXPORTER_OTLP_TIMEOUT: '500' });
    const runEnd = Date.now() / 1000;
    // Replay comes well after the run, so replay-time samples could not pass for original ones.
    await sleep(5000);
    expect(await phoenixSpans(project)).toEqual([]);
    await stackUp(l);
    const r = await runCli(['replay', runDir], { env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint(l) } });
    expect(r.code, r.stderr).toBe(0);
    const written = runSpans(runDir);
    const spans = await waitForPhoenix(project, written.length);
    expect(spans.map((s) => s.context.span_id).sort()).toEqual(written.map((s) => s.spanId).sort());
    // issue 16: the metrics sit in Prometheus at the times they were collected, not at replay time.
    await sleep(3000);
    const samples = await promQuery(`referee_turns_total{referee_run_id="offline-${suffix}", referee_status="success"}[1h]`);
    const times = samples.flatMap((s) => (s.values ?? []).map(([t]) => t));
    expect(times.length).toBeGreaterThan(0);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(runStart - 1);
    expect(Math.max(...times)).toBeLessThanOrEqual(runEnd + 1);
    const stats = readJson<{ turns: number }>(join(runDir, 'runstats.json'));
    expect(Number(samples[0]!.values!.at(-1)![1])).toBe(stats.turns);
  });
});

describe('a protocol agent instrumented with OpenTelemetry (issue 15)', () => {
  it("shows its own span under Referee's turn span in Phoenix, in the run's project", async () => {
    // The Python example as a stdio child: it exports its `agent.reply` span from the traceparent Referee sent.
    const llm = await startSimServer({ host: '127.0.0.1', port: 0 });
    try {
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
      const records = readJsonl<{ prefilled?: boolean }>(join(dir, 'runs/byo/turn_metrics.jsonl'));
      const turns = records.length;
      // issue 12: a pre-filled turn reaches the agent as a prefill, not a reply: no agent.reply span of its own.
      const replies = records.filter((t) => !t.prefilled).length;
      let spans: PhoenixSpan[] = [];
      const deadline = Date.now() + 90_000;
      const count = (name: string) => spans.filter((s) => s.name === name).length;
      while (Date.now() < deadline && (count('agent.reply') < replies || count('benchmark.turn') < turns)) {
        await sleep(1000);
        spans = await phoenixSpans(project);
      }
      const turnSpans = new Map(spans.filter((s) => s.name === 'benchmark.turn').map((s) => [s.context.span_id, s.context.trace_id]));
      const agentSpans = spans.filter((s) => s.name === 'agent.reply');
      expect(turnSpans.size).toBe(turns);
      expect(agentSpans).toHaveLength(replies);
      for (const s of agentSpans) expect(turnSpans.get(s.parent_id ?? '')).toBe(s.context.trace_id);
    } finally {
      await llm.close();
    }
  });
});
