/**
 * Issue 16: token provenance. A server that streams no `usage` gets its tokens
 * counted locally, and every record says so; run.json keeps the prices used.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunDir } from '../../src/artifacts/run-dir-reader.js';
import { computeRunMetrics } from '../../src/match/metrics.js';
import { startMonitor } from '../../src/monitor/server.js';
import { countTokens } from '../../src/tokens.js';
import { readJson, readJsonl, runCli, tempDir } from '../helpers.js';

interface Span {
  name: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}
const spansIn = (runDir: string): Span[] =>
  readJsonl<{ resourceSpans: { scopeSpans: { spans: Span[] }[] }[] }>(join(runDir, 'spans.jsonl')).flatMap((l) => l.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans)));
const attr = (s: Span, key: string): string | undefined => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v ? String(Object.values(v)[0]) : undefined;
};

/** A real OpenAI-compatible streaming server on loopback that never sends `usage` (as many local servers do). */
function usagelessServer(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: Record<string, string>, finish: string | null) =>
        `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'local-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.end(chunk({ role: 'assistant', content: 'I will remember that.' }, null) + chunk({}, 'stop') + 'data: [DONE]\n\n');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('usage_source and the prices of a run', () => {
  let server: Server;
  beforeAll(async () => {
    server = await usagelessServer();
  });
  afterAll(() => server.close());

  it('a server without usage: every turn record and LLM span says estimated; run.json has the prices and their source', async () => {
    const dir = tempDir();
    const agent = join(dir, 'agent.yaml');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    writeFileSync(agent, `name: local\nkind: chat\nllm: { provider: openai, base_url: '${url}', model: local-model, max_tokens: 64 }\ncontext_size: 4096\npricing: { input_per_mtok: 0.5, output_per_mtok: 1.5 }\n`);
    const r = await runCli(['run', '--agent-config', agent, '--output-dir', dir, '--run-id', 'r', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const records = readJsonl<{ status: string; usage_source?: string; tokens_out: number; prefilled?: boolean }>(join(dir, 'r', 'turn_metrics.jsonl'));
    // issue 12: a pre-filled filler turn makes no call, so it has no usage to report or estimate.
    const prefilled = records.filter((t) => t.prefilled);
    expect(prefilled.length).toBeGreaterThan(0);
    expect(prefilled.every((t) => t.usage_source === undefined && t.tokens_out === 0)).toBe(true);
    const turns = records.filter((t) => !t.prefilled);
    expect(turns.length).toBeGreaterThan(10);
    expect(new Set(turns.map((t) => t.usage_source))).toEqual(new Set(['estimated']));
    // Counted locally in cl100k, as GoodAI counts.
    expect(new Set(turns.map((t) => t.tokens_out))).toEqual(new Set([countTokens('I will remember that.')]));
    const llm = spansIn(join(dir, 'r')).filter((s) => s.name === 'chat local-model');
    expect(llm).toHaveLength(turns.length);
    expect(new Set(llm.map((s) => attr(s, 'referee.usage_source')))).toEqual(new Set(['estimated']));
    expect(readJson(join(dir, 'r', 'run.json'))['pricing']).toEqual({ input_per_mtok: 0.5, output_per_mtok: 1.5, source: 'config' });
    // The report's figures and the monitor's cost panel say it too.
    expect(computeRunMetrics(readRunDir(join(dir, 'r'))).usage_source).toBe('estimated');
    const monitor = await startMonitor({ runsDir: dir, port: 0 });
    try {
      // The monitor tails the run directories in the background: ask until it has read this one.
      let costs: { usage_source?: string; runs?: string[] } = {};
      for (let i = 0; i < 50 && !costs.runs?.length; i++) {
        costs = (await (await fetch(new URL("/api/benchmark/costs?run=all", monitor.url))).json()) as typeof costs;
        if (!costs.runs?.length) await new Promise((r) => setTimeout(r, 200));
      }
      expect(costs).toMatchObject({ runs: ['r'], usage_source: 'estimated' });
    } finally {
      await monitor.close();
    }
  });

  it('the simulated model reports usage: reported, priced from the built-in table', async () => {
    const dir = tempDir();
    const r = await runCli(['run', '--output-dir', dir, '--run-id', 'r', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const turns = readJsonl<{ usage_source?: string; prefilled?: boolean }>(join(dir, 'r', 'turn_metrics.jsonl')).filter((t) => !t.prefilled);
    expect(turns.length).toBeGreaterThan(10);
    expect(new Set(turns.map((t) => t.usage_source))).toEqual(new Set(['reported']));
    const called = spansIn(join(dir, 'r')).filter((s) => s.name === 'benchmark.turn' && attr(s, 'referee.prefilled') !== 'true');
    expect(called).toHaveLength(turns.length);
    expect(called.every((s) => attr(s, 'referee.usage_source') === 'reported')).toBe(true);
    expect(readJson<{ pricing: { source: string } }>(join(dir, 'r', 'run.json')).pricing.source).toMatch(/^(table|unknown)$/);
  });
});
