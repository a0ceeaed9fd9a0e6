import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAiStream, startRecordingServer, type RecordingServer } from '../agents/helpers.js';
import { ROOT, readJson, runCli, tempDir } from '../helpers.js';
import { SMALL_DATASET } from '../reliability/helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-output');
/** What a hostile (or just careless) model might answer: markup that would run if rendered as HTML. */
const PAYLOAD = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2; alert(1)"> </script><!-- done';

describe('the HTML reports in Chromium', () => {
  let server: RecordingServer;
  let browser: Browser;
  let matchDir: string;
  let champion: string;

  beforeAll(async () => {
    // A real OpenAI-compatible endpoint on loopback whose every answer is the payload.
    server = await startRecordingServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(openAiStream([PAYLOAD.slice(0, 40), PAYLOAD.slice(40)], { prompt_tokens: 50, completion_tokens: 30 }));
    });
    const dir = tempDir();
    const hostile = join(dir, 'hostile.yaml');
    writeFileSync(hostile, `name: hostile\nkind: chat\nllm: { provider: openai, base_url: "${server.url}", model: evil-1 }\n`);
    const r = await runCli(['run', '--agent-config', 'configs/agents/chat-small.yaml', '--compare-with', hostile, '--output-dir', dir, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    matchDir = r.stdout.trim();
    champion = readdirSync(matchDir).map((d) => join(matchDir, d)).find((d) => existsSync(join(d, 'run.json')) && readJson<{ role: string }>(join(d, 'run.json')).role === 'champion')!;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(file: string): Promise<{ page: Page; dialogs: string[]; errors: string[]; requests: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const dialogs: string[] = [];
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-rendered="true"]');
    return { page, dialogs, errors, requests };
  }

  it('renders the comparison: verdict, radar chart, per-dataset table', async () => {
    const { page, errors, requests } = await open(join(matchDir, 'comparison_report.html'));
    expect(errors).toEqual([]);
    // Opens offline: nothing but the file itself is requested.
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    await expect(page.locator('#verdict-main').textContent()).resolves.toMatch(/^(Winner|Ahead): A: chat-small/);
    // Page code as strings: the project's TypeScript has no DOM types.
    const chart = (await page.evaluate(`(() => {
      const canvas = document.getElementById('radar-canvas');
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
      return { type: window.__refereeChart && window.__refereeChart.config.type, datasets: window.__refereeChart && window.__refereeChart.data.datasets.length, painted };
    })()`)) as { type: string; datasets: number; painted: number };
    expect(chart.type).toBe('radar');
    expect(chart.datasets).toBe(2);
    expect(chart.painted).toBeGreaterThan(1000);
    const rows = await page.locator('#datasets tbody tr').allTextContents();
    expect(rows.map((r) => r.split(/\d/)[0])).toEqual(['colours', 'name_list', 'shopping']);
    await page.close();
  });

  it('expands a test and a turn to its metadata tree, and shows hostile answers as text that runs nothing', async () => {
    const { page, dialogs, errors } = await open(join(matchDir, 'comparison_report.html'));
    const test = page.locator('details.test').first();
    await test.locator('summary.test-summary').click();
    await test.locator('.test-body').waitFor();
    const question = test.locator('details.turn.question').first();
    await question.locator('summary').click();
    // Rows are built on the details' toggle event, a task after the click: wait for them.
    await question.locator('.turn-details .jt-node').first().waitFor();
    const keys = await question.locator('.turn-details .jt-key').allTextContents();
    expect(keys).toEqual(expect.arrayContaining(['status', 'metrics', 'metadata', 'tokens_in', 'context_tokens']));
    // The challenger's answer is the payload, shown verbatim as text.
    const answer = question.locator('.answer[data-agent="challenger"] .answer-text');
    await expect(answer.textContent()).resolves.toBe(PAYLOAD);
    await expect(question.locator('.answer[data-agent="challenger"]').getAttribute('class')).resolves.toContain('v-fail');
    // Open every test so every hostile answer is in the DOM, then look for any effect.
    await page.evaluate(`document.querySelectorAll('details.test, details.turn').forEach((d) => { d.open = true; })`);
    await page.waitForFunction(`document.querySelectorAll('.test-body').length === document.querySelectorAll('details.test').length`);
    await expect(page.locator('.answer[data-agent="challenger"] .answer-text').count()).resolves.toBeGreaterThan(20);
    await expectNothingRan(page, dialogs, errors);
    await page.screenshot({ path: join(SHOTS, 'comparison_report.png'), fullPage: true });
    await page.close();
  });

  /** No effect of a hostile answer: no global set, no element injected, no dialog, no page error. */
  async function expectNothingRan(page: Page, dialogs: string[], errors: string[]): Promise<void> {
    const state = await page.evaluate(`({
      pwned: typeof window.__pwned,
      injectedImgs: document.querySelectorAll('img').length,
      injectedScripts: document.querySelectorAll('#tests script').length,
    })`);
    expect(state).toEqual({ pwned: 'undefined', injectedImgs: 0, injectedScripts: 0 });
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  }

  it('issue 15: a protocol agent whose reply and metadata (values and keys) are markup: all shown as text, none of it run', async () => {
    const key = '<img src=y onerror="window.__pwned = 3">';
    // A real HTTP agent (kind: http) on loopback: every answer is the payload, in its text and its metadata.
    const agent = await startRecordingServer((_req, res, body) => {
      const type = (body as { type: string }).type;
      res.writeHead(200, { 'content-type': 'application/json' });
      if (type === 'start') return res.end(JSON.stringify({ session_id: 'hostile' }));
      res.end(type === 'message' ? JSON.stringify({ text: PAYLOAD, metadata: { retrieved: [PAYLOAD], [key]: PAYLOAD } }) : '{}');
    });
    try {
      const dir = tempDir('referee-byo-report-');
      writeFileSync(join(dir, 'agent.yaml'), `name: hostile\nkind: http\nhttp: { url: "${agent.url}" }\n`);
      writeFileSync(join(dir, 'dataset.yaml'), SMALL_DATASET);
      const r = await runCli(['run', '--agent-config', join(dir, 'agent.yaml'), '--dataset-config', join(dir, 'dataset.yaml'), '--output-dir', dir, '--run-id', 'hostile', '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      const { page, dialogs, errors } = await open(join(dir, 'hostile/report.html'));
      // Rows are built when a test, then a turn, opens: open the tests first, then their turns.
      await page.evaluate(`document.querySelectorAll('details.test').forEach((d) => { d.open = true; })`);
      await page.waitForFunction(`document.querySelectorAll('.test-body').length === document.querySelectorAll('details.test').length`);
      await page.evaluate(`document.querySelectorAll('details.turn').forEach((d) => { d.open = true; })`);
      await page.locator('.turn-details .jt-node').first().waitFor();
      expect(await page.locator('.turn-details .jt-key').allTextContents()).toEqual(expect.arrayContaining(['metadata', 'retrieved', key]));
      // The tree shows strings as JSON (their quotes escaped): the markup is there, as text.
      const texts = await page.locator('.turn-details').allTextContents();
      expect(texts.some((t) => t.includes('<script>window.__pwned = 1</script><img src=x onerror='))).toBe(true);
      await expect(page.locator('.answer-text').first().textContent()).resolves.toBe(PAYLOAD);
      await expectNothingRan(page, dialogs, errors);
      await page.close();
    } finally {
      await agent.close();
    }
  });

  it('renders a single run report.html with the same parts', async () => {
    const { page, errors } = await open(join(champion, 'report.html'));
    expect(errors).toEqual([]);
    await expect(page.locator('#verdict-main').textContent()).resolves.toMatch(/^chat-small: [\d.]+ \/ 6/);
    await expect(page.evaluate(`window.__refereeChart !== undefined`)).resolves.toBe(true);
    await page.locator('details.test').first().locator('summary').click();
    await page.locator('details.turn').first().waitFor();
    await page.locator('details.turn').first().locator('summary').click();
    await page.locator('.turn-details .jt-node').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'report.png'), fullPage: true });
    await page.close();
  });
});
