import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { otlpEndpoint, phoenixUrl } from '../../src/stack/services.js';
import { TRACE_PER_TEST_ABOVE_TURNS } from '../../src/telemetry/trace-per.js';
import { readJson, readJsonl, ROOT, runCli, tempDir } from '../helpers.js';
import { layout as l, useStack, waitForPhoenix, type PhoenixSpan } from './phoenix.js';

/**
 * How traces read in Phoenix, through Phoenix's own APIs (REST spans, GraphQL sessions) and UI:
 * a long LTM run opens as sessions of whole tests, every trace under the 1,000 spans Phoenix
 * shows at once; a sharded suite leads from the launcher's suite span to every shard's spans.
 */
useStack();
const SHOTS = resolve(ROOT, process.env['REFEREE_SCREENSHOTS_DIR'] ?? 'test-output');

interface RecordedSpan {
  traceId: string;
  spanId: string;
  name: string;
  parentSpanId?: string;
}
interface OtlpLine {
  resourceSpans: { scopeSpans: { spans: RecordedSpan[] }[] }[];
}

async function graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${phoenixUrl(l)}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (!res.ok || body.errors) throw new Error(`Phoenix GraphQL: HTTP ${res.status} ${JSON.stringify(body.errors)}`);
  return body.data!;
}

interface PhoenixSession {
  sessionId: string;
  numTraces: number;
  firstInput: { value: string } | null;
  lastOutput: { value: string } | null;
  traces: { edges: { node: { traceId: string; numSpans: number } }[] };
}
/** The project's sessions, as Phoenix's Sessions view lists them, with their traces. */
async function phoenixSessions(project: string): Promise<{ projectId: string; sessions: PhoenixSession[] }> {
  const sessions: PhoenixSession[] = [];
  let after: string | null = null;
  let projectId = '';
  for (;;) {
    const data: { getProjectByName: { id: string; sessions: { edges: { node: PhoenixSession }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } } = await graphql(
      `query ($name: String!, $after: String) {
        getProjectByName(name: $name) {
          id
          sessions(first: 100, after: $after) {
            edges { node { sessionId numTraces firstInput { value } lastOutput { value } traces(first: 10) { edges { node { traceId numSpans } } } } }
            pageInfo { hasNextPage endCursor }
          }
        }
      }`,
      { name: project, after },
    );
    projectId = data.getProjectByName.id;
    sessions.push(...data.getProjectByName.sessions.edges.map((e) => e.node));
    if (!data.getProjectByName.sessions.pageInfo.hasNextPage) return { projectId, sessions };
    after = data.getProjectByName.sessions.pageInfo.endCursor;
  }
}

function recorded(dir: string): RecordedSpan[] {
  const out: RecordedSpan[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...recorded(path));
    else if (name === 'spans.jsonl') out.push(...readJsonl<OtlpLine>(path).flatMap((x) => x.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans))));
  }
  return out;
}

const count = <T>(items: T[], key: (t: T) => string): Map<string, number> => {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
};

describe('a 5,000-turn LTM run exported to the collector', () => {
  const out = tempDir('referee-stack-long-');
  const suffix = Date.now().toString(36);
  const runId = `long-${suffix}`;
  const project = `referee-long-${suffix}`;
  let written: RecordedSpan[];
  let spans: PhoenixSpan[];

  beforeAll(async () => {
    // The default dataset at a 120k memory span, ten examples of each test, filler of 200 tokens a message.
    const dataset = join(out, 'long.yaml');
    writeFileSync(dataset, readFileSync(join(ROOT, 'configs/datasets/default.yaml'), 'utf8').replace('memory_span: 1500', 'memory_span: 120000').replace('dataset_examples: 2', 'dataset_examples: 10'));
    const r = await runCli(['run', '--runs-dir', out, '--run-id', runId, '--quiet', '--dataset-config', dataset, '--overrides', 'agent.max_message_size=200'], {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint(l), PHOENIX_PROJECT_NAME: project },
      timeoutMs: 600_000,
    });
    expect(r.code, r.stderr).toBe(0);
    written = recorded(join(out, runId));
    spans = await waitForPhoenix(project, written.length);
  });

  it('opens in Phoenix as one session per test, each test one trace, every trace under 1,000 spans', async () => {
    const turns = readJsonl<{ test_id: string }>(join(out, runId, 'turn_metrics.jsonl'));
    expect(turns.length).toBeGreaterThan(5000);
    expect(turns.length).toBeGreaterThan(TRACE_PER_TEST_ABOVE_TURNS);
    expect(spans.length).toBe(written.length);
    expect(spans.length).toBeGreaterThan(10_000);
    // Every trace Phoenix holds is under the 1,000 spans its trace view shows at once.
    const perTrace = count(spans, (s) => s.context.trace_id);
    expect(Math.max(...perTrace.values())).toBeLessThan(1000);
    expect(perTrace).toEqual(count(written, (s) => s.traceId));

    const [run] = spans.filter((s) => s.name === 'benchmark.run');
    const tests = readJson<{ tests: { test_id: string }[] }>(join(out, runId, 'runstats.json')).tests;
    const testSpans = spans.filter((s) => s.name === 'benchmark.test');
    expect(testSpans.map((s) => s.attributes['referee.test_id']).sort()).toEqual(tests.map((t) => t.test_id).sort());
    // Each test trace leads back to the run: its run trace and span as attributes (Phoenix keeps no span links).
    for (const t of testSpans) expect([t.parent_id, t.attributes['referee.run_trace_id'], t.attributes['referee.run_span_id']]).toEqual([null, run!.context.trace_id, run!.context.span_id]);

    const { sessions } = await phoenixSessions(project);
    const byId = new Map(sessions.map((s) => [s.sessionId, s]));
    expect([...byId.keys()].sort()).toEqual([...tests.map((t) => `${runId}/${t.test_id}`), `${runId}/filler-lane-0`].sort());
    for (const t of testSpans) {
      const session = byId.get(`${runId}/${String(t.attributes['referee.test_id'])}`)!;
      expect(session.numTraces).toBe(1);
      expect(session.traces.edges.map((e) => [e.node.traceId, e.node.numSpans])).toEqual([[t.context.trace_id, perTrace.get(t.context.trace_id)]]);
      // The session reads as the test's conversation: its messages in, the agent's answers out.
      expect([session.firstInput?.value, session.lastOutput?.value]).toEqual([t.attributes['input.value'], t.attributes['output.value']]);
    }
  });

  it("shows on Phoenix's Sessions page (screenshot for the docs)", async () => {
    const { projectId } = await phoenixSessions(project);
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
      await page.goto(`${phoenixUrl(l)}/projects/${projectId}/sessions`);
      const first = `${runId}/Colours/0`;
      await page.getByText(first, { exact: true }).first().waitFor({ timeout: 60_000 });
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'phoenix-sessions.png') });
    } finally {
      await browser.close();
    }
  });
});

describe('a sharded suite, each shard given the launcher TRACEPARENT', () => {
  it("leads in Phoenix from the suite span to every shard's run span and all its spans, by parent or by the run's trace attributes", async () => {
    const runs = tempDir('referee-stack-shards-');
    const suffix = Date.now().toString(36);
    const runId = `shards-${suffix}`;
    const project = `referee-shards-${suffix}`;
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint(l), PHOENIX_PROJECT_NAME: project };
    const suite = join(ROOT, 'configs/suites/example.yaml');
    const launched = await runCli(['launch', 'slurm', suite, '--shards', '2', '--run-id', runId, '--runs-dir', runs], { env });
    expect(launched.code, launched.stderr).toBe(0);
    const script = join(runs, runId, 'slurm', 'shards.sbatch');
    const traceparent = /export TRACEPARENT=(00-[0-9a-f]{32}-[0-9a-f]{16}-01)/.exec(readFileSync(script, 'utf8'))![1]!;
    // Shard 1 as the Slurm array runs it; shard 2 by the same command with one trace per test.
    const one = spawnSync('bash', [script], { env: { ...process.env, ...env, SLURM_ARRAY_TASK_ID: '0' }, encoding: 'utf8', timeout: 300_000 });
    expect(one.status, one.stderr).toBe(0);
    const two = await runCli(['run', '--suite', suite, '--runs-dir', join(runs, runId), '--run-id', runId, '--shard', '2/2', '--quiet', '--trace-per', 'test'], {
      env: { ...env, TRACEPARENT: traceparent },
      timeoutMs: 300_000,
    });
    expect(two.code, two.stderr).toBe(0);

    const written = recorded(join(runs, runId));
    const spans = await waitForPhoenix(project, written.length);
    expect(spans.map((s) => s.context.span_id).sort()).toEqual(written.map((s) => s.spanId).sort());
    const [suiteSpan, ...others] = spans.filter((s) => s.name === 'benchmark.suite');
    expect(others).toEqual([]);
    const runSpans = spans.filter((s) => s.name === 'benchmark.run');
    expect(runSpans.length).toBeGreaterThanOrEqual(2);
    for (const r of runSpans) expect([r.context.trace_id, r.parent_id]).toEqual([suiteSpan!.context.trace_id, suiteSpan!.context.span_id]);
    expect(new Set(runSpans.map((r) => r.attributes['referee.trace_per']))).toEqual(new Set(['run', 'test']));

    // From the suite span: children by parent id, and the traces whose head names a reached span as its run's.
    const reached = new Set([suiteSpan!.context.span_id]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const s of spans) {
        if (reached.has(s.context.span_id)) continue;
        const via = s.parent_id ?? (s.attributes['referee.run_span_id'] as string | undefined);
        if (via !== undefined && reached.has(via)) {
          reached.add(s.context.span_id);
          grew = true;
        }
      }
    }
    expect(spans.filter((s) => !reached.has(s.context.span_id)).map((s) => s.name)).toEqual([]);
    expect(reached.size).toBe(written.length);
  });
});
