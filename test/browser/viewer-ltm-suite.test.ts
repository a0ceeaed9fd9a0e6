/// <reference lib="dom" />
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMeanCi } from '../../src/ltm-suite/ci.js';
import type { LtmSuiteSummary } from '../../src/ltm-suite/schema.js';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { readJson, ROOT, runCli, tempDir } from '../helpers.js';
import { launchChromium } from '../monitor/helpers.js';

/**
 * An LTM suite in the viewer: 2 agents × the simulated default dataset × 2 seeds, run by the CLI;
 * the suite route shows each cell's mean ± 95% CI over seeds as ltm-suite-<id>.json holds it (the
 * terminal's and the HTML page's text), and each cell links to the runs it averages.
 */
describe('the viewer: an LTM suite matrix, mean ± CI over seeds', () => {
  let browser: Browser;
  let monitor: MonitorServer;
  let page: Page;
  let root: string;
  let summary: LtmSuiteSummary;
  let stdout: string;

  beforeAll(async () => {
    root = tempDir('referee-viewer-ltm-suite-');
    const suite = join(tempDir(), 'two-seeds.yaml');
    writeFileSync(
      suite,
      ['name: two-seeds', 'kind: ltm', 'agents:', `  - ${join(ROOT, 'configs/agents/memory.yaml')}`, `  - ${join(ROOT, 'configs/agents/sim-mini.yaml')}`, 'datasets:', `  - ${join(ROOT, 'configs/datasets/default.yaml')}`, 'seeds: [0, 1]', ''].join('\n'),
    );
    const run = await runCli(['run', '--suite', suite, '--runs-dir', root, '--run-id', 'two']);
    if (run.code !== 0) throw new Error(`referee run --suite: exit ${run.code}: ${run.stderr}`);
    stdout = run.stdout;
    summary = readJson<LtmSuiteSummary>(join(root, 'ltm-suite-two.json'));
    monitor = await startMonitor({ runsDir: root, port: 0, pollMs: 50, discoverMs: 100 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await monitor?.close();
  });

  it('lists the suite, and shows every cell as the summary, the terminal and the HTML page say', async () => {
    await page.goto(new URL('/view#/', monitor.url).toString());
    await expect.poll(() => page.locator('#suite option').allInnerTexts()).toContain('ltm-suite-two');
    await page.selectOption('#suite', 'ltm-suite-two');
    expect(new URL(page.url()).hash).toBe('#/suite/ltm-suite-two');
    await expect.poll(() => page.locator('#matrix').getAttribute('data-kind')).toBe('ltm');
    expect(await page.locator('#matrix-head tr').innerText()).toBe('agent / dataset config\tdefault\tall');

    const html = readFileSync(join(root, 'ltm-suite-two.html'), 'utf8');
    expect(summary.cells).toHaveLength(4);
    for (const c of summary.cells) {
      // The JSON's own numbers, written out: mean and half-width to 3 places, n seeds.
      const text = `${c.mean.toFixed(3)} ± ${c.ci95!.toFixed(3)} (n=2)`;
      expect(c.n).toBe(2);
      const cell = page.locator(`td.ltm-cell[data-agent="${c.agent}"][data-dataset="${c.dataset}"]`);
      await expect.poll(() => cell.locator('.ltm-value').innerText()).toBe(text);
      expect(html).toContain(`<td>${text}</td>`);
      expect(stdout).toContain(text);
      // Each cell links to the runs it averages: one per seed.
      const runs = summary.runs.filter((r) => r.agent === c.agent && (c.dataset === 'all' || r.dataset === c.dataset)).map((r) => r.run_id);
      expect(await cell.locator('a.ltm-run').evaluateAll((as) => as.map((a) => (a as HTMLElement).dataset['run']))).toEqual(runs);
    }
  });

  it('opens a seed\'s run from its cell', async () => {
    const target = summary.runs.find((r) => r.agent === 'sim-mini' && r.seed === 1)!;
    await page.locator(`td.ltm-cell[data-agent="sim-mini"][data-dataset="default"] a.ltm-run[data-run="${target.run_id}"]`).click();
    await expect.poll(() => page.locator('#run-id').innerText()).toBe(target.run_id);
  });

  it('a static bundle of its runs shows the same cells, opened from file://', async () => {
    const out = join(tempDir('referee-ltm-bundle-'), 'site');
    const r = await runCli(['view', '--runs-dir', root, '--bundle', out]);
    expect(r.code, r.stderr).toBe(0);
    const file = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await file.goto(`${pathToFileURL(join(out, 'index.html')).href}#/suite/ltm-suite-two`);
    for (const c of summary.cells) {
      const cell = file.locator(`td.ltm-cell[data-agent="${c.agent}"][data-dataset="${c.dataset}"] .ltm-value`);
      await expect.poll(() => cell.innerText()).toBe(formatMeanCi(c));
    }
    await file.close();
  });
});
