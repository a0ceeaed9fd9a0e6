/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { ROOT, tempDir } from '../helpers.js';
import { writeResumedRun, writeRetriedTaskRun, writeSuiteRuns } from '../monitor/fixture-runs.js';

const SHOTS = join(ROOT, 'test-output');

// issue 17: `referee view` over fixture runs (a task run with retries, a resumed LTM run).
describe('the viewer in Chromium', () => {
  let browser: Browser;
  let monitor: MonitorServer;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const root = tempDir('referee-viewer-');
    writeRetriedTaskRun(root);
    writeResumedRun(root);
    writeSuiteRuns(root);
    monitor = await startMonitor({ runsDir: root, port: 0, pollMs: 50, discoverMs: 100 });
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1300, height: 1100 } });
    await page.goto(new URL('/view', monitor.url).toString());
  });
  afterAll(async () => {
    await browser?.close();
    await monitor?.close();
  });

  const rows = (sel: string) => page.locator(sel).allInnerTexts();

  it('lists the runs, and filters them by kind, score and search', async () => {
    await expect.poll(() => page.locator('#runs tr').count(), { timeout: 15_000 }).toBe(6);
    expect(await page.locator('#runs-count').innerText()).toBe('6 of 6');
    await page.selectOption('#kind', 'tasks');
    await expect.poll(() => rows('#runs tr td:nth-child(2)')).toEqual(['tasks-retried']);
    await page.selectOption('#kind', '');
    await page.selectOption('#min-score', '0.5');
    // tasks-retried 2/3, ltm-resumed 1/2, the suite's cells 4/4, 3/4, 1/4, 2/4.
    await expect.poll(() => rows('#runs tr td:nth-child(2)').then((r) => r.sort())).toEqual(['demo-strong-math', 'demo-strong-trivia', 'demo-weak-trivia', 'ltm-resumed', 'tasks-retried']);
    await page.selectOption('#min-score', '0.9');
    await expect.poll(() => rows('#runs tr td:nth-child(2)')).toEqual(['demo-strong-math']);
    await page.selectOption('#min-score', '');
    await page.fill('#q', 'names');
    await expect.poll(() => rows('#runs tr td:nth-child(2)')).toEqual(['ltm-resumed']);
    await page.fill('#q', '');
    await expect.poll(() => page.locator('#runs tr').count()).toBe(6);
  });

  it('shows a suite as a matrix of agents x datasets, a cell opening its samples', async () => {
    await expect.poll(() => rows('#matrix-rows tr')).toEqual(['strong\t100% (4/4)\t75% (3/4)', 'weak\t25% (1/4)\t50% (2/4)']);
    expect(await rows('#matrix-head tr')).toEqual(['agent / dataset\tmath\ttrivia']);
    await page.locator('#matrix-rows tr', { hasText: 'weak' }).locator('td.matrix-cell').nth(1).click();
    await expect.poll(() => page.locator('#run-id').innerText()).toBe('demo-weak-trivia');
    await expect.poll(() => rows('#samples tr td:nth-child(3)')).toEqual(['pass', 'pass', 'fail', 'fail']);
    await page.screenshot({ path: join(SHOTS, 'viewer-matrix.png'), fullPage: true });
  });

  it('opens a run: its samples, filtered by pass/fail and searched', async () => {
    await page.locator('#runs tr', { hasText: 'tasks-retried' }).click();
    await expect.poll(() => rows('#samples tr')).toEqual(['a\tqa\tpass\t1/1\t1', 'b\tqa\tfail\t0/1\t1', 'c\tqa\tpass\t1/1\t1']);
    expect(await page.locator('#run-summary').innerText()).toContain('3/3 tests · 67% pass');
    await page.selectOption('#sample-status', 'fail');
    await expect.poll(() => rows('#samples tr td:first-child')).toEqual(['b']);
    await page.selectOption('#sample-status', '');
    await page.fill('#sample-q', 'c');
    await expect.poll(() => rows('#samples tr td:first-child')).toEqual(['c']);
  });

  it('opens a sample: verdict, reasons and messages, model text shown as text', async () => {
    await page.locator('#runs tr', { hasText: 'ltm-resumed' }).click();
    await page.locator('#samples tr', { hasText: 'names/0' }).click();
    await expect.poll(() => page.locator('#sample-verdict').innerText()).toBe('FAIL · score 0/1\nwrong');
    const agent = await page.locator('#sample-turns pre.msg-agent').allInnerTexts();
    expect(agent).toEqual(['Noted.', '<img src=x onerror="document.title=\'pwned\'">Bob</script>']);
    expect(await page.locator('#sample-turns img').count()).toBe(0);
    expect(await page.title()).toBe('Referee · runs');
    await page.screenshot({ path: join(SHOTS, 'viewer-sample.png'), fullPage: true });
  });

  it('compares any two runs side by side', async () => {
    await page.selectOption('#cmp-a', 'demo-weak-math');
    await page.selectOption('#cmp-b', 'demo-strong-math');
    await page.click('#cmp-go');
    await expect.poll(() => rows('#cmp-rows tr')).toContain('score\t1/4\t4/4\t3');
    expect(await rows('#cmp-rows tr')).toContain('success rate\t25%\t100%\t75 pts');
    await page.screenshot({ path: join(SHOTS, 'viewer-compare.png'), fullPage: true });
  });

  it('exports a run’s results as CSV and JSON', async () => {
    await page.locator('#runs tr', { hasText: 'tasks-retried' }).click();
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    expect(csv.suggestedFilename()).toBe('tasks-retried-results.csv');
    const text = await (await fetch(new URL((await page.locator('#export-csv').getAttribute('href'))!, monitor.url))).text();
    expect(text.trim().split('\n')).toEqual([
      'test_id,dataset,status,score,max_score,turns,reasons',
      'a,qa,pass,1,1,1,attempt 1: pass',
      'b,qa,fail,0,1,1,attempt 1: fail | attempt 2: fail: timeout',
      'c,qa,pass,1,1,1,attempt 2: pass',
    ]);
    const json = (await (await fetch(new URL((await page.locator('#export-json').getAttribute('href'))!, monitor.url))).json()) as { results: { test_id: string; score: number }[] };
    expect(json.results.map((r) => [r.test_id, r.score])).toEqual([['a', 1], ['b', 0], ['c', 1]]);
  });
});
