import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

interface Received {
  path: string;
  contentType: string;
  body: string;
}

/** A real OTLP/HTTP receiver on loopback that records what it is sent. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: String(req.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((r) => server.close(() => r())) };
}

describe('OTLP/HTTP export from the standard variables', () => {
  it('sends the run\'s spans and metrics as OTLP JSON to OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const receiver = await startReceiver();
    try {
      const r = await runCli(['run', '--output-dir', tempDir(), '--quiet'], {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, PHOENIX_PROJECT_NAME: 'referee-otlp-test' },
      });
      expect(r.code, r.stderr).toBe(0);
      const traces = receiver.received.filter((x) => x.path === '/v1/traces');
      const metrics = receiver.received.filter((x) => x.path === '/v1/metrics');
      expect(traces.length).toBeGreaterThan(0);
      expect(metrics.length).toBeGreaterThan(0);
      expect(traces[0]!.contentType).toContain('application/json');
      const spans = traces.flatMap(
        (t) =>
          (JSON.parse(t.body) as { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { name: string }[] }[] }[] }).resourceSpans,
      );
      const names = new Set(spans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans.map((sp) => sp.name))));
      expect(names).toContain('benchmark.turn');
      expect(names).toContain('chat sim-1');
      const resource = spans[0]!.resource.attributes;
      expect(resource.find((a) => a.key === 'openinference.project.name')?.value.stringValue).toBe('referee-otlp-test');
      expect(resource.find((a) => a.key === 'service.name')?.value.stringValue).toBe('referee');
      const metricNames = metrics.flatMap((m) => [...m.body.matchAll(/"name":"([^"]+)"/g)].map((x) => x[1]));
      expect(metricNames).toContain('gen_ai.client.operation.duration');
      expect(metricNames).toContain('referee.turns');
    } finally {
      await receiver.close();
    }
  });

  it('speaks protobuf when OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf (what Phoenix accepts)', async () => {
    const receiver = await startReceiver();
    try {
      const r = await runCli(['run', '--output-dir', tempDir(), '--quiet'], {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' },
      });
      expect(r.code, r.stderr).toBe(0);
      const traces = receiver.received.filter((x) => x.path === '/v1/traces');
      expect(traces.length).toBeGreaterThan(0);
      expect(traces[0]!.contentType).toContain('application/x-protobuf');
    } finally {
      await receiver.close();
    }
  });
});
