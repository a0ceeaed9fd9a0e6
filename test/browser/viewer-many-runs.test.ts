/// <reference lib="dom" />
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { ROOT, tempDir } from '../helpers.js';
import { launchChromium } from '../monitor/helpers.js';

const RUNS = 1000;

// issue 21: the run list over 1,000 runs draws only the rows in view (TanStack Virtual), and
// every run is still reachable: by scrolling, by the keyboard, and by a sort.
describe('the run list over 1,000 runs', () => {
  let browser: Browser;
  let monitor: MonitorServer;
  let page: Page;

  beforeAll(async () => {
    const root = tempDir('referee-many-runs-');
    const { writeSmallRun } = (await import(pathToFileURL(join(ROOT, 'bench/fixtures/small-runs.mjs')).href)) as { writeSmallRun: (dir: string, id: string) => void };
    for (let i = 0; i < RUNS; i++) writeSmallRun(root, `run-${String(i).padStart(4, '0')}`);
    monitor = await startMonitor({ runsDir: root, port: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await monitor?.close();
  });

  const drawn = () => page.locator('#runs tr.run-row').count();
  const ids = () => page.locator('#runs tr.run-row td:nth-child(2)').allInnerTexts();

  it('counts all 1,000, draws a screenful, and reaches the last by scrolling, the keyboard and a sort', async () => {
    await page.goto(new URL('/view#/', monitor.url).toString());
    await expect.poll(() => page.locator('#runs-count').innerText(), { timeout: 30_000 }).toBe(`${RUNS} of ${RUNS}`);
    const first = await drawn();
    expect(first).toBeGreaterThan(10);
    expect(first).toBeLessThan(100);
    // Sorted by run id, A to Z: the list starts at run-0000.
    await page.locator('th[data-col="run"] button').click();
    await expect.poll(async () => (await ids())[0]).toBe('run-0000');
    // Scrolled to its end, the list draws the last runs, and still only a screenful.
    await page.locator('.table-scroll').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect.poll(async () => (await ids()).at(-1)).toBe('run-0999');
    expect(await drawn()).toBeLessThan(100);
    // The keyboard walks past what was drawn: from the top, ↓ sixty times reaches run-0060.
    await page.locator('.table-scroll').evaluate((el) => el.scrollTo(0, 0));
    await expect.poll(async () => (await ids())[0]).toBe('run-0000');
    await page.locator('#runs tr.run-row').first().focus();
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('ArrowDown');
      // A row not drawn yet is focused once the list has scrolled to it.
      await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset['key'])).toBe(`run-${String(i + 1).padStart(4, '0')}`);
    }
    await page.keyboard.press('Enter');
    await expect.poll(() => decodeURIComponent(new URL(page.url()).hash)).toBe('#/run/run-0060');
  });
});
