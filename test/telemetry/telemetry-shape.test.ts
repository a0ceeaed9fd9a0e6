/**
 * Telemetry keeps its shape at the edges: the export sampler's decision reaches the
 * agents in `traceparent` (no orphan agent spans under always_off), OTEL_SDK_DISABLED
 * keeps the record's parentage, and OTEL_LOG_LEVEL gives one line per message on
 * stderr. Real runs of the CLI, a real OTLP receiver and the Python example agent.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServer } from '../../src/agents/sim/server.js';
import { readJsonl, runCli, tempDir } from '../helpers.js';
import { PY_AGENT, SMALL_DATASET, startLlm } from '../agents/protocol/helpers.js';
import { startHttpReceiver, type Receiver, type TraceRequest } from './otlp-receivers.js';

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}
const recorded = (runDir: string): Span[] =>
  readJsonl<TraceRequest>(join(runDir, 'spans.jsonl')).flatMap((l) => l.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans as unknown as Span[])));
const received = (rec: Receiver): Span[] =>
  rec.received
    .filter((r) => r.path === '/v1/traces')
    .flatMap((r) => (JSON.parse(r.body.toString('utf8')) as TraceRequest).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans as unknown as Span[])));

describe('traceparent carries the export sampler\'s decision', () => {
  let llm: SimServer;
  let dir: string;
  let agent: string;
  let dataset: string;
  beforeAll(async () => {
    llm = await startLlm();
    dir = tempDir('referee-tp-');
    dataset = join(dir, 'dataset.yaml');
    writeFileSync(dataset, SMALL_DATASET);
    agent = join(dir, 'py-stdio.yaml');
    writeFileSync(agent, `name: py-stdio\nkind: stdio\nstdio:\n  command: python3\n  args: [${PY_AGENT}, --stdio]\n  env: { LLM_BASE_URL: "\${LLM_BASE_URL}" }\n`);
  });
  afterAll(async () => {
    await llm?.close();
  });

  const run = async (id: string, sampler: string): Promise<{ receiver: Span[]; traceparents: string[] }> => {
    const receiver = await startHttpReceiver();
    try {
      const r = await runCli(['run', '--agent-config', agent, '--dataset-config', dataset, '--output-dir', dir, '--run-id', id, '--quiet'], {
        env: { LLM_BASE_URL: llm.url, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_TRACES_SAMPLER: sampler },
        timeoutMs: 120_000,
      });
      expect(r.code, r.stderr).toBe(0);
      const seen = readJsonl<{ metadata: { traceparent?: string | null } }>(join(dir, id, 'transcripts.jsonl'));
      return { receiver: received(receiver), traceparents: seen.map((t) => t.metadata.traceparent).filter((t): t is string => typeof t === 'string') };
    } finally {
      await receiver.close();
    }
  };

  it('always_off: the agent is told 00 and exports nothing, so no orphan span reaches the collector', async () => {
    const { receiver, traceparents } = await run('off', 'always_off');
    expect(traceparents.length).toBeGreaterThan(3);
    expect(traceparents.every((t) => t.endsWith('-00'))).toBe(true);
    expect(receiver).toEqual([]);
  });

  it('always_on: the agent is told 01, and each of its spans has its parent in the collector', async () => {
    const { receiver, traceparents } = await run('on', 'always_on');
    expect(traceparents.every((t) => t.endsWith('-01'))).toBe(true);
    const ids = new Set(receiver.map((s) => s.spanId));
    const agentSpans = receiver.filter((s) => s.name === 'agent.reply');
    expect(agentSpans.length).toBe(traceparents.length);
    expect(agentSpans.every((s) => ids.has(s.parentSpanId ?? ''))).toBe(true);
  });
});

describe('OTEL_SDK_DISABLED=true', () => {
  it('keeps the record\'s parentage: one trace, every span but the run\'s under a recorded parent', async () => {
    const out = tempDir('referee-disabled-');
    const r = await runCli(['run', '--output-dir', out, '--run-id', 'd', '--quiet'], { env: { OTEL_SDK_DISABLED: 'true' }, timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    const spans = recorded(join(out, 'd'));
    expect(spans.length).toBeGreaterThan(100);
    const ids = new Set(spans.map((s) => s.spanId));
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    const roots = spans.filter((s) => !s.parentSpanId);
    expect(roots.map((s) => s.name)).toEqual(['benchmark.run']);
    expect(spans.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId))).toEqual([]);
  });
});

describe('OTEL_LOG_LEVEL', () => {
  it.each(['debug', 'info', 'warn'])('=%s: each diagnostic is one "referee: telemetry" line on stderr, no stack trace, nothing on stdout', async (level) => {
    const out = tempDir('referee-loglevel-');
    const r = await runCli(['run', '--output-dir', out, '--run-id', 'l', '--quiet'], {
      env: { OTEL_LOG_LEVEL: level, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_TIMEOUT: '300' },
      timeoutMs: 90_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/will be overwritten|will overwrite/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(0); // the dead endpoint is reported at every one of these levels
    expect(lines.filter((l) => !l.startsWith('referee: '))).toEqual([]);
    expect(r.stdout).not.toMatch(/telemetry|@opentelemetry|OTLP/i);
  });
});
