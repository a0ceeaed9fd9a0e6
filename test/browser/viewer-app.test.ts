/// <reference lib="dom" />
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { readJson, readJsonl, ROOT, runCli, tempDir } from '../helpers.js';
import { launchChromium } from '../monitor/helpers.js';
import { writeRealRuns } from './viewer-fixtures.js';

const SHOTS = resolve(ROOT, process.env['REFEREE_SCREENSHOTS_DIR'] ?? 'test-output');
const PHOENIX = 'http://phoenix.example:6006';

/**
 * issue 21: the viewer as one app with routes, over real runs of every kind: deep links and the
 * back button, sorting, keyboard navigation, the sample view's parts, the per-sample diff, the
 * LTM timeline, the Phoenix link, and the same app as a static bundle opened from file://.
 */
describe('the viewer app: routes, sorting, keys, samples, compare, bundle', () => {
  let browser: Browser;
  let monitor: MonitorServer;
  let page: Page;
  let root: string;
  let base: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    root = tempDir('referee-viewer-app-');
    await writeRealRuns(root, tempDir('referee-viewer-app-cfg-'));
    monitor = await startMonitor({ runsDir: root, port: 0, pollMs: 50, discoverMs: 100, phoenixUrl: PHOENIX });
    base = new URL('/view', monitor.url).toString();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await monitor?.close();
  });

  const texts = (sel: string) => page.locator(sel).allInnerTexts();
  const hash = () => decodeURIComponent(new URL(page.url()).hash);

  it('gives a run and a sample their own address: a deep link opens them, the back button returns', async () => {
    const ltm = readJson<{ tests: { test_id: string }[] }>(join(root, 'ltm-chat', 'runstats.json'));
    const test = ltm.tests[0]!.test_id;
    await page.goto(`${base}#/run/ltm-chat/sample/${encodeURIComponent(test)}`);
    await expect.poll(() => page.locator('#run-id').innerText()).toBe('ltm-chat');
    await expect.poll(() => page.locator('#sample-id').innerText()).toBe(test);
    await page.goto(`${base}#/`);
    await page.locator('#runs tr.run-row', { hasText: 'tasks-mini' }).click();
    await expect.poll(hash).toBe('#/run/tasks-mini');
    await page.locator('#samples tr').first().click();
    await expect.poll(hash).toMatch(/^#\/run\/tasks-mini\/sample\//);
    await page.goBack();
    await expect.poll(hash).toBe('#/run/tasks-mini');
    await page.goBack();
    await expect.poll(() => page.locator('#runs tr.run-row').count()).toBeGreaterThan(5);
  });

  it('sorts the run list by a column header, both ways, and the samples over every page', async () => {
    await page.goto(`${base}#/`);
    await expect.poll(() => page.locator('#runs tr.run-row').count()).toBeGreaterThan(5);
    // A match's two sides stay together under their entry: the other rows follow the sort.
    const runIds = () => texts('#runs tr.run-row:not(.match-side) td:nth-child(2)');
    await page.locator('th[data-col="run"] button').click();
    const asc = await runIds();
    expect(asc).toEqual([...asc].sort((a, b) => a.localeCompare(b)));
    expect(await page.locator('th[data-col="run"]').getAttribute('aria-sort')).toBe('ascending');
    await page.locator('th[data-col="run"] button').click();
    expect(await runIds()).toEqual([...asc].reverse());
    // Samples: sorted by score on the server, so the failures come first over the whole run.
    await page.goto(`${base}#/run/tasks-mini`);
    await expect.poll(() => page.locator('#samples tr').count()).toBeGreaterThan(0);
    await page.locator('#run th[data-col="score"] button').click();
    const stats = readJson<{ tests: { score: number; max_score: number }[] }>(join(root, 'tasks-mini', 'runstats.json'));
    const zero = stats.tests.filter((t) => t.score === 0).length;
    await expect.poll(() => texts('#samples tr td:nth-child(4)')).toEqual([...Array(zero).fill('0/1'), ...Array(stats.tests.length - zero).fill('1/1')]);
  });

  it('moves through rows with the keyboard: Tab reaches a row, arrows move, Enter opens', async () => {
    await page.goto(`${base}#/`);
    await expect.poll(() => page.locator('#runs tr.run-row').count()).toBeGreaterThan(5);
    await page.locator('#runs tr.run-row').first().focus();
    await page.keyboard.press('ArrowDown');
    const second = await page.locator('#runs tr.run-row').nth(1).getAttribute('data-key');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset['key'])).toBe(second);
    await page.keyboard.press('Enter');
    await expect.poll(hash).toBe(`#/run/${second}`);
    // Tab from the page's start lands on a control, never on <body>.
    await page.goto(`${base}#/`);
    await page.reload();
    await expect.poll(() => page.locator('#runs tr.run-row').count()).toBeGreaterThan(5);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('BODY');
  });

  it('shows a sample: the question marked, PASS or WRONG, expected against given, latency and tokens, metadata, the Phoenix link', async () => {
    const results = readJsonl<{ test_id: string; score: number; expected_responses: unknown[] }>(join(root, 'tasks-mini', 'results', 'sim-mini', 'results.jsonl'));
    const wrong = results.find((r) => r.score === 0)!;
    const metrics = readJsonl<{ test_id: string; total_ms: number; tokens_in: number; tokens_out: number; span_id?: string }>(join(root, 'tasks-mini', 'turn_metrics.jsonl')).filter((m) => m.test_id === wrong.test_id);
    const call = metrics.at(-1)!;
    await page.goto(`${base}#/run/tasks-mini/sample/${encodeURIComponent(wrong.test_id)}`);
    await expect.poll(() => page.locator('#sample-id').innerText()).toBe(wrong.test_id);
    expect(await page.locator('#sample-turns .turn.question').count()).toBeGreaterThan(0);
    expect(await page.locator('#sample-turns .badge.verdict-wrong').innerText()).toBe('WRONG');
    expect(await page.locator('#sample-expected tr', { hasText: 'Expected' }).locator('pre').innerText()).toBe(wrong.expected_responses.map(String).join('\n'));
    const header = await page.locator('#sample-turns .turn').last().locator('h4').nth(1).innerText();
    expect(header).toContain(`${Math.round(call.total_ms)} ms`);
    expect(header).toContain(`${call.tokens_in} in / ${call.tokens_out} out`);
    expect(call.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(await page.locator('#sample-turns .turn').last().locator('a.phoenix-link').getAttribute('href')).toBe(`${PHOENIX}/redirects/spans/${call.span_id}`);
    await page.screenshot({ path: join(SHOTS, 'viewer-app-sample.png'), fullPage: true });
  });

  it('shows an LTM sample’s timeline: each line’s place in the run, the turns between, the span in tokens', async () => {
    const result = readJsonl<{ test_id: string; turn_id: number; is_question: boolean }>(join(root, 'ltm-chat', 'turn_metrics.jsonl'));
    const test = result.find((t) => t.test_id !== 'filler')!.test_id;
    const lines = result.filter((t) => t.test_id === test).map((t) => t.turn_id);
    await page.goto(`${base}#/run/ltm-chat/sample/${encodeURIComponent(test)}`);
    await expect.poll(() => page.locator('#timeline-rows tr').count()).toBe(lines.length);
    expect(await texts('#timeline-rows tr td:nth-child(2)')).toEqual(lines.map(String));
    const between = lines.slice(1).map((t, i) => `${t - lines[i]! - 1} (filler and other tests)`);
    expect((await texts('#timeline-rows tr td:nth-child(3)')).slice(1)).toEqual(between);
    expect(await page.locator('#timeline-span').innerText()).toMatch(/^spanned [\d,]+ tokens of a memory span of [\d,]+/);
  });

  it('compares two runs: per-dataset rows and only the samples scored differently, each linking its sample', async () => {
    const cells = (await (await fetch(new URL('/api/view/runs?limit=100', monitor.url))).json()) as { runs: { key: string; run_id: string }[] };
    const [think, mini] = ['sim-think-', 'sim-mini-'].map((p) => cells.runs.find((r) => r.run_id.startsWith(p))!.key) as [string, string];
    await page.goto(`${base}#/compare/${encodeURIComponent(mini)}/${encodeURIComponent(think)}`);
    const a = readJson<{ tests: { test_id: string; score: number }[] }>(join(root, mini, 'runstats.json'));
    const b = new Map(readJson<{ tests: { test_id: string; score: number }[] }>(join(root, think, 'runstats.json')).tests.map((t) => [t.test_id, t.score]));
    const differ = a.tests.filter((t) => b.get(t.test_id) !== t.score).map((t) => t.test_id);
    await expect.poll(() => texts('#cmp-diff tr td:first-child')).toEqual(differ);
    expect(await page.locator('#cmp-diff-count').innerText()).toBe(`${differ.length} of ${a.tests.length}`);
    expect(await texts('#cmp-datasets tr td:first-child')).toEqual(['basics']);
    await page.locator('#cmp-diff a').first().click();
    await expect.poll(() => page.locator('#sample-id').innerText()).toBe(differ[0]);
    await page.goto(`${base}#/`);
    // A match is one entry, with its comparison report.
    const match = page.locator('#runs tr.match-row');
    await expect.poll(() => match.count()).toBe(1);
    const href = await match.locator('a').getAttribute('href');
    const report = await fetch(new URL(href!, base));
    expect(report.status).toBe(200);
    expect(report.headers.get('content-security-policy')).toContain('sandbox');
    expect(await report.text()).toContain('id="report-data"');
  });

  it('is one app: the server’s root opens the live view, the header leads to the runs and back, a recent run opens in the viewer', async () => {
    const stats = readJson<{ score: number; max_score: number }>(join(root, 'tasks-mini', 'runstats.json'));
    await page.goto(monitor.url);
    await expect.poll(hash).toBe('#/live');
    expect(await page.title()).toBe('Referee · live monitor');
    await page.waitForSelector('body[data-conn="live"]');
    // The live view's recent runs are the viewer's runs, with the same score.
    const recent = page.locator('#recent-rows tr', { hasText: 'tasks-mini' });
    await expect.poll(() => recent.locator('td:nth-child(5)').innerText()).toBe(`${stats.score}/${stats.max_score}`);
    await page.screenshot({ path: join(SHOTS, 'viewer-live.png'), fullPage: true });
    await page.locator('#site-header nav a', { hasText: 'Runs' }).click();
    await expect.poll(hash).toBe('#/');
    expect(await page.title()).toBe('Referee · runs');
    await expect.poll(() => page.locator('#runs tr.run-row').count()).toBeGreaterThan(5);
    // Leaving the live view closes its stream: the body no longer says it is connected.
    expect(await page.evaluate(() => document.body.dataset['conn'] ?? null)).toBeNull();
    await page.goBack();
    await expect.poll(hash).toBe('#/live');
    await page.waitForSelector('body[data-conn="live"]');
    await recent.locator('a').click();
    await expect.poll(hash).toBe('#/run/tasks-mini');
    await expect.poll(() => page.locator('#run-id').innerText()).toBe('tasks-mini');
    await page.screenshot({ path: join(SHOTS, 'viewer-run-from-live.png') });
    // The same page at /view starts on the runs.
    await page.goto(new URL('/view', monitor.url).toString());
    await expect.poll(hash).toBe('');
    await expect.poll(() => page.locator('#runs tr.run-row').count()).toBeGreaterThan(5);
  });

  it('writes a static bundle that opens from file://, with the same runs, samples and links', async () => {
    const out = join(tempDir('referee-bundle-'), 'site');
    const r = await runCli(['view', '--runs-dir', root, '--bundle', out, 'tasks-mini', 'ltm-chat']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(join(out, 'index.html'));
    const missing = await runCli(['view', '--runs-dir', root, '--bundle', out, 'no-such-run']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no run "no-such-run"');
    const file = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await file.goto(pathToFileURL(join(out, 'index.html')).href);
    await expect.poll(() => file.locator('#runs tr.run-row td:nth-child(2)').allInnerTexts().then((x) => x.sort())).toEqual(['ltm-chat', 'tasks-mini']);
    const stats = readJson<{ score: number; max_score: number; tests: unknown[] }>(join(root, 'tasks-mini', 'runstats.json'));
    const row = file.locator('#runs tr.run-row', { hasText: 'tasks-mini' });
    expect(await row.locator('td:nth-child(7)').innerText()).toBe(`${stats.score}/${stats.max_score}`);
    await row.click();
    await expect.poll(() => file.locator('#samples tr').count()).toBe(stats.tests.length);
    await file.locator('#samples tr').first().click();
    await expect.poll(() => file.locator('#sample-turns .turn').count()).toBeGreaterThan(0);
    // Its export is a file beside it.
    const csv = readFileSync(join(out, (await file.locator('#export-csv').getAttribute('href'))!), 'utf8');
    expect(csv.split('\n')[0]).toBe('test_id,dataset,status,score,max_score,turns,reasons,prompt,answer,expected,latency_ms,tokens_in,tokens_out');
    await file.goBack();
    await expect.poll(() => file.locator('#samples tr').count()).toBe(stats.tests.length);
    await file.screenshot({ path: join(SHOTS, 'viewer-bundle.png') });
    await file.close();
  });
});
