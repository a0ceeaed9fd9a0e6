/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { ROOT, tempDir } from '../helpers.js';
import { writeRetriedTaskRun } from '../monitor/fixture-runs.js';

const SHOTS = join(ROOT, 'test-output');

// issue 17: what the page shows for a run whose true numbers are known.
describe('the monitor page over a finished task run with retries (seed 004 route)', () => {
  let browser: Browser;
  let monitor: MonitorServer;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const root = tempDir('referee-browser-numbers-');
    writeRetriedTaskRun(root);
    monitor = await startMonitor({ runsDir: root, port: 0, pollMs: 50, discoverMs: 100, computeHourlyUsd: 1.5 });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1500 } });
  });
  afterAll(async () => {
    await browser?.close();
    await monitor?.close();
  });

  it('shows turns, attempts, speed, verdict, stages, the success chart and the workers as they truly were', async () => {
    const r = await page.goto(new URL('/docs/benchmark_monitor.html', monitor.url).toString());
    expect(r?.status()).toBe(200);
    const text = (id: string) => page.locator(`#${id}`).innerText();
    await expect.poll(() => text('progress-turns'), { timeout: 15_000 }).toBe('3/3');
    expect(await text('progress-done')).toBe('3/3');
    expect(await text('kpi-speed')).toBe('18.2 tok/s');
    expect(await text('kpi-task-status')).toBe('PASS');
    expect(await text('kpi-task')).toBe('c · turn 4');
    expect(await text('kpi-attempt')).toBe('2');
    const stages = await page.locator('#stages .stage').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-stage')}:${e.querySelector('em')!.textContent}`));
    expect(stages).toEqual(['cooling:', 'waiting:200 ms', 'thinking:', 'streaming:1.8 s', 'evaluating:100 ms', 'done:0 ms']);
    // The success chart drew (a, b, c: 100%, 50%, 67%), not its empty overlay.
    expect(await page.locator('#overlay-success').isHidden()).toBe(true);
    await expect.poll(() => text('workers-count'), { timeout: 5000 }).toBe('0/1 active');
    expect(await page.locator('#worker-rows tr').allInnerTexts()).toEqual([expect.stringMatching(/^tasks-retried\/lane-0\tdone\t—\t3\t3\t/)]);
    await expect.poll(() => page.locator('#cost-rows').innerText(), { timeout: 5000 }).toContain('$0.0027');
    await page.screenshot({ path: join(SHOTS, 'monitor-numbers.png'), fullPage: true });
  });
});
