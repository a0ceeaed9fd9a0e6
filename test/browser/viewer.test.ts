/// <reference lib="dom" />
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY_WITHIN_MS, startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { CLI, ROOT, tempDir } from '../helpers.js';
import { writeResumedRun, writeRetriedTaskRun, writeSuiteRuns } from '../monitor/fixture-runs.js';
import { SMALL_DATASET } from '../reliability/helpers.js';
import { runStats, slowAgentYaml, writeBigRun, writeRealRuns, type BigRun } from './viewer-fixtures.js';

// `npm run screenshots:viewer` writes the README's screenshots; a plain run keeps them out of the tree.
const SHOTS = resolve(ROOT, process.env['REFEREE_SCREENSHOTS_DIR'] ?? 'test-output');

/** Every run's score rate as runstats.json (or, for the hand-written fixtures, their doc comments) gives it. */
type Truth = Map<string, { rate: number | null; score: number; max: number; tests: number }>;

// issue 17: `referee view` over runs of every kind: LTM, tasks, suite, match, resumed, failed, 100,000 turns.
describe('the viewer in Chromium', () => {
  let browser: Browser;
  let monitor: MonitorServer;
  let page: Page;
  let root: string;
  let big: BigRun;
  const truth: Truth = new Map();
  /** Times the page asked for the run list and for a page of samples (a live page must not poll them). */
  const listFetches: number[] = [];
  const sampleFetches: number[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    root = tempDir('referee-viewer-');
    writeRetriedTaskRun(root);
    writeResumedRun(root);
    writeSuiteRuns(root);
    for (const [id, score, max, tests] of [
      ['tasks-retried', 2, 3, 3],
      ['ltm-resumed', 1, 2, 2],
      ['demo-strong-math', 4, 4, 4],
      ['demo-strong-trivia', 3, 4, 4],
      ['demo-weak-math', 1, 4, 4],
      ['demo-weak-trivia', 2, 4, 4],
    ] as const) {
      truth.set(id, { rate: score / max, score, max, tests });
    }
    await writeRealRuns(root, tempDir('referee-viewer-cfg-'));
    for (const dir of runDirs(root)) {
      const s = runStats(dir.path);
      truth.set(dir.id, { rate: s.max_score ? s.score / s.max_score : null, score: s.score, max: s.max_score, tests: s.tests });
    }
    big = await writeBigRun(root);
    truth.set(big.runId, { rate: big.pass / big.tests, score: big.pass, max: big.tests, tests: big.tests });
    browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // Every value the 100k run's score cell takes, from before view.js runs.
    await page.addInitScript((id) => {
      const w = window as unknown as { __bigScores: string[] };
      w.__bigScores = [];
      document.addEventListener('DOMContentLoaded', () => {
        const runs = document.getElementById('runs')!;
        new MutationObserver(() => {
          const row = Array.from(runs.querySelectorAll('tr')).find((tr) => tr.querySelector('td:nth-child(2)')?.textContent === id);
          const v = row?.querySelector('td:nth-child(7)')?.textContent;
          if (typeof v === 'string' && w.__bigScores.at(-1) !== v) w.__bigScores.push(v);
        }).observe(runs, { childList: true, subtree: true, characterData: true });
      });
    }, big.runId);
    // As `referee view` starts it: serving at once, the 100k run read behind the first answer. The page
    // opens right after, so its first list comes while that run is read (about a second on this machine).
    monitor = await startMonitor({ runsDir: root, port: 0, pollMs: 50, discoverMs: 100, readyWithinMs: READY_WITHIN_MS });
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path === '/api/view/runs') listFetches.push(Date.now());
      if (path === '/api/view/samples') sampleFetches.push(Date.now());
    });
    await page.goto(new URL('/view', monitor.url).toString());
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await monitor?.close();
  });

  const rows = (sel: string) => page.locator(sel).allInnerTexts();
  const runIds = () => rows('#runs tr td:nth-child(2)').then((r) => r.sort());
  /** A 1280x800 screenshot with `section` at the top of the view. */
  const shot = async (name: string, section?: string) => {
    await page.evaluate((id) => (id ? document.getElementById(id)?.scrollIntoView() : window.scrollTo(0, 0)), section);
    await page.screenshot({ path: join(SHOTS, `viewer-${name}.png`) });
  };
  const expectedIds = (keep: (id: string, t: { rate: number | null }) => boolean) => [...truth].filter(([id, t]) => keep(id, t)).map(([id]) => id).sort();
  /** The run list (the app's home route), then the run's row: its route opens. */
  const open = async (runId: string) => {
    await page.evaluate(() => {
      location.hash = '#/';
    });
    await page.locator('#runs tr').filter({ has: page.locator('td:nth-child(2)', { hasText: new RegExp(`^${runId}$`) }) }).click();
    await expect.poll(() => page.locator('#run-id').innerText()).toBe(runId);
    // Its samples, not the previous run's still on the page.
    await expect.poll(() => page.locator('#samples').getAttribute('data-run')).toBe(runId);
  };

  it('lists every run at once, the 100,000-turn run loading behind it and whole without a reload', async () => {
    await expect.poll(() => page.locator('#runs tr.run-row').count(), { timeout: 15_000 }).toBe(truth.size);
    const bigRow = page.locator('#runs tr', { hasText: big.runId });
    await expect.poll(() => bigRow.locator('td:nth-child(7)').innerText(), { timeout: 90_000 }).toBe(`${big.pass}/${big.tests}`);
    // The first answer came before the big run was read, and its `loaded` event filled the row in: never a partial score.
    expect(await page.evaluate(() => (window as unknown as { __bigScores: string[] }).__bigScores)).toEqual(['loading…', `${big.pass}/${big.tests}`]);
    expect(await bigRow.locator('td:nth-child(9)').innerText()).toBe(`${big.tests}/${big.tests}`);
    expect(await page.locator('#runs-count').innerText()).toBe(`${truth.size} of ${truth.size}`);
    await shot('runs');
  });

  it('filters by kind, status and score, and searches', async () => {
    const byKind: Record<string, RegExp> = { ltm: /^(ltm-|dead$|resumed$)/, tasks: /^tasks-/, suite: /^(demo-|sim-)/, match: /^(chat-small|memory-agent)-/ };
    for (const [kind, pattern] of Object.entries(byKind)) {
      await page.selectOption('#kind', kind);
      await expect.poll(runIds).toEqual(expectedIds((id) => pattern.test(id)));
    }
    await page.selectOption('#kind', '');
    await page.selectOption('#status', 'failed');
    await expect.poll(runIds).toEqual(['dead']);
    await page.selectOption('#status', '');
    await page.selectOption('#min-score', '0.9');
    await expect.poll(runIds).toEqual(expectedIds((_, t) => t.rate !== null && t.rate >= 0.9));
    await page.selectOption('#min-score', '0.5');
    await expect.poll(runIds).toEqual(expectedIds((_, t) => t.rate !== null && t.rate >= 0.5));
    await page.selectOption('#min-score', '');
    await page.fill('#q', 'resumed');
    await expect.poll(runIds).toEqual(['ltm-resumed', 'resumed']);
    await page.fill('#q', '');
    await expect.poll(() => page.locator('#runs tr.run-row').count()).toBe(truth.size);
  });

  it('shows each suite as a matrix of agents x datasets, a cell opening its samples', async () => {
    await expect.poll(() => page.locator('#suite option').allInnerTexts()).toEqual(['demo', 'mini']);
    await expect.poll(() => rows('#matrix-rows tr')).toEqual(['strong\t100% (4/4)\t75% (3/4)', 'weak\t25% (1/4)\t50% (2/4)']);
    expect(await rows('#matrix-head tr')).toEqual(['agent / dataset\tmath\ttrivia']);
    await page.locator('#matrix-rows tr', { hasText: 'weak' }).locator('td.matrix-cell').nth(1).click();
    await expect.poll(() => page.locator('#run-id').innerText()).toBe('demo-weak-trivia');
    await expect.poll(() => rows('#samples tr td:nth-child(3)')).toEqual(['pass', 'pass', 'fail', 'fail']);
    // The back button returns to the list, whose matrix picks the other suite: its own address.
    await page.goBack();
    await expect.poll(() => page.locator('#suite').inputValue()).toBe('demo');
    // The real suite: two sim agents over basics.jsonl, scores as their runstats.json say.
    await page.selectOption('#suite', 'mini');
    expect(new URL(page.url()).hash).toBe('#/suite/mini');
    const cellText = (agent: string) => {
      const id = [...truth.keys()].find((k) => k.startsWith(`${agent}-basics-`))!;
      const t = truth.get(id)!;
      return `${Math.round((t.score / t.max) * 100)}% (${t.score}/${t.tests})`;
    };
    await expect.poll(() => rows('#matrix-rows tr')).toEqual([`sim-mini\t${cellText('sim-mini')}`, `sim-think\t${cellText('sim-think')}`]);
    await page.locator('#matrix-rows tr', { hasText: 'sim-mini' }).locator('td.matrix-cell').click();
    await expect.poll(() => page.locator('#run-id').innerText()).toMatch(/^sim-mini-basics-/);
    const mini = truth.get(await page.locator('#run-id').innerText())!;
    await expect.poll(() => rows('#samples tr td:nth-child(3)').then((s) => s.filter((x) => x === 'pass').length)).toBe(mini.score);
    await shot('matrix', 'matrix');
  });

  it('opens runs of every kind: samples filtered and searched, a failed run shown failed', async () => {
    await open('tasks-retried');
    await expect.poll(() => rows('#samples tr')).toEqual(['a\tqa\tpass\t1/1\t1', 'b\tqa\tfail\t0/1\t1', 'c\tqa\tpass\t1/1\t1']);
    expect(await page.locator('#run-summary').innerText()).toContain('3/3 tests · 67% pass');
    await page.selectOption('#sample-status', 'fail');
    await expect.poll(() => rows('#samples tr td:first-child')).toEqual(['b']);
    await page.selectOption('#sample-status', '');
    await page.fill('#sample-q', 'c');
    await expect.poll(() => rows('#samples tr td:first-child')).toEqual(['c']);
    // A run whose every call failed (exit 4).
    await open('dead');
    expect(await page.locator('#run-status').innerText()).toBe('failed');
    const dead = truth.get('dead')!;
    // Its tests were never answered: errors, not wrong answers.
    await expect.poll(() => rows('#samples tr td:nth-child(3)')).toEqual(Array.from({ length: dead.tests }, () => 'error'));
    // Interrupted by Ctrl-C, then resumed: one run, every test once.
    await open('resumed');
    const resumed = truth.get('resumed')!;
    expect(await page.locator('#run-status').innerText()).toBe('finished');
    expect(await page.locator('#run-summary').innerText()).toContain(`${resumed.tests}/${resumed.tests} tests`);
    await expect.poll(() => page.locator('#samples tr').count()).toBe(resumed.tests);
  });

  it('opens a sample: verdict, reasons and messages, model text shown as text', async () => {
    await open('ltm-resumed');
    await page.locator('#samples tr', { hasText: 'names/0' }).click();
    await expect.poll(() => page.locator('#sample-verdict').innerText()).toBe('FAIL · score 0/1\nwrong');
    const agent = await page.locator('#sample-turns pre.msg-agent').allInnerTexts();
    expect(agent).toEqual(['Noted.', '<img src=x onerror="document.title=\'pwned\'">Bob</script>']);
    expect(await page.locator('#sample-turns img').count()).toBe(0);
    expect(await page.title()).toBe('Referee · runs');
    // A real LTM run's sample: every message of the test, as transcripts.jsonl holds them.
    await open('ltm-chat');
    const first = (await page.locator('#samples tr td:first-child').first().innerText()).trim();
    await page.locator('#samples tr').first().click();
    await expect.poll(() => page.locator('#sample-id').textContent()).toBe(first);
    await expect.poll(() => page.locator('#sample-turns .turn').count()).toBeGreaterThan(0);
    expect(await page.locator('#sample-turns pre.msg-user').count()).toBe(await page.locator('#sample-turns pre.msg-agent').count());
    await shot('sample', 'run');
  });

  it('compares any two runs side by side, a match’s two sides included', async () => {
    await page.evaluate(() => {
      location.hash = '#/';
    });
    await page.selectOption('#cmp-a', 'demo-weak-math');
    await page.selectOption('#cmp-b', 'demo-strong-math');
    await page.click('#cmp-go');
    await expect.poll(() => rows('#cmp-rows tr')).toContain('score\t1/4\t4/4\t3');
    expect(await rows('#cmp-rows tr')).toContain('success rate\t25%\t100%\t75 pts');
    const [a, b] = ['chat-small', 'memory-agent'].map((p) => [...truth.keys()].find((k) => k.startsWith(`${p}-`))!) as [string, string];
    await page.selectOption('#cmp-a', `duel/${a}`);
    await page.selectOption('#cmp-b', `duel/${b}`);
    await page.click('#cmp-go');
    const ta = truth.get(a)!;
    const tb = truth.get(b)!;
    const r2 = (x: number) => Math.round(x * 100) / 100;
    await expect.poll(() => rows('#cmp-rows tr')).toContain(`score\t${r2(ta.score)}/${ta.max}\t${r2(tb.score)}/${tb.max}\t${r2(tb.score - ta.score)}`);
    await shot('compare', 'compare');
  });

  it('exports a run’s results as CSV and JSON', async () => {
    await open('tasks-retried');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    expect(csv.suggestedFilename()).toBe('tasks-retried-results.csv');
    const href = async (id: string) => new URL((await page.locator(id).getAttribute('href'))!, monitor.url);
    expect((await (await fetch(await href('#export-csv'))).text()).trim().split('\n')).toEqual([
      'test_id,dataset,status,score,max_score,turns,reasons,prompt,answer,expected,latency_ms,tokens_in,tokens_out',
      // This fixture has events only: no transcripts, turn metrics or results to join.
      'a,qa,pass,1,1,1,attempt 1: pass,,,,,,',
      'b,qa,fail,0,1,1,attempt 1: fail | attempt 2: fail: timeout,,,,,,',
      'c,qa,pass,1,1,1,attempt 2: pass,,,,,,',
    ]);
    const json = (await (await fetch(await href('#export-json'))).json()) as { results: { test_id: string; score: number }[] };
    expect(json.results.map((r) => [r.test_id, r.score])).toEqual([['a', 1], ['b', 0], ['c', 1]]);
    // A real task run: a row per task, the scores summing to runstats.json's.
    await open('tasks-mini');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const [header, ...records] = parseCsv(readFileSync(await download.path(), 'utf8'));
    const mini = truth.get('tasks-mini')!;
    expect(records).toHaveLength(mini.tests);
    expect(records.reduce((sum, r) => sum + Number(r[3]), 0)).toBe(mini.score);
    // issue 21: each row says what was asked and answered, what was expected, and what the calls took.
    const col = (name: string) => header!.indexOf(name);
    const add = records.find((r) => r[0] === 'basics/add-1')!;
    expect(add[col('prompt')]).toBe('What is 17 + 25?');
    expect(add[col('expected')]).toBe('42');
    expect(add[col('answer')]!.length).toBeGreaterThan(0);
    expect(Number(add[col('latency_ms')])).toBeGreaterThan(0);
    expect(Number(add[col('tokens_out')])).toBeGreaterThan(0);
  });

  it('pages through the 100,000-turn run’s samples, 50 at a time', async () => {
    const pages: number[] = [];
    const onResponse = async (r: Response) => {
      if (new URL(r.url()).pathname === '/api/view/samples') pages.push(((await r.json()) as { samples: unknown[] }).samples.length);
    };
    page.on('response', onResponse);
    await open(big.runId);
    await expect.poll(() => page.locator('#page-info').innerText()).toBe(`1–50 of ${big.tests}`);
    expect(await page.locator('#samples tr').count()).toBe(50);
    await page.click('#next');
    await expect.poll(() => page.locator('#page-info').innerText()).toBe(`51–100 of ${big.tests}`);
    expect(await page.locator('#samples tr td:first-child').first().innerText()).toBe('d0/50');
    await page.selectOption('#sample-status', 'fail');
    await expect.poll(() => page.locator('#page-info').innerText()).toBe(`1–50 of ${big.tests - big.pass}`);
    await page.selectOption('#sample-status', '');
    await page.fill('#sample-q', 'd3/9993');
    await expect.poll(() => rows('#samples tr')).toEqual(['d3/9993\td3\tfail\t0/1\t10']);
    await page.locator('#samples tr').first().click();
    await expect.poll(() => page.locator('#sample-turns .turn').count()).toBe(10);
    await page.fill('#sample-q', '');
    await expect.poll(() => page.locator('#page-info').innerText()).toBe(`1–50 of ${big.tests}`);
    page.off('response', onResponse);
    // Never more than a page in the browser.
    expect(Math.max(...pages)).toBe(50);
    await shot('100k', 'run');
    const csv = await (await fetch(new URL(`/api/view/export?run=${big.runId}&format=csv`, monitor.url))).text();
    expect(csv.trim().split('\n')).toHaveLength(big.tests + 1);
  });

  it('follows a live run over SSE: its numbers move without a reload or polling, and it ends finished', async () => {
    const cfg = tempDir('referee-viewer-live-');
    writeFileSync(join(cfg, 'slow.yaml'), slowAgentYaml('live-agent', 500));
    writeFileSync(join(cfg, 'small.yaml'), SMALL_DATASET);
    const child = spawn(process.execPath, [CLI, 'run', '--agent-config', join(cfg, 'slow.yaml'), '--dataset-config', join(cfg, 'small.yaml'), '--output-dir', root, '--run-id', 'live', '--quiet'], { cwd: ROOT, stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    // It appears in the list when it starts (its run_start), and opens while running.
    await page.evaluate(() => {
      location.hash = '#/';
    });
    await expect.poll(() => page.locator('#runs tr', { hasText: 'live-agent' }).count(), { timeout: 30_000 }).toBe(1);
    await open('live');
    await expect.poll(() => page.evaluate(() => document.body.dataset['following'])).toBe('live');
    // A live LTM run's total is an estimate until it ends: `3/~31 turns`.
    const turns = async () => Number(/(\d+)\/~?\d+ turns/.exec(await page.locator('#run-summary').innerText())?.[1] ?? -1);
    expect(await page.locator('#run-summary').innerText()).toMatch(/\d+\/~\d+ turns/);
    await expect.poll(() => page.locator('#samples tr').count()).toBe(2);
    const before = await turns();
    const fetchesBefore = [listFetches.length, sampleFetches.length];
    const sampleTurns = () => rows('#samples tr td:nth-child(5)').then((t) => t.reduce((a, x) => a + Number(x), 0));
    const sampleTurnsBefore = await sampleTurns();
    await expect.poll(turns, { timeout: 30_000 }).toBeGreaterThan(before);
    await expect.poll(sampleTurns, { timeout: 30_000 }).toBeGreaterThan(sampleTurnsBefore);
    await shot('run', 'run');
    // Moved by the stream alone: neither the list nor the samples were fetched again while the run went on.
    expect([listFetches.length, sampleFetches.length]).toEqual(fetchesBefore);
    expect(await exited).toBe(0);
    const live = runStats(join(root, 'live'));
    await expect.poll(() => page.locator('#run-status').innerText(), { timeout: 15_000 }).toBe('finished');
    await expect.poll(() => page.locator('#run-summary').innerText()).toContain(`${live.tests}/${live.tests} tests · ${Math.round((100 * live.pass) / live.tests)}% pass`);
    // The run ended: its stream is closed, and nothing polls afterwards.
    expect(await page.evaluate(() => document.body.dataset['following'])).toBe('');
    // (The run_end's one refetch of the final state lands first.)
    await new Promise((r) => setTimeout(r, 1000));
    const settled = listFetches.length;
    await new Promise((r) => setTimeout(r, 6000));
    expect(listFetches.length).toBe(settled);
  });
});

/** RFC 4180 rows: quoted cells may hold commas, quotes and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = (): void => {
    row.push(cell);
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (ch === '"') quoted = !quoted;
    else if (quoted) cell += ch;
    else if (ch === ',') endCell();
    else if (ch === '\n') {
      endCell();
      rows.push(row);
      row = [];
    } else cell += ch;
  }
  if (cell || row.length) {
    endCell();
    rows.push(row);
  }
  return rows;
}

function runDirs(root: string): { id: string; path: string }[] {
  const out: { id: string; path: string }[] = [];
  const visit = (dir: string, depth: number) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = join(dir, e.name);
      const files = readdirSync(p);
      if (files.includes('runstats.json')) out.push({ id: e.name, path: p });
      else if (depth < 2 && !files.includes('run.json')) visit(p, depth + 1);
    }
  };
  visit(root, 1);
  return out;
}
