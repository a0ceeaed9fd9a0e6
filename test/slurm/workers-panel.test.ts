/// <reference lib="dom" />
/**
 * The monitor's workers panel over a Slurm array (seed 002's workers across machines): the example
 * suite as 4 shards on a real one-node Slurm cluster, `referee monitor` on the shared runs directory,
 * and Chromium reading the live view while the array runs. Every shard is a worker: all 4 seen in
 * flight at once, then ended, each with as many tests done as its results.jsonl files have lines.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { getOk, launchChromium, serveCli } from '../monitor/helpers.js';

const cluster = tempDir('referee-slurm-workers-');
const env = { ...process.env, SLURM_CONF: join(cluster, 'slurm.conf') };
/** Each sim call waits this long: a shard's first piece (one round of its 3 tests) outlasts the others' start. */
const LATENCY_MS = 6000;
/** $3,600 an hour per worker: a worker's dollars are its seconds. */
const RATE = 3600;

/** The example suite, its two sim agents slowed by LATENCY_MS a call. */
function slowSuite(dir: string): string {
  for (const name of ['sim-think', 'sim-mini']) {
    const agent = readFileSync(join(ROOT, 'configs/agents', `${name}.yaml`), 'utf8');
    writeFileSync(join(dir, `${name}.yaml`), `${agent.trimEnd()}\nsim: { latency_ms: ${LATENCY_MS} }\n`);
  }
  const suite = readFileSync(join(ROOT, 'configs/suites/example.yaml'), 'utf8')
    .replace('../tasks/', `${join(ROOT, 'configs/tasks')}/`)
    .replace('../tasks/', `${join(ROOT, 'configs/tasks')}/`)
    .replace(/\.\.\/agents\//g, './');
  const file = join(dir, 'example-slow.yaml');
  writeFileSync(file, suite);
  return file;
}

/** The panel's rows as the page shows them: worker, status, task, tests, turns, idle, host. */
async function rows(page: Page): Promise<string[][]> {
  return (await page.locator('#worker-rows tr').allInnerTexts()).map((r) => r.split('\t').map((c) => c.trim()));
}

/** Lines of every results.jsonl of shard i's pieces: the tests it ran, by its own files. */
function resultLines(suiteDir: string, i: number): number {
  let n = 0;
  for (const piece of readdirSync(suiteDir).filter((d) => d.endsWith(`.shard-${i}-of-4`))) {
    const results = join(suiteDir, piece, 'results');
    for (const agent of existsSync(results) ? readdirSync(results) : []) {
      const file = join(results, agent, 'results.jsonl');
      if (existsSync(file)) n += readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).length;
    }
  }
  return n;
}

describe('the workers panel over a Slurm array', () => {
  const servers: ChildProcess[] = [];
  let browser: Browser | undefined;

  beforeAll(() => {
    // Four CPUs in slurm.conf (believed over the hardware): the 4 array tasks run at once on a 2-core box.
    const up = spawnSync('bash', [join(ROOT, 'scripts/slurm-cluster.sh'), 'start', cluster], { encoding: 'utf8', env: { ...process.env, SLURM_TEST_CPUS: '4' } });
    expect(up.status, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) s.kill('SIGTERM');
    spawnSync('bash', [join(ROOT, 'scripts/slurm-cluster.sh'), 'stop', cluster]);
  });

  it('lists the 4 shards as workers, all in flight at once, then ended with the tests their results hold', async () => {
    const work = tempDir('referee-slurm-workers-suite-');
    const suite = slowSuite(work);
    const runs = join(work, 'runs');
    mkdirSync(runs);
    // A gate in --setup: no shard starts its run before all four have been scheduled.
    const gate = join(work, 'gate');
    mkdirSync(gate);
    const setup = `touch ${gate}/$SLURM_ARRAY_TASK_ID; while [ "$(ls ${gate} | wc -l)" -lt 4 ]; do sleep 0.2; done`;
    const launched = await runCli(['launch', 'slurm', suite, '--shards', '4', '--run-id', 'live', '--runs-dir', runs, '--setup', setup, '--submit'], { env });
    expect(launched.code, launched.stderr).toBe(0);
    const [, arrayJob] = /submitted array job (\d+) \(4 shards\)/.exec(launched.stdout) ?? [];
    expect(arrayJob, launched.stdout).toBeDefined();

    // The shared runs directory of the suite, as the shards write it.
    const shared = join(runs, 'live');
    const monitor = await serveCli('monitor', shared, ['--worker-hourly-usd', String(RATE)]);
    servers.push(monitor.child);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1500 } });
    await page.goto(monitor.url);

    // Polled, not timed: every shard with a test in flight at some moment (the page's own rows and count).
    let seen: string[][] = [];
    await expect
      .poll(
        async () => {
          seen = await rows(page);
          return seen.filter((r) => r[1] === 'running' && r[2] !== '—').length === 4 ? await page.locator('#workers-count').innerText() : seen.map((r) => r.join(' ')).join(' | ');
        },
        { timeout: 300_000, interval: 200 },
      )
      .toBe('4/4 active');
    await page.locator('#workers').screenshot({ path: join(ROOT, 'test-output', 'workers-panel-slurm.png') });
    expect(seen.map((r) => r[0])).toEqual(['shard 1/4', 'shard 2/4', 'shard 3/4', 'shard 4/4']);
    // Each names its machine (a Slurm node: this one).
    expect(seen.map((r) => r[6])).toEqual(new Array(4).fill(hostname()));

    // Then every shard ends: none in flight, each finished.
    await expect
      .poll(async () => (await rows(page)).map((r) => r[1]), { timeout: 300_000, interval: 500 })
      .toEqual(['finished', 'finished', 'finished', 'finished']);
    await expect.poll(() => page.locator('#workers-count').innerText(), { timeout: 10_000 }).toBe('0/4 active');
    expect(await page.locator('#workers-idle').innerText()).toBe('4 idle');
    const ended = await rows(page);
    const api = (await getOk(monitor.url, '/api/benchmark/workers')) as { total_workers: number; active_workers: number; idle_workers: number; workers: { worker_id: string; tasks_completed: number; tasks_total: number; uptime_seconds: number }[] };
    expect([api.total_workers, api.active_workers, api.idle_workers]).toEqual([4, 0, 4]);
    for (let i = 1; i <= 4; i++) {
      const lines = resultLines(shared, i);
      expect(lines).toBeGreaterThan(0);
      // The page's tests done / the shard's share, each equal to the lines of the shard's results.
      expect(ended[i - 1]![3]).toBe(`${lines}/${lines}`);
      expect([api.workers[i - 1]!.tasks_completed, api.workers[i - 1]!.tasks_total]).toEqual([lines, lines]);
    }
    // The 4 shards' tests are the suite's: 2 agents × (12 + 6) tasks.
    expect([1, 2, 3, 4].reduce((a, i) => a + resultLines(shared, i), 0)).toBe(36);

    // /costs: each worker's wall time at the rate, marked as an estimate; its dollars are its seconds.
    const costs = (await getOk(monitor.url, '/api/benchmark/costs')) as { workers: { workers: number; hourly_rate_usd: number; cost_usd: number; estimated: boolean } };
    expect(costs.workers).toMatchObject({ workers: 4, hourly_rate_usd: RATE, estimated: true });
    const seconds = api.workers.reduce((a, w) => a + w.uptime_seconds, 0);
    expect(Math.abs(costs.workers.cost_usd - seconds)).toBeLessThan(0.5);
    await expect.poll(() => page.locator('#cost-rows').innerText(), { timeout: 10_000 }).toContain('workers (4)');
    await page.locator('section.bottom').screenshot({ path: join(ROOT, 'test-output', 'workers-panel-slurm-ended.png') });

    // `referee view` on the same directory: the same panel in its live view.
    const viewer = await serveCli('view', shared);
    servers.push(viewer.child);
    const viewPage = await browser.newPage({ viewport: { width: 1400, height: 1500 } });
    await viewPage.goto(`${viewer.url}view#/live`);
    await expect.poll(async () => (await rows(viewPage)).map((r) => `${r[0]} ${r[1]} ${r[3]}`), { timeout: 30_000 }).toEqual(ended.map((r) => `${r[0]} ${r[1]} ${r[3]}`));
  });
});
