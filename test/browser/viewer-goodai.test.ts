/// <reference lib="dom" />
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { readJson, ROOT, runCli, tempDir } from '../helpers.js';
import { launchChromium } from '../monitor/helpers.js';
import { SMALL_DATASET } from '../reliability/helpers.js';

const SHOTS = resolve(ROOT, process.env['REFEREE_SCREENSHOTS_DIR'] ?? 'test-output');
const FIXTURE = join(ROOT, 'test/fixtures/goodai-published/Benchmark 3 - 32k');

/**
 * GoodAI's published agents on the same leaderboard as the user's own run: `referee import goodai`
 * into a runs directory that holds a Referee run, then the viewer's list, sorted by score, with
 * each imported row marked.
 */
describe('the viewer: GoodAI published results beside a Referee run', () => {
  let browser: Browser;
  let monitor: MonitorServer;
  let page: Page;
  let root: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    root = tempDir('referee-viewer-goodai-');
    const dataset = join(tempDir(), 'small.yaml');
    writeFileSync(dataset, SMALL_DATASET);
    const run = await runCli(['run', '--agent-config', join(ROOT, 'configs/agents/chat-small.yaml'), '--dataset-config', dataset, '--output-dir', root, '--run-id', 'mine', '--quiet']);
    if (run.code !== 0) throw new Error(`referee run: exit ${run.code}: ${run.stderr}`);
    const imported = await runCli(['import', 'goodai', FIXTURE, '--runs-dir', root]);
    if (imported.code !== 0) throw new Error(`referee import goodai: exit ${imported.code}: ${imported.stderr}`);
    monitor = await startMonitor({ runsDir: root, port: 0, pollMs: 50, discoverMs: 100 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await monitor?.close();
  });

  it('lists the GoodAI agents and the Referee run together, sorted by score, each imported row marked', async () => {
    const rows = readdirSync(root).filter((d) => existsSync(join(root, d, 'run.json'))).map((d) => {
      const meta = readJson<{ agent: { name: string }; run_type?: string }>(join(root, d, 'run.json'));
      const stats = readJson<{ score: number; max_score: number }>(join(root, d, 'runstats.json'));
      return { key: d, agent: meta.agent.name, imported: meta.run_type === 'goodai', rate: stats.score / stats.max_score };
    });
    const agents = readdirSync(join(FIXTURE, 'results'));
    expect(rows.filter((r) => r.imported).map((r) => r.agent).sort()).toEqual(agents.sort());
    expect(rows.find((r) => r.key === 'mine')?.imported).toBe(false);

    await page.goto(new URL('/view#/', monitor.url).toString());
    await expect.poll(() => page.locator('#runs tr.run-row').count()).toBe(rows.length);
    await page.locator('th[data-col="score"] button').click();
    const desc = (await page.locator('th[data-col="score"]').getAttribute('aria-sort')) === 'descending';
    const order = [...rows].sort((a, b) => (desc ? b.rate - a.rate : a.rate - b.rate)).map((r) => r.key);
    await expect.poll(() => page.locator('#runs tr.run-row').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset['key']))).toEqual(order);
    for (const r of rows) {
      const tr = page.locator(`#runs tr.run-row[data-key="${r.key}"]`);
      expect(await tr.locator('td:nth-child(4)').innerText()).toBe(r.agent);
      expect(await tr.locator('.imported-badge').count(), r.key).toBe(r.imported ? 1 : 0);
      expect(await tr.locator('td:nth-child(3)').evaluate((td) => td.firstChild?.textContent), r.key).toBe(r.imported ? 'goodai' : 'ltm');
      if (r.imported) expect(await tr.locator('.imported-badge').innerText()).toBe('imported');
      // GoodAI's results record no usage per call: an imported row's tokens are no count, not 0 / 0.
      const tokens = await tr.locator('td:nth-child(11)').innerText();
      if (r.imported) expect(tokens, r.key).toBe('not recorded');
      else expect(tokens, r.key).toMatch(/^[\d,]+ \/ [\d,]+$/);
    }
    await page.screenshot({ path: join(SHOTS, 'viewer-goodai.png'), fullPage: true });
    // The kind filter keeps only the imported rows.
    await page.locator('#kind').selectOption('goodai');
    await expect.poll(() => page.locator('#runs tr.run-row').count()).toBe(agents.length);
  });

  it("shows the imported benchmark as a suite matrix, agents x datasets, passes as GoodAI's results say", async () => {
    const agents = readdirSync(join(FIXTURE, 'results')).sort();
    const cell = (agent: string, dataset: string): string => {
      const dir = join(FIXTURE, 'results', agent, dataset);
      const results = readdirSync(dir).map((f) => readJson<{ score: number; max_score: number }>(join(dir, f)));
      const pass = results.filter((r) => r.score >= r.max_score).length;
      return `${Math.round((pass / results.length) * 100)}% (${pass}/${results.length})`;
    };
    await page.goto(new URL(`/view#/suite/${encodeURIComponent('GoodAI: Benchmark 3 - 32k')}`, monitor.url).toString());
    await expect.poll(() => page.locator('#matrix-head tr').innerText()).toBe('agent / dataset\tcolours\tshopping');
    await expect.poll(() => page.locator('#matrix-rows tr').allInnerTexts()).toEqual(agents.map((a) => `${a}\t${cell(a, 'Colours')}\t${cell(a, 'Shopping')}`));
  });
});
