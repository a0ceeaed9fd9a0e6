/// <reference lib="dom" />
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { readJson, ROOT, runCli, tempDir, type CliResult } from '../helpers.js';
import { getOk, launchChromium } from '../monitor/helpers.js';
import { SMALL_DATASET } from '../reliability/helpers.js';

/**
 * issue 21: one number, one producer. An LTM run, a task run (tried twice where it fails), a
 * suite and a match are run for real; then each run's figures are read where a person reads
 * them (the terminal's last line, runstats.json, report.html in Chromium, the monitor's API
 * after run_end, the viewer in Chromium, and `referee compare --json`) and must be equal.
 */

/** The figures a person reads about one run, parsed back to numbers from what each place shows. */
interface Figures {
  score: number;
  max: number;
  turns: number;
  failed: number;
  tokensIn: number;
  tokensOut: number;
  /** USD, or `unknown` where the model has no price. */
  cost: number | 'unknown';
  seconds: number;
}

const num = (s: string): number => Number(s.replace(/,/g, ''));
const r2 = (x: number): number => Math.round(x * 100) / 100;
const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;
const r1 = (x: number): number => Math.round(x * 10) / 10;

/** runstats.json, rounded as every reader shows it (score 2 decimals, cost 4, seconds 1). */
function fromRunstats(dir: string): Figures & { attempts: number } {
  const s = readJson<{ score: number; max_score: number; turns: number; turns_failed: number; attempts: number; tokens_in: number; tokens_out: number; agent_costs_usd: number; pricing_source: string; wall_duration_s: number }>(
    join(dir, 'runstats.json'),
  );
  return {
    score: r2(s.score),
    max: s.max_score,
    turns: s.turns,
    failed: s.turns_failed,
    tokensIn: s.tokens_in,
    tokensOut: s.tokens_out,
    cost: s.pricing_source === 'unknown' ? 'unknown' : r4(s.agent_costs_usd),
    seconds: r1(s.wall_duration_s),
    attempts: s.attempts,
  };
}

const FINISHED =
  /(?:finished|failed): score ([\d.]+)\/([\d.]+) \([\d.]+%\) of \d+ tests?, (\d+) turns?(?: \((\d+) failed\))?(?:, (\d+) attempts?)?, tokens ([\d,]+) in \/ ([\d,]+) out, (?:\$([\d.]+) \([^)]*\)|cost unknown \([^)]*\)), ([\d.]+) s$/;

/** Each run's last line on the terminal, by the run id its first line named. */
function fromTerminal(stderr: string): Map<string, Figures & { attempts: number | null }> {
  const byRun = new Map<string, Figures & { attempts: number | null }>();
  let current: string | null = null;
  for (const line of stderr.split('\n')) {
    const start = /\[referee\] run (\S+): /.exec(line);
    if (start) current = start[1]!;
    const m = FINISHED.exec(line);
    if (m && current) {
      byRun.set(current, {
        score: num(m[1]!),
        max: num(m[2]!),
        turns: num(m[3]!),
        failed: m[4] ? num(m[4]) : 0,
        attempts: m[5] ? num(m[5]) : null,
        tokensIn: num(m[6]!),
        tokensOut: num(m[7]!),
        cost: m[8] ? num(m[8]) : 'unknown',
        seconds: num(m[9]!),
      });
    }
  }
  return byRun;
}

/** The single-run report.html's summary table, as Chromium renders it. */
async function fromReport(page: Page, dir: string): Promise<Figures> {
  await page.goto(pathToFileURL(join(dir, 'report.html')).href);
  const rows = await page.locator('table.summary-table tbody tr').evaluateAll((trs) =>
    Object.fromEntries(trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? ''))),
  );
  if (!rows['Cost (USD)'] || !rows['Turns (failed)']) throw new Error(`${dir}/report.html: no summary rows in ${JSON.stringify(rows)}`);
  const [score, max] = rows['Score']!.split(' / ').map(num);
  const turns = /^([\d,]+) \((\d+)\)/.exec(rows['Turns (failed)']!)!;
  const [tokensIn, tokensOut] = rows['Tokens in / out']!.replace(/ \(.*\)$/, '').split(' / ').map(num);
  return {
    score: score!,
    max: max!,
    turns: num(turns[1]!),
    failed: num(turns[2]!),
    tokensIn: tokensIn!,
    tokensOut: tokensOut!,
    cost: rows['Cost (USD)'] === 'unknown' ? 'unknown' : num(/\$([\d.]+)/.exec(rows['Cost (USD)']!)![1]!),
    seconds: num(rows['Duration (s)']!),
  };
}

/** The monitor's API (the viewer's run list) once the run has ended. */
function fromApi(run: Record<string, unknown>): Figures & { total: number } {
  return {
    score: r2(run['score'] as number),
    max: run['max_score'] as number,
    turns: run['turns_done'] as number,
    total: run['turns_total'] as number,
    failed: run['turns_failed'] as number,
    tokensIn: run['tokens_in'] as number,
    tokensOut: run['tokens_out'] as number,
    cost: run['pricing_source'] === 'unknown' ? 'unknown' : r4(run['cost_usd'] as number),
    seconds: run['elapsed_seconds'] as number,
  };
}

/** The viewer's run row in Chromium. */
async function fromViewer(page: Page, runId: string): Promise<Figures & { total: string }> {
  const row = page.locator('#runs tr').filter({ has: page.locator('td:nth-child(2)', { hasText: new RegExp(`^${runId}$`) }) });
  await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
  const cell = (n: number): Promise<string> => row.locator(`td:nth-child(${n})`).innerText();
  const [score, max] = (await cell(7)).split('/').map(num);
  const [done, total] = (await cell(10)).split('/');
  const [tokensIn, tokensOut] = (await cell(11)).split(' / ').map(num);
  return {
    score: score!,
    max: max!,
    turns: num(done!),
    total: total!,
    failed: NaN,
    tokensIn: tokensIn!,
    tokensOut: tokensOut!,
    cost: (await cell(12)) === 'unknown' ? 'unknown' : num((await cell(12)).replace('$', '')),
    seconds: num((await cell(13)).replace(' s', '')),
  };
}

const withoutFailed = ({ failed: _f, ...rest }: Figures): Omit<Figures, 'failed'> => rest;

describe('the same figures everywhere a person reads them', () => {
  let root: string;
  let browser: Browser;
  let page: Page;
  let monitor: MonitorServer;
  const terminal = new Map<string, Figures & { attempts: number | null }>();
  const runDirs = new Map<string, string>();
  let match: CliResult;

  const ok = async (args: string[]): Promise<CliResult> => {
    const r = await runCli(args, { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`referee ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
    for (const [id, f] of fromTerminal(r.stderr)) terminal.set(id, f);
    return r;
  };

  beforeAll(async () => {
    root = tempDir('referee-consistency-');
    const scratch = tempDir('referee-consistency-cfg-');
    const dataset = join(scratch, 'small.yaml');
    writeFileSync(dataset, SMALL_DATASET);
    const suite = join(scratch, 'suite.yaml');
    writeFileSync(
      suite,
      `name: mini\ndatasets:\n  - file: ${join(ROOT, 'configs/tasks/basics.jsonl')}\nagents:\n  - ${join(ROOT, 'configs/agents/sim-think.yaml')}\n  - ${join(ROOT, 'configs/agents/sim-mini.yaml')}\ndefaults:\n  evaluator: exact\n  concurrency: 2\n`,
    );
    const agents = (f: string): string => join(ROOT, 'configs/agents', f);
    await ok(['run', '--runs-dir', root, '--run-id', 'ltm', '--dataset-config', dataset]);
    await ok(['run', '--runs-dir', root, '--run-id', 'tasks', '--tasks', join(ROOT, 'configs/tasks/basics.jsonl'), '--agent-config', agents('sim-mini.yaml'), '--attempts', '2']);
    await ok(['run', '--runs-dir', root, '--run-id', 'suite', '--suite', suite]);
    match = await ok(['run', '--runs-dir', root, '--run-id', 'duel', '--agent-config', agents('chat-small.yaml'), '--compare-with', agents('memory.yaml'), '--dataset-config', dataset]);
    for (const dir of [root, join(root, 'duel')]) {
      for (const name of readdirSync(dir)) {
        try {
          runDirs.set(readJson<{ run_id: string }>(join(dir, name, 'run.json')).run_id, join(dir, name));
        } catch {
          /* not a run directory */
        }
      }
    }
    monitor = await startMonitor({ runsDir: root, port: 0, pollMs: 50, discoverMs: 100 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await monitor?.close();
  });

  it('ran every kind: an LTM run, a task run, two suite cells and two match sides', () => {
    expect(runDirs.size).toBe(6);
    expect([...terminal.keys()].sort()).toEqual([...runDirs.keys()].sort());
  });

  it('counts a task tried twice as one turn of two attempts, in the terminal and runstats.json', () => {
    const tasks = fromRunstats(runDirs.get('tasks')!);
    const lines = readFileSync(join(runDirs.get('tasks')!, 'turn_metrics.jsonl'), 'utf8').trim().split('\n');
    // basics.jsonl has 12 tasks; sim-mini fails some, so the run made more calls than it has turns.
    expect(tasks.turns).toBe(12);
    expect(tasks.attempts).toBe(lines.length);
    expect(tasks.attempts).toBeGreaterThan(12);
    expect(terminal.get('tasks')!.attempts).toBe(tasks.attempts);
  });

  it('the terminal, runstats.json, report.html, the monitor API and the viewer agree on every run', async () => {
    const api = (await getOk(monitor.url, 'api/view/runs?limit=100'))['runs'] as Record<string, unknown>[];
    await page.goto(new URL('view', monitor.url).toString());
    for (const [runId, dir] of runDirs) {
      const truth = fromRunstats(dir);
      const { attempts: _a, ...figures } = truth;
      const { attempts: termAttempts, ...term } = terminal.get(runId)!;
      expect({ runId, ...term }).toEqual({ runId, ...figures });
      expect(termAttempts ?? truth.turns).toBe(truth.attempts);
      const report = await fromReport(page, dir);
      expect({ runId, ...report }).toEqual({ runId, ...figures });
      const fromMonitor = fromApi(api.find((r) => r['run_id'] === runId)!);
      // After run_end the total is what was done: no estimate left, the bar at 100%.
      expect({ runId, total: fromMonitor.total }).toEqual({ runId, total: truth.turns });
      const { total: _t, ...monitorFigures } = fromMonitor;
      expect({ runId, ...monitorFigures }).toEqual({ runId, ...figures });
    }
    await page.goto(new URL('view', monitor.url).toString());
    for (const [runId, dir] of runDirs) {
      const { attempts: _a, ...truth } = fromRunstats(dir);
      const { total, ...viewer } = await fromViewer(page, runId);
      expect({ runId, total }).toEqual({ runId, total: String(truth.turns) });
      expect({ runId, ...withoutFailed(viewer) }).toEqual({ runId, ...withoutFailed(truth) });
    }
  });

  it('the match: its verdict, p-value and interval read the same in the terminal, match.json, its report and compare', async () => {
    const matchJson = readJson<{ comparison: { verdict: string; significant: boolean; p_value: number; ci_low_points: number; ci_high_points: number }; champion: { run_id: string }; challenger: { run_id: string } }>(
      join(root, 'duel', 'match.json'),
    );
    const c = matchJson.comparison;
    // One rule: significant exactly when the interval leaves out 0, and when p < 0.05.
    expect(c.significant).toBe(c.ci_low_points > 0 || c.ci_high_points < 0);
    expect(c.significant).toBe(c.p_value < 0.05);
    expect(match.stderr).toContain(`[referee] ${c.verdict}\n`);
    await page.goto(pathToFileURL(join(root, 'duel', 'comparison_report.html')).href);
    expect(await page.locator('.verdict-text').innerText()).toBe(c.verdict);
    const out = join(tempDir('referee-consistency-cmp-'), 'm.json');
    const again = await runCli(['compare', runDirs.get(matchJson.champion.run_id)!, runDirs.get(matchJson.challenger.run_id)!, '--json', out, '--out', `${out}.html`]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(c.verdict);
    const recomputed = readJson<{ comparison: typeof c; champion: Record<string, number>; challenger: Record<string, number> }>(out);
    expect(recomputed.comparison.verdict).toBe(c.verdict);
    // compare's per-run metrics are the runs' own figures.
    for (const [side, id] of [['champion', matchJson.champion.run_id], ['challenger', matchJson.challenger.run_id]] as const) {
      const truth = fromRunstats(runDirs.get(id)!);
      const m = recomputed[side];
      expect({ id, turns: m['turns'], failed: m['errors'], tokensIn: m['tokens_in'], tokensOut: m['tokens_out'], score: r2(m['total_score']!), seconds: r1(m['duration_s']!) }).toEqual({
        id,
        turns: truth.turns,
        failed: truth.failed,
        tokensIn: truth.tokensIn,
        tokensOut: truth.tokensOut,
        score: truth.score,
        seconds: truth.seconds,
      });
    }
  });
});
