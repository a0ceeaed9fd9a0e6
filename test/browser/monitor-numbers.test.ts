/// <reference lib="dom" />
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { ROOT, tempDir } from '../helpers.js';
import { writeLiveLtmRun, writeResumedRun, writeRetriedTaskRun } from '../monitor/fixture-runs.js';

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
    // issue 22: over the calls that answered: 100 tokens in 4.5 s (the two failed calls' 1 s left out).
    expect(await text('kpi-speed')).toBe('22.2 tok/s');
    expect(await text('kpi-task-status')).toBe('PASS');
    expect(await text('kpi-task')).toBe('c · turn 4');
    expect(await text('kpi-attempt')).toBe('2');
    const stages = await page.locator('#stages .stage').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-stage')}:${e.querySelector('em')!.textContent}`));
    expect(stages).toEqual(['cooling:', 'waiting:200 ms', 'thinking:', 'streaming:1.8 s', 'evaluating:100 ms', 'done:0 ms']);
    // The success chart drew (a, b, c: 100%, 50%, 67%), not its empty overlay.
    expect(await page.locator('#overlay-success').isHidden()).toBe(true);
    await expect.poll(() => text('workers-count'), { timeout: 5000 }).toBe('0/1 active');
    // Polled: a snapshot refresh (the run's `loaded`) can re-render the panel just then, and a row not laid out reads without its tabs.
    await expect
      .poll(() => page.locator('#worker-rows tr').allInnerTexts(), { timeout: 5000 })
      .toEqual([expect.stringMatching(/^tasks-retried\/lane-0\tdone\t—\t3\t3\t/)]);
    await expect.poll(() => page.locator('#cost-rows').innerText(), { timeout: 5000 }).toContain('$0.0027');
    await page.screenshot({ path: join(SHOTS, 'monitor-numbers.png'), fullPage: true });
  });
});

// issue 17: the other numbers the issue lists, as the page shows them: a resumed run measured
// across its segments, Waiting (not Thinking) before a non-reasoning model's first token, TTFT,
// the hourly rate, and 400s for bad stream parameters.
describe('the monitor page over a resumed LTM run, then a live one', () => {
  let browser: Browser;
  const monitors: MonitorServer[] = [];

  const openOn = async (write: (root: string) => void): Promise<Page> => {
    const root = tempDir('referee-browser-numbers-');
    write(root);
    // $3,600 an hour: the compute line's dollars are the run's elapsed seconds.
    const monitor = await startMonitor({ runsDir: root, port: 0, pollMs: 50, discoverMs: 100, computeHourlyUsd: 3600 });
    monitors.push(monitor);
    browser ??= await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1500 } });
    await page.goto(monitor.url);
    return page;
  };
  afterAll(async () => {
    await browser?.close();
    for (const m of monitors) await m.close();
  });

  it('a resumed run: 22.8 s over its two segments, each dataset counted once, TTFT as recorded', async () => {
    const page = await openOn(writeResumedRun);
    const text = (id: string) => page.locator(`#${id}`).innerText();
    await expect.poll(() => text('progress-done'), { timeout: 15_000 }).toBe('2/2');
    expect(await text('progress-turns')).toBe('4/4');
    expect(await page.locator('#pills-datasets .pill').allInnerTexts()).toEqual(['colours 1/1', 'names 1/1']);
    expect(await text('kpi-ttft')).toBe('100 ms');
    // Not 19.1 s (the last segment alone) and not 119.1 s (the time it lay dead counted too).
    await expect.poll(() => page.locator('#cost-rows').innerText(), { timeout: 5000 }).toContain('0.0063 h');
    expect(await page.locator('#cost-rows').innerText()).toContain('$22.8000');
    // Bad stream parameters, asked from the page: 400, not a stream that never sends.
    const statuses = await page.evaluate(async () => Promise.all(['types=bogus', 'run=nope'].map(async (q) => (await fetch(`api/benchmark/telemetry/stream?${q}`)).status)));
    expect(statuses).toEqual([400, 400]);
  });

  it('a live LTM run on a non-reasoning model: Waiting for its first token, never Thinking', async () => {
    const page = await openOn((root) => writeLiveLtmRun(root, Date.now() - 2000));
    const text = (id: string) => page.locator(`#${id}`).innerText();
    await expect.poll(() => text('status-text'), { timeout: 15_000 }).toBe('WAITING');
    expect(await page.locator('#stages .stage.current').getAttribute('data-stage')).toBe('waiting');
    expect(await page.locator('#stages .stage[data-stage="thinking"] em').innerText()).toBe('');
    expect(await text('kpi-task')).toBe('t/0 · turn 1');
    expect(await text('kpi-remaining')).toBe('3 tests');
  });

  it('a live run whose prompt is refused for its length: the context retries counted and the notice line, from the stream and from a fresh page', async () => {
    let dir = '';
    const page = await openOn((root) => {
      writeLiveLtmRun(root, Date.now() - 2000);
      dir = join(root, 'ltm-live');
    });
    const text = (id: string) => page.locator(`#${id}`).innerText();
    await expect.poll(() => text('kpi-task'), { timeout: 15_000 }).toBe('t/0 · turn 1');
    expect(await text('kpi-context-retries')).toBe('0');
    // The run's next lines, as turn-executor.ts writes a context retry (events.jsonl).
    const notice = (retry: number, sent: number, trimmed: number): string => `context window full (${sent + 20} tokens), trimmed to ${trimmed} and sent again, retry ${retry}/3`;
    const retry = (seq: number, n: number, sent: number, trimmed: number): string =>
      JSON.stringify({ seq, ts: new Date().toISOString(), type: 'context_retry', run_id: 'ltm-live', message: notice(n, sent, trimmed), test_id: 't/0', turn_id: 1, lane: 0, retry: n, max_retries: 3, sent_tokens: sent, trimmed_to: trimmed, server_prompt_tokens: sent + 20, server_context_tokens: 2048, error: 'HTTP 400: request exceeds the available context size' });
    appendFileSync(join(dir, 'events.jsonl'), `${retry(6, 1, 2100, 1900)}\n`);
    await expect.poll(() => text('kpi-context-retries'), { timeout: 10_000 }).toBe('1');
    expect(await text('kpi-notice')).toBe(notice(1, 2100, 1900));
    appendFileSync(join(dir, 'events.jsonl'), `${retry(7, 2, 1900, 1700)}\n`);
    await expect.poll(() => text('kpi-context-retries'), { timeout: 10_000 }).toBe('2');
    expect(await text('kpi-notice')).toBe(notice(2, 1900, 1700));
    // A page opened now reads the same from the server's snapshot (run-model.ts counts the same events).
    await page.reload();
    await expect.poll(() => text('kpi-context-retries'), { timeout: 15_000 }).toBe('2');
    expect(await text('kpi-notice')).toBe(notice(2, 1900, 1700));
  });
});
