/// <reference lib="dom" />
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { ROOT, tempDir } from '../helpers.js';
import { launchChromium, liveEvents, spawnRun } from '../monitor/helpers.js';

interface Ev {
  seq: number;
  type: string;
  test_id?: string;
  step?: number;
}

/** The turn_starts that retried a step already started: each is an attempt, not a turn. */
function retries(evs: Ev[]): Ev[] {
  const started = new Set<string>();
  return evs.filter((e) => {
    if (e.type !== 'turn_start') return false;
    const key = `${e.test_id}#${e.step}`;
    const again = started.has(key);
    started.add(key);
    return again;
  });
}

// issue 17: a task run with --attempts, opened in the viewer mid-way while a task is on its second
// attempt: its next attempt must not show as a second turn in the Turns column while the run goes on.
describe('the viewer over a live task run with retries', () => {
  let browser: Browser;
  let monitor: MonitorServer;
  let page: Page;
  let root: string;

  beforeAll(async () => {
    root = tempDir('referee-viewer-retries-');
    monitor = await startMonitor({ runsDir: root, port: 0, pollMs: 50, discoverMs: 100 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Every value each sample's Turns cell takes, from before view.js runs.
    await page.addInitScript(() => {
      const w = window as unknown as { __turns: Record<string, string[]> };
      w.__turns = {};
      document.addEventListener('DOMContentLoaded', () => {
        // The samples table is drawn when a run's route opens: watched from the body.
        new MutationObserver(() => {
          const samples = document.getElementById('samples');
          if (!samples) return;
          for (const tr of Array.from(samples.querySelectorAll('tr'))) {
            const cells = Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '');
            const seen = (w.__turns[cells[0]!] ??= []);
            if (seen.at(-1) !== cells[4]) seen.push(cells[4]!);
          }
        }).observe(document.body, { childList: true, subtree: true, characterData: true });
      });
    });
  });
  afterAll(async () => {
    await browser?.close();
    await monitor?.close();
  });

  it('counts a retried task as one turn of several attempts', async () => {
    await page.goto(new URL('/view', monitor.url).toString());
    // sim-mini gets half of basics wrong every time: those tasks take all 3 attempts, 1.5 s each.
    const agent = join(root, 'slow-mini.yaml');
    writeFileSync(agent, 'name: slow-mini\nkind: chat\nllm: { provider: sim, model: sim-mini-1, max_tokens: 256 }\ncontext_size: 4096\nsim: { ttft_ms: 1500 }\n');
    const runDir = join(root, 'live-retries');
    const run = spawnRun(['--tasks', join(ROOT, 'configs/tasks/basics.jsonl'), '--agent-config', agent, '--attempts', '3', '--output-dir', root, '--run-id', 'live-retries']);
    try {
      // Opened while some task is on its second attempt: its third comes after the page has its samples.
      await expect.poll(() => retries(liveEvents<Ev>(runDir)).length, { timeout: 60_000, interval: 50 }).toBeGreaterThan(0);
      const [samples] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/view/samples'),
        page.locator('#runs tr', { hasText: 'live-retries' }).click(),
      ]);
      const opened = ((await samples.json()) as { last_seq: number }).last_seq;
      await expect.poll(() => page.locator('body').getAttribute('data-following')).toBe('live-retries');
      const result = await run.done;
      expect(result.code, result.stderr).toBe(0);
      await expect.poll(() => page.locator('#run-status').innerText(), { timeout: 15_000 }).toBe('finished');
      // Retries happened after the page had its first page of samples (so it counted them live).
      expect(retries(liveEvents<Ev>(runDir)).filter((e) => e.seq > opened).length).toBeGreaterThan(0);
      const turns = await page.evaluate(() => (window as unknown as { __turns: Record<string, string[]> }).__turns);
      const tasks = Object.keys(turns).filter((id) => id.startsWith('basics/'));
      expect(tasks).toHaveLength(12);
      // Never "2" while live, and 1 at the end: one turn per task, however many attempts.
      for (const id of tasks) expect([id, [...new Set(turns[id]!.filter((v) => v !== '0'))]]).toEqual([id, ['1']]);
      expect(await page.locator('#samples tr td:nth-child(5)').allInnerTexts()).toEqual(Array(12).fill('1'));
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
