import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonl, runCli, tempDir } from '../helpers.js';

interface TraceLine {
  resourceSpans: { resource: { attributes: { key: string }[] }; scopeSpans: { spans: { traceId: string; spanId: string; startTimeUnixNano: string; name: string }[] }[] }[];
}

/** A real OTLP/HTTP JSON receiver on loopback that keeps what it is sent. */
function receiver(): Promise<{ server: Server; url: string; received: { path: string; type: string; body: string }[] }> {
  const received: { path: string; type: string; body: string }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', type: req.headers['content-type'] ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received })));
}

/** A port nothing listens on: bind, note the port, close. */
async function deadEndpoint(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}`;
}

const spanIds = (lines: TraceLine[]): string[] =>
  lines.flatMap((l) => l.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => `${s.traceId}/${s.spanId}/${s.startTimeUnixNano}/${s.name}`)))).sort();

describe('a run with the collector down, replayed later', () => {
  let out: string;
  let runDir: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  let rx: Awaited<ReturnType<typeof receiver>>;

  beforeAll(async () => {
    out = tempDir();
    runDir = join(out, 'offline');
    rx = await receiver();
    run = await runCli(['run', '--output-dir', out, '--run-id', 'offline', '--quiet'], {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: await deadEndpoint(), OTEL_METRIC_EXPORT_INTERVAL: '200' },
    });
  });
  afterAll(() => rx.server.close());

  it('completes normally with every span in spans.jsonl', () => {
    expect(run.code, run.stderr).toBe(0);
    const names = spanIds(readJsonl<TraceLine>(join(runDir, 'spans.jsonl'))).map((s) => s.split('/')[3]);
    expect(names.filter((n) => n === 'benchmark.run')).toHaveLength(1);
    expect(names.filter((n) => n === 'benchmark.turn').length).toBeGreaterThan(20);
  });

  it('`referee replay` re-sends every span and metric line with its original ids and timestamps', async () => {
    const r = await runCli(['replay', runDir, '--endpoint', rx.url]);
    expect(r.code, r.stderr).toBe(0);
    const traces = rx.received.filter((q) => q.path === '/v1/traces');
    const metrics = rx.received.filter((q) => q.path === '/v1/metrics');
    expect(traces.every((q) => q.type === 'application/json')).toBe(true);
    const sent = spanIds(traces.map((q) => JSON.parse(q.body) as TraceLine));
    expect(sent).toEqual(spanIds(readJsonl<TraceLine>(join(runDir, 'spans.jsonl'))));
    expect(metrics.map((q) => q.body)).toEqual(readJsonl(join(runDir, 'metrics.jsonl')).map((l) => JSON.stringify(l)));
    expect(r.stdout).toMatch(new RegExp(`replayed ${sent.length} spans`));
    // The resource still names the Phoenix project and the run.
    const resourceKeys = (JSON.parse(traces[0]!.body) as TraceLine).resourceSpans[0]!.resource.attributes.map((a) => a.key);
    expect(resourceKeys).toEqual(expect.arrayContaining(['service.name', 'openinference.project.name', 'referee.run_id']));
  });

  it('says in one line when the endpoint cannot be reached, exit 1; a missing run directory is exit 2', async () => {
    const dead = await runCli(['replay', runDir, '--endpoint', await deadEndpoint()]);
    expect(dead.code).toBe(1);
    expect(dead.stderr.trim().split('\n')).toHaveLength(1);
    expect(dead.stderr).toMatch(/could not send \(ECONNREFUSED\)/);
    const missing = await runCli(['replay', join(out, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope: no spans.jsonl or metrics.jsonl/);
  });

  it('honours the signal-specific endpoints: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT alone sends traces only, to that very URL', async () => {
    rx.received.length = 0;
    const r = await runCli(['replay', runDir], { env: { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${rx.url}/custom/traces` } });
    expect(r.code, r.stderr).toBe(0);
    expect(new Set(rx.received.map((q) => q.path))).toEqual(new Set(['/custom/traces']));
    expect(rx.received).toHaveLength(readJsonl(join(runDir, 'spans.jsonl')).length);
    expect(r.stdout).toContain('no metrics (no metrics endpoint)');
  });

  it('a traces-only receiver (Phoenix answers 405 on /v1/metrics) gets every span; metrics are left out in one line, exit 0', async () => {
    const received: string[] = [];
    const phoenixLike = createServer((req, res) => {
      received.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.writeHead(req.url === '/v1/traces' ? 200 : 405).end(req.url === '/v1/traces' ? '{}' : 'Method Not Allowed'));
    });
    await new Promise<void>((r) => phoenixLike.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(phoenixLike.address() as AddressInfo).port}`;
      const r = await runCli(['replay', runDir, '--endpoint', url]);
      expect(r.code, r.stderr).toBe(0);
      expect(received.filter((p) => p === '/v1/traces')).toHaveLength(readJsonl(join(runDir, 'spans.jsonl')).length);
      expect(received.filter((p) => p === '/v1/metrics')).toHaveLength(1);
      expect(r.stdout).toContain(`no metrics (${url}/v1/metrics takes no metrics (HTTP 405))`);
    } finally {
      phoenixLike.close();
    }
  });
});
