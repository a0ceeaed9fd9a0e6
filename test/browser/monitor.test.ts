/// <reference lib="dom" />
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { ROOT, tempDir } from '../helpers.js';
import { spawnRun, writeSlowAgent, writeSmallDataset } from '../monitor/helpers.js';

const SHOTS = join(ROOT, 'test-output');

let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
});

/** Records every value #response and the task pills take, from inside the page. */
async function watchPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __responses: string[]; __verdicts: number };
    w.__responses = [];
    w.__verdicts = 0;
    const response = document.getElementById('response')!;
    new MutationObserver(() => w.__responses.push(response.textContent ?? '')).observe(response, { childList: true, characterData: true, subtree: true });
    const pills = document.getElementById('pills-tasks')!;
    new MutationObserver(() => {
      w.__verdicts = Math.max(w.__verdicts, pills.querySelectorAll('.pill-pass, .pill-fail').length);
    }).observe(pills, { childList: true, subtree: true });
  });
}

describe('the live page during a run', () => {
  let out: string;
  let monitor: MonitorServer;
  let page: Page;

  beforeAll(async () => {
    out = tempDir('referee-browser-');
    monitor = await startMonitor({ runsDir: out, port: 0, pollMs: 100, discoverMs: 200 });
    page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
  });

  afterAll(async () => {
    await page?.close();
    await monitor?.close();
  });

  it('waits for events, then shows progress, a growing response, pass/fail pills, and recovers after a monitor restart', async () => {
    await page.goto(monitor.url);
    await page.waitForSelector('body[data-conn="live"]');
    expect(await page.isVisible('#banner')).toBe(true);
    expect(await page.textContent('#banner')).toContain('Waiting for benchmark events');
    expect(await page.textContent('#overlay-gpu')).toBe('no GPU');
    await watchPage(page);

    const run = spawnRun([
      '--agent-config',
      writeSlowAgent(out, { ttftMs: 150, tokensPerS: 4 }),
      '--dataset-config',
      writeSmallDataset(out),
      '--output-dir',
      out,
    ]);
    try {
      await page.waitForSelector('#banner.hidden', { state: 'attached', timeout: 60_000 });
      // Progress advances: the tests-done counter moves past zero.
      await page.waitForFunction(() => /^[1-9]\d*\/4$/.test(document.getElementById('progress-done')!.textContent ?? ''), null, { timeout: 60_000 });
      await page.waitForFunction(() => (window as unknown as { __verdicts: number }).__verdicts > 0, null, { timeout: 60_000 });
      await page.screenshot({ path: join(SHOTS, 'monitor-live.png'), fullPage: true });

      // The response grew token by token: a partial reply on screen, then a longer one extending it.
      await page.waitForFunction(
        () => {
          const responses = (window as unknown as { __responses: string[] }).__responses;
          let chain = 0;
          let prev = '';
          for (const r of responses) {
            const v = r === '—' ? '' : r;
            chain = prev && v.length > prev.length && v.startsWith(prev) ? chain + 1 : 0;
            if (chain >= 1) return true;
            prev = v;
          }
          return false;
        },
        null,
        { timeout: 60_000 },
      );

      // Stage pills carry elapsed times.
      expect(await page.locator('#stages .stage em').allTextContents()).toContainEqual(expect.stringMatching(/\d+(\.\d)? m?s/));

      // The monitor goes away and comes back on the same port: the page reconnects by itself.
      const port = monitor.port;
      await monitor.close();
      await page.waitForFunction(() => document.body.dataset['conn'] !== 'live', null, { timeout: 30_000 });
      monitor = await startMonitor({ runsDir: out, port, pollMs: 100, discoverMs: 200 });
      await page.waitForSelector('body[data-conn="live"]', { timeout: 60_000 });

      const result = await run.done;
      expect(result.code, result.stderr).toBe(0);
      await page.waitForFunction(() => document.getElementById('progress-done')!.textContent === '4/4', null, { timeout: 60_000 });
      const statuses = await page.locator('#pills-tasks .pill').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['status']));
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 'pass' || s === 'fail')).toBe(true);
      expect(await page.isVisible('#banner')).toBe(true); // nothing runs any more
      await page.screenshot({ path: join(SHOTS, 'monitor-finished.png'), fullPage: true });
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('keeps "Hide header" across reloads', async () => {
    await page.goto(monitor.url);
    expect(await page.isVisible('#site-header')).toBe(true);
    await page.click('#toggle-header');
    expect(await page.isVisible('#site-header')).toBe(false);
    await page.reload();
    await page.waitForSelector('body[data-conn="live"]');
    expect(await page.isVisible('#site-header')).toBe(false);
    await page.click('#toggle-header');
    expect(await page.isVisible('#site-header')).toBe(true);
  });
});

describe('a hostile model answer', () => {
  const PAYLOAD = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b id="injected">bold</b>';
  let llm: Server;
  let baseUrl: string;

  beforeAll(async () => {
    // An OpenAI-compatible server that streams the payload in small pieces.
    llm = createServer((req, res) => {
      req.resume();
      req.on('end', async () => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        const pieces = PAYLOAD.match(/.{1,12}/gs)!;
        for (const p of pieces) {
          res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: p } }] })}\n\n`);
          await new Promise((r) => setTimeout(r, 40));
        }
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 30 } })}\n\n`);
        res.end('data: [DONE]\n\n');
      });
    });
    await new Promise<void>((r) => llm.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(llm.address() as AddressInfo).port}/v1`;
  });

  afterAll(async () => {
    llm?.closeAllConnections();
    await new Promise((r) => llm?.close(r));
  });

  it('is shown as text and executes nothing', async () => {
    const out = tempDir('referee-xss-');
    const agent = join(out, 'hostile.yaml');
    writeFileSync(agent, `name: hostile\nkind: chat\nllm:\n  provider: openai\n  base_url: ${baseUrl}\n  model: gpt-4o-mini\ncontext_size: 4096\n`);
    const monitor = await startMonitor({ runsDir: out, port: 0, pollMs: 100, discoverMs: 200 });
    const page = await browser.newPage();
    const run = spawnRun(['--agent-config', agent, '--dataset-config', writeSmallDataset(out), '--output-dir', out]);
    try {
      await page.goto(monitor.url);
      await page.waitForFunction(() => (document.getElementById('response')!.textContent ?? '').includes('<img src=x onerror'), null, { timeout: 60_000 });
      await page.waitForFunction(() => (document.getElementById('result')!.textContent ?? '') !== '—', null, { timeout: 60_000 });
      const state = await page.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: number }).__pwned,
        imgs: document.querySelectorAll('img').length,
        scripts: Array.from(document.querySelectorAll('script')).map((s) => s.getAttribute('src')),
        injected: document.getElementById('injected') !== null,
      }));
      expect(state).toEqual({ pwned: undefined, imgs: 0, scripts: ['assets/app.js'], injected: false });
      await page.screenshot({ path: join(SHOTS, 'monitor-xss.png'), fullPage: true });
      const result = await run.done;
      expect(result.code, result.stderr).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    } finally {
      run.child.kill('SIGKILL');
      await page.close();
      await monitor.close();
    }
  });
});
