/**
 * A collector that goes down for part of a run ends with every span: the spans
 * whose export failed are sent again from spans.jsonl before the process exits,
 * each once. And a collector that never answers costs the exit no wait (its time
 * is measured in bench/telemetry-dead-collector.mjs): the run ends with every
 * span in its JSONL record. Real CLI runs and a real OTLP/HTTP receiver.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, runCli, tempDir } from '../helpers.js';
import { writeSlowAgent } from '../monitor/helpers.js';
import type { TraceRequest } from './otlp-receivers.js';

interface Span {
  traceId: string;
  spanId: string;
}
const spansOf = (req: TraceRequest): Span[] => req.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans as unknown as Span[]));
const recordedIds = (runDir: string): string[] =>
  existsSync(join(runDir, 'spans.jsonl'))
    ? readFileSync(join(runDir, 'spans.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .flatMap((l) => spansOf(JSON.parse(l) as TraceRequest).map((s) => s.spanId))
    : [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An OTLP/HTTP JSON receiver that can be stopped and started again on the same port. */
class Collector {
  readonly spanIds: string[] = [];
  requests = 0;
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          this.requests++;
          this.spanIds.push(...spansOf(JSON.parse(body) as TraceRequest).map((s) => s.spanId));
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', r));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

async function until(probe: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('a collector down for part of the run', () => {
  it('receives every span of the run by its end, each once: the failed ones sent again from spans.jsonl, counted in runstats.json and the summary', async () => {
    const dir = tempDir('referee-outage-');
    // About 47 turns of 250 ms: long enough for an outage in the middle.
    const agent = writeSlowAgent(dir, { ttftMs: 250, tokensPerS: 400 });
    const collector = new Collector();
    await collector.start();
    const runDir = join(dir, 'o');
    const run = runCli(['run', '--agent-config', agent, '--output-dir', dir, '--run-id', 'o', '--progress-interval', '600'], {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.port}`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_EXPORTER_OTLP_TIMEOUT: '500' },
      timeoutMs: 180_000,
    });
    // Down once the first spans arrived, for longer than the exporter's own retries last (0.5 s here), and up
    // again only after the run recorded more spans meanwhile.
    await until(() => collector.requests > 0, 'the first export');
    await collector.stop();
    const stoppedAt = Date.now();
    const recordedAtStop = recordedIds(runDir).length;
    await until(() => Date.now() - stoppedAt > 2000 && recordedIds(runDir).length >= recordedAtStop + 20, 'spans recorded while the collector is down');
    await collector.start();
    const r = await run;
    await collector.stop();
    expect(r.code, r.stderr).toBe(0);
    const recorded = recordedIds(runDir);
    expect(recorded.length).toBeGreaterThan(100);
    expect(new Set(collector.spanIds)).toEqual(new Set(recorded));
    expect(collector.spanIds).toHaveLength(new Set(collector.spanIds).size);
    // Sent again at the run's end, before runstats.json: the run's own figures say how many.
    const stats = readJson<{ spans_resent?: number; spans_unsent?: number }>(join(runDir, 'runstats.json'));
    expect(stats.spans_resent).toBeGreaterThan(0);
    expect(stats.spans_unsent).toBe(0);
    expect(r.stderr).toContain(`; ${stats.spans_resent} spans sent again to the collector after failed exports\n`);
    expect(r.stderr).not.toMatch(/could not be exported|still unsent/);
  });
});

describe('a collector that never answers', () => {
  it('the run exits 0 with every span in spans.jsonl, none exported, and says how to send them', async () => {
    const dir = tempDir('referee-dead-');
    const r = await runCli(['run', '--output-dir', dir, '--run-id', 'd', '--quiet'], { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }, timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    const recorded = recordedIds(join(dir, 'd'));
    expect(recorded.length).toBeGreaterThan(100);
    expect(r.stderr).toContain(`referee: telemetry warning: ${recorded.length} spans could not be exported; they are in spans.jsonl (referee replay RUN_DIR sends them)`);
    // All but the spans still ending at the exit are counted in the run's own figures.
    const stats = readJson<{ spans_resent?: number; spans_unsent?: number }>(join(dir, 'd', 'runstats.json'));
    expect(stats.spans_resent).toBe(0);
    expect(stats.spans_unsent).toBeGreaterThan(100);
  });
});
