/// <reference lib="dom" />
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { launchChromium, serveCli } from '../monitor/helpers.js';
import { runStats, writeBigRun, type BigRun } from './viewer-fixtures.js';

// issue 17: `referee monitor` serves at once beside a 100,000-turn run, shows it as loading
// (not with the numbers of its first few thousand turns), and its whole numbers once read.
describe('the monitor page beside a 100,000-turn run', () => {
  let browser: Browser;
  let monitor: { child: ChildProcess; url: string } | undefined;
  let page: Page;
  let big: BigRun;

  beforeAll(async () => {
    const root = tempDir('referee-monitor-loading-');
    big = await writeBigRun(root);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    // Every value the progress card and the status panel take, from before monitor.js runs.
    await page.addInitScript(() => {
      const w = window as unknown as { __seen: Record<string, string[]> };
      w.__seen = {};
      document.addEventListener('DOMContentLoaded', () => {
        for (const id of ['progress-done', 'progress-turns', 'status-text', 'cost-total']) {
          const el = document.getElementById(id)!;
          const seen = (w.__seen[id] = [] as string[]);
          new MutationObserver(() => seen.push(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true });
        }
      });
    });
    monitor = await serveCli('monitor', root);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    monitor?.child.kill('SIGINT');
  });

  it('shows the big run as loading, then its final numbers as runstats.json has them', async () => {
    await page.goto(monitor!.url);
    const text = (id: string) => page.locator(`#${id}`).innerText();
    const stats = runStats(big.dir);
    await expect.poll(() => text('progress-done'), { timeout: 120_000 }).toBe(`${stats.tests}/${stats.tests}`);
    expect(await text('progress-turns')).toBe(`${big.turns}/${big.turns}`);
    expect(await text('kpi-okko')).toBe(`${Math.round((100 * stats.pass) / stats.tests)}% / ${Math.round((100 * (stats.tests - stats.pass)) / stats.tests)}% / 0%`);
    expect(await text('status-text')).toBe('DONE');
    const recent = page.locator('#recent-rows tr', { hasText: big.runId });
    await expect.poll(() => recent.locator('td:nth-child(5)').innerText(), { timeout: 20_000 }).toBe(`${stats.score}/${stats.max_score}`);
    expect(await recent.locator('td:nth-child(6)').innerText()).toBe(`${Math.round((100 * stats.pass) / stats.tests)}%`);
    // Before that, while the run was read behind the first answer: "loading", and never a partial count.
    const seen = await page.evaluate(() => (window as unknown as { __seen: Record<string, string[]> }).__seen);
    expect(seen['status-text']).toContain('LOADING');
    expect(seen['progress-done']).toContain('loading…');
    const partial = (v: string) => /^\d+\/\d+$/.test(v) && v !== `${stats.tests}/${stats.tests}`;
    expect(seen['progress-done']!.filter(partial)).toEqual([]);
    expect(seen['progress-turns']!.filter((v) => /^\d+\/\d+$/.test(v) && v !== `${big.turns}/${big.turns}`)).toEqual([]);
    await page.screenshot({ path: join(ROOT, 'test-output', 'monitor-loaded-100k.png'), fullPage: false });
  });
});
