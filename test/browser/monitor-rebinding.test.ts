/// <reference lib="dom" />
/**
 * issue 14: the DNS-rebinding attack as the issue ran it, in real Chromium. A
 * name the attacker controls (rebind.evil.test, mapped to 127.0.0.1 by the
 * browser's resolver rules) reaches the monitor's port: the monitor answers
 * 403 and the page's script reads nothing. The same monitor still serves its
 * own page at 127.0.0.1, with the live snapshot.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { tempDir } from '../helpers.js';

let browser: Browser;
let monitor: MonitorServer;
const RUN_ID = `secret-run-${process.pid}`;

beforeAll(async () => {
  const root = tempDir('referee-rebind-');
  const dir = join(root, RUN_ID);
  mkdirSync(dir);
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ run_id: RUN_ID, status: 'running', agent_config: { name: 'a', llm: { provider: 'sim', model: 'sim-1' } } }));
  writeFileSync(join(dir, 'events.jsonl'), `${JSON.stringify({ type: 'run_start', ts: new Date().toISOString(), run_id: RUN_ID })}\n`);
  monitor = await startMonitor({ runsDir: root, port: 0 });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--host-resolver-rules=MAP rebind.evil.test 127.0.0.1'],
  });
});

afterAll(async () => {
  await browser?.close();
  await monitor?.close();
});

describe('DNS rebinding against the monitor', () => {
  it('a page on a rebound name gets 403 and reads no run data', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`http://rebind.evil.test:${monitor.port}/`);
    expect(response?.status()).toBe(403);
    // The attacker's script runs same-origin with that name: every API read is refused.
    const reads = await page.evaluate(async () => {
      const out: { status: number; body: string }[] = [];
      for (const path of ['/api/benchmark/snapshot', '/api/benchmark/runs', '/api/benchmark/status']) {
        const r = await fetch(path);
        out.push({ status: r.status, body: await r.text() });
      }
      return out;
    });
    for (const r of reads) {
      expect(r.status).toBe(403);
      expect(r.body).not.toContain(RUN_ID);
    }
    await page.close();
  });

  it('the monitor still serves its own page at 127.0.0.1, snapshot included', async () => {
    const page = await browser.newPage();
    const response = await page.goto(monitor.url);
    expect(response?.status()).toBe(200);
    const snapshot = await page.evaluate(async () => (await fetch('/api/benchmark/snapshot')).text());
    expect(snapshot).toContain(RUN_ID);
    const sse = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const es = new EventSource('/api/benchmark/telemetry/stream');
          es.addEventListener('snapshot', (e) => {
            es.close();
            resolve((e as MessageEvent<string>).data);
          });
          es.onerror = () => resolve('error');
        }),
    );
    expect(sse).toContain(RUN_ID);
    await page.close();
  });
});
