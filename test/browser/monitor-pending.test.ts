/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { ROOT, tempDir } from '../helpers.js';
import { launchChromium, liveEvents, spawnRun, writeSlowAgent, writeSmallDataset } from '../monitor/helpers.js';

interface Queued {
  task_id: string;
  status: string;
  wait: { tokens: number; tokens_left: number | null; time_s: number } | null;
}

/** The tests the run's own events.jsonl says have ended. */
function endedTests(runDir: string): Set<string> {
  return new Set(liveEvents<{ type: string; test_id: string }>(runDir).filter((e) => e.type === 'test_end').map((e) => e.test_id));
}

// issue 17 (seeds 002/004): the LTM pending queue on the monitor page, during a real GoodAI-schedule run.
describe('the pending tests panel during a live LTM run', () => {
  let browser: Browser;
  let monitor: MonitorServer;
  let page: Page;
  let out: string;

  beforeAll(async () => {
    out = tempDir('referee-browser-pending-');
    monitor = await startMonitor({ runsDir: out, port: 0, pollMs: 100, discoverMs: 200 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1400 } });
  });
  afterAll(async () => {
    await browser?.close();
    await monitor?.close();
  });

  const shown = () => page.locator('#pending-rows tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
  const waitsFor = (q: Queued): string =>
    q.status === 'pending'
      ? 'its start'
      : !q.wait
        ? 'its next turn'
        : q.wait.tokens_left === 0
          ? `a lane (its ${q.wait.tokens} tokens passed)`
          : `${q.wait.tokens_left} of ${q.wait.tokens} tokens`;

  it('lists the waiting and unstarted tests as the run itself has them, and drops a test once it ends', async () => {
    await page.goto(monitor.url);
    await page.waitForSelector('body[data-conn="live"]');
    const run = spawnRun(['--agent-config', writeSlowAgent(out, { ttftMs: 1200, tokensPerS: 40 }), '--dataset-config', writeSmallDataset(out), '--output-dir', out, '--run-id', 'live']);
    try {
      // The page's rows, as the API has the queue: the same ids, each waiting for what the API says.
      let listed: string[][] = [];
      await expect
        .poll(
          async () => {
            const api = (await (await fetch(new URL('/api/benchmark/status?run=live', monitor.url))).json()) as { queue: Queued[]; queue_length: number };
            listed = await shown();
            const want = api.queue.map((q) => [q.task_id, waitsFor(q)]);
            const waiting = api.queue.some((q) => q.wait !== null);
            return waiting && JSON.stringify(listed.map((r) => [r[0], r[2]])) === JSON.stringify(want) && (await page.locator('#pending-count').innerText()) === String(api.queue_length);
          },
          { timeout: 60_000, interval: 100 },
        )
        .toBe(true);
      const waitingId = listed.find((r) => /tokens/.test(r[2]!))![0]!;
      expect(endedTests(join(out, 'live')).has(waitingId)).toBe(false);
      await page.screenshot({ path: join(ROOT, 'test-output', 'monitor-pending.png'), fullPage: true });

      // Once the run records that test's end, the panel drops it (no reload), while the run still has others waiting.
      await expect.poll(() => endedTests(join(out, 'live')).has(waitingId), { timeout: 60_000, interval: 50 }).toBe(true);
      await expect
        .poll(
          async () => {
            const ids = (await shown()).map((r) => r[0]);
            return !ids.includes(waitingId) && ids.length > 0;
          },
          { timeout: 10_000, interval: 100 },
        )
        .toBe(true);
      const result = await run.done;
      expect(result.code, result.stderr).toBe(0);
      // A finished run waits for nothing.
      await expect.poll(() => shown(), { timeout: 10_000 }).toEqual([]);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
