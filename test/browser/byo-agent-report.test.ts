/**
 * issue 15: a protocol agent's reply and metadata are the agent's to choose,
 * so a hostile one must render as text in report.html. A real HTTP agent on
 * loopback answers every message with markup, in its text and in its
 * metadata (values and keys); the report of a real run is opened in Chromium.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingServer, type RecordingServer } from '../agents/helpers.js';
import { runCli, tempDir } from '../helpers.js';
import { SMALL_DATASET } from '../reliability/helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PAYLOAD = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2; alert(1)"> </script><!-- done';
const KEY = '<img src=y onerror="window.__pwned = 3">';

describe('report.html of a run with a hostile protocol agent, in Chromium', () => {
  let server: RecordingServer;
  let browser: Browser;
  let runDir: string;

  beforeAll(async () => {
    server = await startRecordingServer((_req, res, body) => {
      const type = (body as { type: string }).type;
      res.writeHead(200, { 'content-type': 'application/json' });
      if (type === 'start') return res.end(JSON.stringify({ session_id: 'hostile' }));
      if (type !== 'message') return res.end('{}');
      res.end(JSON.stringify({ text: PAYLOAD, metadata: { retrieved: [PAYLOAD], [KEY]: PAYLOAD } }));
    });
    const dir = tempDir('referee-byo-report-');
    writeFileSync(join(dir, 'agent.yaml'), `name: hostile\nkind: http\nhttp: { url: "${server.url}" }\n`);
    writeFileSync(join(dir, 'dataset.yaml'), SMALL_DATASET);
    const r = await runCli(['run', '--agent-config', join(dir, 'agent.yaml'), '--dataset-config', join(dir, 'dataset.yaml'), '--output-dir', dir, '--run-id', 'hostile', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    runDir = join(dir, 'hostile');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the reply and the metadata (values and keys) as text, and runs none of it', async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${join(runDir, 'report.html')}`);
    await page.waitForSelector('body[data-rendered="true"]');
    // Rows are built when a test, then a turn, opens: open the tests first, then their turns.
    await page.evaluate(`document.querySelectorAll('details.test').forEach((d) => { d.open = true; })`);
    await page.waitForFunction(`document.querySelectorAll('.test-body').length === document.querySelectorAll('details.test').length`);
    await page.evaluate(`document.querySelectorAll('details.turn').forEach((d) => { d.open = true; })`);
    await page.locator('.turn-details .jt-node').first().waitFor();
    const keys = await page.locator('.turn-details .jt-key').allTextContents();
    expect(keys).toEqual(expect.arrayContaining(['metadata', 'retrieved', KEY]));
    const texts = await page.locator('.turn-details').allTextContents();
    // The tree shows strings as JSON (its quotes escaped): the markup is there, as text.
    expect(texts.some((t) => t.includes('<script>window.__pwned = 1</script><img src=x onerror='))).toBe(true);
    await expect(page.locator('.answer-text').first().textContent()).resolves.toBe(PAYLOAD);
    const state = await page.evaluate(`({
      pwned: typeof window.__pwned,
      injectedImgs: document.querySelectorAll('img').length,
      injectedScripts: document.querySelectorAll('#tests script').length,
    })`);
    expect(state).toEqual({ pwned: 'undefined', injectedImgs: 0, injectedScripts: 0 });
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
