/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { readJson, ROOT, runCli, tempDir } from '../helpers.js';
import { launchChromium } from '../monitor/helpers.js';

/**
 * issue 21: the live page open while a GoodAI v3 run goes on ends on that run's own figures, as
 * runstats.json has them: every turn done of a total that was an estimate and is now exact, the
 * tests, the tokens in and out, no ETA, no worker still running. It showed 174/181 turns and an
 * older token count when the page missed the last events.
 */
describe('the live monitor page after a run it watched', () => {
  let browser: Browser;
  let monitor: MonitorServer;
  let page: Page;
  let root: string;

  beforeAll(async () => {
    root = tempDir('referee-monitor-final-');
    monitor = await startMonitor({ runsDir: root, port: 0, pollMs: 50, discoverMs: 100 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1500 } });
    await page.goto(monitor.url);
  });
  afterAll(async () => {
    await browser?.close();
    await monitor?.close();
  });

  it('shows the finished v3 run’s turns, tests and tokens exactly as runstats.json does', async () => {
    const r = await runCli(['run', '--dataset-config', join(ROOT, 'configs/datasets/benchmark-v3-1k.yaml'), '--runs-dir', root, '--run-id', 'v3', '--quiet'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const stats = readJson<{ turns: number; tokens_in: number; tokens_out: number; tests: unknown[] }>(join(root, 'v3', 'runstats.json'));
    const text = (id: string) => page.locator(`#${id}`).innerText();
    await expect.poll(() => text('progress-turns'), { timeout: 15_000 }).toBe(`${stats.turns}/${stats.turns}`);
    expect(await text('progress-done')).toBe(`${stats.tests.length}/${stats.tests.length}`);
    await expect.poll(() => page.locator('#cost-rows').innerText(), { timeout: 5000 }).toContain(`${stats.tokens_in} in / ${stats.tokens_out} out`);
    await expect.poll(() => page.locator('#worker-rows').innerText(), { timeout: 5000 }).not.toContain('running');
    // The dataset card counts that dataset's tests done, not its place among the datasets.
    expect(await text('kpi-dataset-pos')).toMatch(/^\S.*: (\d+)\/\1 tests done \(dataset \d+ of \d+\)$/);
  });
});
