/**
 * issue 14: every leak path found against the old redaction, with a unique
 * fake key, against a real loopback model server: the key is in no file of
 * the run directory, no span, no OTLP body (a real capturing OTLP/HTTP
 * server), no SSE message or API answer of the monitor, and no report.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../src/agents/sim/server.js';
import { startMonitor } from '../../src/monitor/server.js';
import { redactSecrets, secretSpellings } from '../../src/events/secrets.js';
import { type RecordingServer } from '../agents/helpers.js';
import { readJson, runCli, tempDir } from '../helpers.js';
import { SseClient, waitFor } from '../monitor/helpers.js';
import { readRun, SMALL_DATASET, startCapturingCollector, walk, writeFiles } from './helpers.js';

const unique = `${process.pid}${Date.now().toString(36)}`;
// A slash in the key: JSON may spell it `\/` (the escaped-slash leak).
const KEY = `sk-SA/SECKEY-${unique}`;
const WRAPPED = `wrapval-${unique}`;
const URL_PASS = `urlpass-${unique}`;
const SECRETS = [KEY, WRAPPED, URL_PASS];
/** Where the split-chunk path cuts the key. */
const HALF = 9;

describe('redactSecrets, the one redaction', () => {
  it('removes every spelling of a secret and URL credentials', () => {
    const text = `a ${KEY} b ${KEY.replaceAll('/', '\\/')} c ${encodeURIComponent(KEY)} d ${secretSpellings(KEY)[3]} e https://u:p@host/x f pre-${WRAPPED}-post`;
    const out = redactSecrets(text, [KEY, WRAPPED]);
    expect(out).toBe('a [redacted] b [redacted] c [redacted] d [redacted] e https://[redacted]@host/x f pre-[redacted]-post');
  });
});

describe('no leak path reaches an artifact, a span, OTLP, the monitor or a report', () => {
  let sim: SimServer;
  let collector: RecordingServer;
  const served: Record<string, number> = {};

  beforeAll(async () => {
    sim = await startSimServer({
      intercept: ({ requestNumber, req, res }) => {
        const echo = `authorization=${String(req.headers['authorization'])} x-wrap=${String(req.headers['x-wrap'])}`;
        const path = ['chunk', 'escaped401', 'valueonly', 'streamerror', 'splitchunk', 'ok'][requestNumber % 6] as string;
        served[path] = (served[path] ?? 0) + 1;
        if (path === 'chunk') {
          // A 200 stream whose non-JSON chunk echoes the request headers.
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end(`data: upstream proxy says ${echo}\n\n`);
          return 'handled';
        }
        if (path === 'escaped401') {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(`{"error":{"message":"Incorrect API key provided: ${KEY.replaceAll('/', '\\/')}"}}`);
          return 'handled';
        }
        if (path === 'valueonly') {
          // Only the variable's value of the `pre-${VAR}-post` header, in a plain-text error.
          res.writeHead(400, { 'content-type': 'text/plain' });
          res.end(`header rejected: ${String(req.headers['x-wrap']).slice(4, -5)}`);
          return 'handled';
        }
        if (path === 'streamerror') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end(`data: {"error":{"message":"key ${KEY.replaceAll('/', '\\u002f')} revoked"}}\n\n`);
          return 'handled';
        }
        if (path === 'splitchunk') {
          // issue 24: the key's first half in a content chunk, the rest in a malformed (cut) chunk.
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(`data: {"choices":[{"index":0,"delta":{"content":"the key is ${KEY.slice(0, HALF)}"}}]}\n\n`);
          res.end(`data: {"choices":[{"index":0,"delta":{"content":"${KEY.slice(HALF)} and more\n\n`);
          return 'handled';
        }
        return undefined;
      },
    });
    collector = await startCapturingCollector();
  });
  afterAll(async () => {
    await sim.close();
    await collector.close();
  });

  it('finds the fake key in no file, span, OTLP body, SSE message, API answer or report', async () => {
    const dir = tempDir('referee-leaks-');
    const base = sim.url.replace('http://', `http://leakuser:${URL_PASS}@`);
    const files = writeFiles(dir, {
      'agent.yaml': `name: leaky
kind: chat
llm:
  provider: openai
  base_url: ${base}
  model: gpt-4o-mini
  api_key_env: LEAK_KEY
  headers:
    X-Wrap: pre-\${LEAK_WRAP}-post
context_size: 16384
retries: { max_attempts: 1 }
`,
      'dataset.yaml': SMALL_DATASET,
    });
    const out = join(dir, 'runs');
    const r = await runCli(['run', '--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', out, '--run-id', 'leak', '--quiet'], {
      env: { LEAK_KEY: KEY, LEAK_WRAP: WRAPPED, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url.replace(/\/v1$/, ''), OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    });
    // Some of its tests are not answered (the failing paths): exit 5 says so (issue 22).
    expect([0, 1, 5]).toContain(r.code);
    // Every leak path was really taken, and its failure recorded.
    for (const path of ['chunk', 'escaped401', 'valueonly', 'streamerror', 'splitchunk', 'ok']) expect(served[path], path).toBeGreaterThan(0);
    const run = readRun(join(out, 'leak'));
    const errors = run.turns.map((t) => String(t.error ?? '')).filter(Boolean);
    expect(errors.some((e) => e.includes('unparsable stream chunk') && e.includes('authorization=Bearer [redacted]'))).toBe(true);
    expect(errors.some((e) => e.includes('Incorrect API key provided: [redacted]'))).toBe(true);
    expect(errors.some((e) => e.includes('header rejected: [redacted]'))).toBe(true);
    expect(errors.some((e) => e.includes('key [redacted] revoked'))).toBe(true);

    // Files: every one of the output root (run.json, JSONL, spans, metrics, report.html, history).
    const all = walk(out);
    expect(all.some((f) => f.endsWith('report.html'))).toBe(true);
    expect(all.some((f) => f.endsWith('spans.jsonl'))).toBe(true);
    for (const file of all) {
      const text = readFileSync(file, 'utf8');
      for (const s of SECRETS) for (const spelling of secretSpellings(s)) expect(text.includes(spelling), `${spelling} in ${file}`).toBe(false);
      // The malformed chunk's half of the key: the half before it is in the token stream, so this half must be nowhere.
      expect(text.includes(KEY.slice(HALF)), `the key's second half in ${file}`).toBe(false);
    }
    expect(errors.some((e) => /unparsable stream chunk .*\(\d+ bytes of cut or invalid JSON\)/.test(e))).toBe(true);
    const meta = readJson<{ agent_config: { llm: { base_url: string } } }>(join(out, 'leak/run.json'));
    expect(meta.agent_config.llm.base_url).toBe(sim.url.replace('http://', 'http://[redacted]@'));
    for (const s of SECRETS) expect(r.stdout + r.stderr).not.toContain(s);

    // OTLP: the collector got spans, and no secret.
    await waitFor(() => collector.requests.some((q) => JSON.stringify(q.body).includes('chat gpt-4o-mini')), 'OTLP spans');
    for (const q of collector.requests) {
      const body = JSON.stringify(q.body);
      for (const s of SECRETS) for (const spelling of secretSpellings(s)) expect(body.includes(spelling), `${spelling} in OTLP`).toBe(false);
    }

    // The monitor over the same runs: every API answer and the SSE stream.
    const monitor = await startMonitor({ runsDir: out, port: 0, heartbeatMs: 60_000 });
    try {
      await waitFor(async () => (await (await fetch(`${monitor.url}api/benchmark/runs`)).text()).includes('leak'), 'monitor to find the run', 10_000);
      const seen: string[] = [];
      for (const path of ['snapshot', 'status', 'runs', 'costs', 'metrics', 'workers']) {
        seen.push(await (await fetch(`${monitor.url}api/benchmark/${path}`)).text());
      }
      const sse = new SseClient(`${monitor.url}api/benchmark/telemetry/stream`);
      await sse.open();
      await waitFor(() => sse.events.find((e) => e.event === 'snapshot'), 'SSE snapshot', 10_000);
      sse.close();
      seen.push(...sse.events.map((e) => e.data));
      const joined = seen.join('\n');
      expect(joined).toContain('[redacted]@');
      for (const s of SECRETS) expect(joined).not.toContain(s);
    } finally {
      await monitor.close();
    }
  }, 120_000);
});
