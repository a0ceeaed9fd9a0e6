/**
 * issue 15: the two example agents as real processes (an HTTP server and a
 * stdio child) through an LTM run, a task run and a match, with the W3C
 * trace context checked where it lands: in the agent, and in an OTLP receiver
 * that gets both Referee's spans and the agent's own.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServer } from '../../../src/agents/sim/server.js';
import { readJson, readJsonl, runCli, tempDir } from '../../helpers.js';
import { readRun, walk, type RunFiles } from '../../reliability/helpers.js';
import { buildTsAgent, memorySizes, messageTurns, PY_AGENT, SMALL_DATASET, startHttpAgent, startLlm, turnsOf, type AgentServer } from './helpers.js';

const SECRET = 'proto-s3cr3t-4f9a1c';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: Array<{ key: string; value: { stringValue?: string; intValue?: string | number } }>;
}

/** A loopback OTLP/HTTP JSON receiver: where Referee's and the agent's spans land. */
async function startOtlpReceiver(): Promise<{ url: string; spans: OtlpSpan[]; server: Server }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const parsed = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
        for (const rs of parsed.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server };
}

function turnSpans(run: RunFiles): Map<string, { traceId: string; spanId: string }> {
  const out = new Map<string, { traceId: string; spanId: string }>();
  for (const line of readJsonl<{ resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }>(join(run.dir, 'spans.jsonl'))) {
    for (const rs of line.resourceSpans)
      for (const ss of rs.scopeSpans)
        for (const s of ss.spans) {
          if (s.name !== 'benchmark.turn') continue;
          const attr = (k: string) => s.attributes?.find((a) => a.key === k)?.value;
          out.set(`${attr('referee.test_id')?.stringValue}/${Number(attr('referee.turn_id')?.intValue)}`, { traceId: s.traceId, spanId: s.spanId });
        }
  }
  return out;
}

function replies(run: RunFiles): string[] {
  return readJsonl<{ test_id: string; turn_id: number; agent: string }>(join(run.dir, 'transcripts.jsonl')).map((t) => `${t.test_id}/${t.turn_id}: ${t.agent}`);
}

describe('kind: http and kind: stdio with the example agents', () => {
  let llm: SimServer;
  let dir: string;
  let dataset: string;
  let tsAgent: string;
  let pyHttp: AgentServer;
  const env = (): NodeJS.ProcessEnv => ({ LLM_BASE_URL: llm.url, LLM_PRICE_PER_MTOK: '1000', PROTO_SECRET: SECRET });

  beforeAll(async () => {
    llm = await startLlm();
    dir = tempDir('referee-proto-');
    dataset = join(dir, 'dataset.yaml');
    writeFileSync(dataset, SMALL_DATASET);
    tsAgent = buildTsAgent();
    pyHttp = await startHttpAgent('python3', [PY_AGENT], env());
  });
  afterAll(async () => {
    pyHttp?.stop();
    await llm?.close();
  });

  const write = (name: string, yaml: string): string => {
    const file = join(dir, name);
    writeFileSync(file, yaml);
    return file;
  };
  const pyStdio = (): string =>
    write(
      'py-stdio.yaml',
      `name: py-stdio\nkind: stdio\nstdio:\n  command: python3\n  args: [${PY_AGENT}, --stdio]\n  env: { LLM_BASE_URL: "\${LLM_BASE_URL}", LLM_PRICE_PER_MTOK: "1000", AGENT_TOKEN: "\${PROTO_SECRET}" }\n`,
    );

  it('an LTM run over stdio and over HTTP: same replies and score, agent-reported cost, trace context under the turn span, no secret on disk', async () => {
    const otlp = await startOtlpReceiver();
    const out = join(dir, 'ltm');
    const httpYaml = write('py-http.yaml', `name: py-http\nkind: http\nhttp:\n  url: ${pyHttp.url}\n  headers: { authorization: "Bearer \${PROTO_SECRET}" }\n`);
    const stdioRun = await runCli(['run', '--agent-config', pyStdio(), '--dataset-config', dataset, '--output-dir', out, '--run-id', 'stdio', '--quiet'], {
      env: { ...env(), OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    });
    otlp.server.close();
    expect(stdioRun.code, stdioRun.stderr).toBe(0);
    const httpRun = await runCli(['run', '--agent-config', httpYaml, '--dataset-config', dataset, '--output-dir', out, '--run-id', 'http', '--quiet'], { env: env() });
    expect(httpRun.code, httpRun.stderr).toBe(0);

    const stdio = readRun(join(out, 'stdio'));
    const http = readRun(join(out, 'http'));
    for (const run of [stdio, http]) {
      expect(run.turns).toHaveLength(run.stats.turns);
      expect(run.turns.every((t) => t.status === 'success')).toBe(true);
      // issue 12: filler goes in pre-filled (a `prefill` request, no LLM call), and the agent keeps it: at each
      // message it holds every earlier exchange, pre-filled ones included, plus this one.
      expect(turnsOf(run).some((t) => t.prefilled)).toBe(true);
      const sizes = memorySizes(run);
      expect(sizes).toEqual(Object.fromEntries(messageTurns(run).map((t) => [t.turn_id, t.step + 1])));
    }
    // The sim answers from what the agent's naive memory sends it: on this small run every statement is among
    // the exchanges it sends (its six most recent, or recalled by a shared word), so each question is answered.
    expect(stdio.stats.score).toBe(stdio.stats.max_score);
    expect(stdio.stats.tests.map((t) => t.score)).not.toContain(0);
    expect(http.stats.score).toBe(stdio.stats.score);
    expect(turnsOf(http).map((t) => [t.turn_id, t.prefilled === true])).toEqual(turnsOf(stdio).map((t) => [t.turn_id, t.prefilled === true]));
    expect(replies(http)).toEqual(replies(stdio));
    // Usage the agent reports is the run's cost: LLM_PRICE_PER_MTOK=1000 makes it tokens / 1000.
    const stats = readJson<{ tokens_in: number; tokens_out: number; agent_costs_usd: number; pricing_source: string }>(join(stdio.dir, 'runstats.json'));
    expect(stats.pricing_source).toBe('agent_reported');
    expect(stats.tokens_in).toBeGreaterThan(500);
    expect(stats.agent_costs_usd).toBeCloseTo((stats.tokens_in + stats.tokens_out) / 1000, 6);
    expect(readJsonl<{ pricing_source: string }>(join(stdio.dir, 'turn_metrics.jsonl')).every((t) => t.pricing_source === 'agent_reported')).toBe(true);

    // traceparent reached the agent with each message (it echoes it in its metadata) and names that turn's own span.
    const spans = turnSpans(stdio);
    const messages = new Set(messageTurns(stdio).map((t) => t.turn_id));
    const seen = readJsonl<{ test_id: string; turn_id: number; metadata: { traceparent?: string; span_id?: string } }>(join(stdio.dir, 'transcripts.jsonl'));
    expect(seen).toHaveLength(stdio.turns.length);
    expect(spans.size).toBe(stdio.turns.length);
    for (const t of seen.filter((s) => messages.has(s.turn_id))) {
      const span = spans.get(`${t.test_id}/${t.turn_id}`)!;
      expect(t.metadata.traceparent).toBe(`00-${span.traceId}-${span.spanId}-01`);
    }
    // Where the spans land: the agent's own span is a child of Referee's turn span, in the same trace.
    const refereeTurns = new Map(otlp.spans.filter((s) => s.name === 'benchmark.turn').map((s) => [s.spanId, s.traceId]));
    const agentSpans = otlp.spans.filter((s) => s.name === 'agent.reply');
    // Referee has a turn span for every turn; the agent traces the messages it answered (a prefill calls no LLM).
    expect(refereeTurns.size).toBe(stdio.turns.length);
    expect(agentSpans).toHaveLength(messages.size);
    for (const s of agentSpans) expect(refereeTurns.get(s.parentSpanId ?? '')).toBe(s.traceId);

    // The stdio agent's stderr is in the run directory; no header or env value is on disk.
    expect(existsSync(join(stdio.dir, 'agent-stderr.log'))).toBe(true);
    for (const run of [stdio, http]) for (const f of walk(run.dir)) expect(readFileSync(f, 'utf8').includes(SECRET), f).toBe(false);
    expect((stdio.meta['agent_config'] as { stdio: { env: Record<string, string> } }).stdio.env['AGENT_TOKEN']).toBe('${PROTO_SECRET}');
  });

  it('a task run: the TypeScript agent over HTTP answers as the built-in chat agent does on the same model', async () => {
    const tsHttp = await startHttpAgent(process.execPath, [tsAgent], env());
    try {
      const out = join(dir, 'tasks');
      const yaml = write('ts-http.yaml', `name: ts-http\nkind: http\nhttp: { url: "${tsHttp.url}" }\n`);
      const own = await runCli(['run', '--agent-config', yaml, '--tasks', 'configs/tasks/basics.jsonl', '--output-dir', out, '--run-id', 'ts', '--quiet'], { env: env() });
      expect(own.code, own.stderr).toBe(0);
      const builtIn = await runCli(['run', '--agent-config', 'configs/agents/chat-small.yaml', '--tasks', 'configs/tasks/basics.jsonl', '--output-dir', out, '--run-id', 'chat', '--quiet']);
      expect(builtIn.code, builtIn.stderr).toBe(0);
      const ts = readJson<{ score: number; max_score: number; turns: number; turns_failed: number }>(join(out, 'ts/runstats.json'));
      const chat = readJson<{ score: number; max_score: number }>(join(out, 'chat/runstats.json'));
      expect(ts.turns).toBe(12);
      expect(ts.turns_failed).toBe(0);
      expect(ts.max_score).toBe(chat.max_score);
      expect(ts.score).toBe(chat.score);
      expect(ts.score).toBeGreaterThan(0);
    } finally {
      tsHttp.stop();
    }
  });

  it('a suite: the Python agent over stdio and the TypeScript agent over HTTP, sessions in parallel on one process each', async () => {
    const tsHttp = await startHttpAgent(process.execPath, [tsAgent], env());
    try {
      const ts = write('ts-suite.yaml', `name: ts-http\nkind: http\nhttp: { url: "${tsHttp.url}" }\n`);
      const suite = write(
        'suite.yaml',
        `name: byo\ndatasets:\n  - file: ${join(process.cwd(), 'configs/tasks/basics.jsonl')}\nagents:\n  - ${pyStdio()}\n  - ${ts}\ndefaults:\n  evaluator: exact\n  concurrency: 4\n`,
      );
      const out = join(dir, 'suite');
      const r = await runCli(['run', '--suite', suite, '--output-dir', out, '--quiet'], { env: env() });
      expect(r.code, r.stderr).toBe(0);
      const matrix = readJson<{ cells: Array<{ agent: string; status: string; tasks: number; passed: number; errored: number }> }>(
        join(out, readdirSync(out).find((f) => f.startsWith('matrix-'))!),
      );
      expect(matrix.cells.map((c) => [c.agent, c.status, c.tasks, c.passed, c.errored])).toEqual([
        ['py-stdio', 'finished', 12, 12, 0],
        ['ts-http', 'finished', 12, 12, 0],
      ]);
    } finally {
      tsHttp.stop();
    }
  });

  it("a match: the Python stdio agent against Referee's memory agent", async () => {
    const out = join(dir, 'match');
    const r = await runCli(
      ['run', '--agent-config', pyStdio(), '--compare-with', 'configs/agents/memory.yaml', '--dataset-config', dataset, '--output-dir', out, '--run-id', 'm', '--quiet'],
      { env: env() },
    );
    expect(r.code, r.stderr).toBe(0);
    const matchDir = join(out, 'm');
    expect(existsSync(join(matchDir, 'comparison_report.html'))).toBe(true);
    // Each agent alone on the same dataset and model: what it must score in the match too.
    const alone: Record<string, RunFiles> = {};
    for (const [id, agent] of [
      ['py-alone', pyStdio()],
      ['memory-alone', 'configs/agents/memory.yaml'],
    ] as const) {
      const solo = await runCli(['run', '--agent-config', agent, '--dataset-config', dataset, '--output-dir', out, '--run-id', id, '--quiet'], { env: env() });
      expect(solo.code, solo.stderr).toBe(0);
      const run = readRun(join(out, id));
      alone[(run.meta['agent_config'] as { name: string }).name] = run;
    }
    const runs = readdirSync(matchDir).filter((d) => existsSync(join(matchDir, d, 'run.json')));
    const stats = runs.map((d) => readJson<{ agent: string; score: number; turns_failed: number }>(join(matchDir, d, 'runstats.json')));
    const scores = Object.fromEntries(stats.map((s) => [s.agent, s.score]));
    expect(Object.keys(scores).sort()).toEqual(['memory-agent', 'py-stdio']);
    expect(stats.every((s) => s.turns_failed === 0)).toBe(true);
    type Side = { agent_name: string; total_score: number; dataset_sha256: string };
    const match = readJson<{ champion: Side; challenger: Side }>(join(matchDir, 'match.json'));
    for (const [agent, run] of Object.entries(alone)) {
      for (const side of [match.champion, match.challenger]) expect((run.meta['dataset'] as { sha256: string }).sha256, agent).toBe(side.dataset_sha256);
    }
    expect(scores).toEqual({ 'py-stdio': alone['py-stdio']!.stats.score, 'memory-agent': alone['memory-agent']!.stats.score });
    // The match's verdict reads those scores: the Python agent as champion, the memory agent as challenger.
    expect([match.champion.agent_name, match.champion.total_score]).toEqual(['py-stdio', scores['py-stdio']]);
    expect([match.challenger.agent_name, match.challenger.total_score]).toEqual(['memory-agent', scores['memory-agent']]);
  });
});
