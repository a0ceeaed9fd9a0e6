/**
 * LTM suites: agents × dataset configs × seeds, each an LTM run, summarised as a mean with a 95%
 * CI over seeds per cell and overall; split by run into shards (never inside a run), which merge
 * into what one process writes, timings aside.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatMeanCi, meanCi } from '../../src/ltm-suite/ci.js';
import { ROOT, readJson, runCli, tempDir } from '../helpers.js';
import { ltmSuiteAsRead } from '../shards/same-run.js';

const SUITE = join(ROOT, 'configs/suites/ltm-seeds.yaml');

describe('the mean and 95% CI over seeds', () => {
  it("uses Student's t with n − 1 degrees of freedom, and shows no interval for one seed", () => {
    const m = meanCi([0.5, 0.7, 0.9]);
    expect(m.n).toBe(3);
    expect(m.mean).toBeCloseTo(0.7, 12);
    // sd 0.2, t(0.975, 2) = 4.303: 4.303 × 0.2 / √3
    expect(m.ci95).toBeCloseTo(0.49687, 4);
    expect(formatMeanCi(m)).toBe('0.700 ± 0.497 (n=3)');
    expect(meanCi([0.4])).toEqual({ n: 1, mean: 0.4, ci95: null });
    expect(formatMeanCi(meanCi([0.4]))).toBe('0.400 (n=1)');
    expect(meanCi([1, 1, 1, 1, 1]).ci95).toBe(0);
  });
});

describe('referee run --suite (kind: ltm) with seeds, sharded by run', () => {
  const dir = tempDir('referee-ltm-suite-');
  const single = join(dir, 'single');
  const shards = join(dir, 'shards');
  const merged = join(dir, 'merged');
  let one: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    one = await runCli(['run', '--suite', SUITE, '--runs-dir', single, '--run-id', 'seeds', '--quiet']);
    for (const i of [1, 2, 3]) {
      const r = await runCli(['run', '--suite', SUITE, '--runs-dir', shards, '--run-id', 'seeds', '--shard', `${i}/3`, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 180_000);

  it('runs 2 agents × 1 config × 3 seeds and prints each cell as mean ± 95% CI over the seeds', () => {
    expect(one.code, one.stderr).toBe(0);
    const s = readJson<{ runs: { run_id: string; seed: number; ratio: number; agent: string }[]; cells: { agent: string; dataset: string; n: number; mean: number; ci95: number | null }[] }>(join(single, 'ltm-suite-seeds.json'));
    expect(s.runs.map((r) => r.run_id)).toEqual([
      'seeds-memory-agent-default-s0',
      'seeds-memory-agent-default-s1',
      'seeds-memory-agent-default-s2',
      'seeds-sim-mini-default-s0',
      'seeds-sim-mini-default-s1',
      'seeds-sim-mini-default-s2',
    ]);
    // Each seed generates its own dataset.
    const sha = s.runs.slice(0, 3).map((r) => readJson<{ dataset: { sha256: string }; seed: number }>(join(single, r.run_id, 'run.json')));
    expect(sha.map((m) => m.seed)).toEqual([0, 1, 2]);
    expect(new Set(sha.map((m) => m.dataset.sha256)).size).toBe(3);
    const cell = s.cells.find((c) => c.agent === 'memory-agent' && c.dataset === 'default')!;
    const expected = meanCi(s.runs.filter((r) => r.agent === 'memory-agent').map((r) => r.ratio));
    expect(cell).toMatchObject({ n: 3, mean: expected.mean, ci95: expected.ci95 });
    expect(one.stdout).toContain(`memory-agent  ${formatMeanCi(expected)}`);
    // The same matrix as a page beside the summary, each run linked to its report.
    const html = readFileSync(join(single, 'ltm-suite-seeds.html'), 'utf8');
    expect(html).toContain(`<tr><th>memory-agent</th><td>${formatMeanCi(expected)}</td>`);
    expect(html).toContain('<a href="seeds-sim-mini-default-s2/report.html">seeds-sim-mini-default-s2</a>');
    expect(s.cells.map((c) => `${c.agent}/${c.dataset}`)).toEqual(['memory-agent/default', 'memory-agent/all', 'sim-mini/default', 'sim-mini/all']);
  });

  it('gives each shard whole runs, and merges them into what one process writes (timings aside)', async () => {
    const perShard = [1, 2, 3].map((i) => readJson<{ runs: { run_id: string }[] }>(join(shards, `ltm-suite-seeds.shard-${i}-of-3.json`)).runs.length);
    expect(perShard).toEqual([2, 2, 2]);
    const r = await runCli(['merge', shards, '--output-dir', merged]);
    expect(r.code, r.stderr).toBe(0);
    expect(await ltmSuiteAsRead(merged, 'seeds')).toEqual(await ltmSuiteAsRead(single, 'seeds'));
    expect(readFileSync(join(merged, 'ltm-suite-seeds.html'), 'utf8')).toBe(readFileSync(join(single, 'ltm-suite-seeds.html'), 'utf8'));
  }, 60_000);

  it('is checked by referee validate like any suite', async () => {
    const r = await runCli(['validate', SUITE]);
    expect([r.code, r.stdout.trim()]).toEqual([0, `${SUITE}: valid LTM suite (2 agents x 1 dataset config x 3 seeds)`]);
  });

  it('refuses a missing LTM shard in one line, exit 2, and a suite without --run-id', async () => {
    const partial = join(dir, 'partial');
    mkdirSync(partial);
    for (const i of [1, 3]) copyFileSync(join(shards, `ltm-suite-seeds.shard-${i}-of-3.json`), join(partial, `ltm-suite-seeds.shard-${i}-of-3.json`));
    const missing = await runCli(['merge', partial, '--output-dir', join(dir, 'm')]);
    expect([missing.code, missing.stderr.trim()]).toEqual([2, 'referee: merge: shard 2/3 missing (found 1, 3 of 3)']);
    const noId = await runCli(['run', '--suite', SUITE, '--runs-dir', join(dir, 'x'), '--quiet']);
    expect([noId.code, noId.stderr.trim()]).toEqual([2, 'referee: command line: an LTM suite needs --run-id (it names every run, and running it again continues it)']);
  });
});
