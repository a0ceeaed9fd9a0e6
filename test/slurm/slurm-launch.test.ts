/**
 * `referee launch slurm --submit` on a real one-node Slurm cluster (Debian's slurmctld, slurmd and
 * munge on 127.0.0.1, started by scripts/slurm-cluster.sh): the example suite as a 4-task array, then
 * the merge job that waits for it (afterok), equals a single-process run of the same plan; so does
 * a 2-agent × 3-seed LTM suite, split by run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, readJson, runCli, tempDir } from '../helpers.js';
import { ltmSuiteAsRead, suiteAsRead } from '../shards/same-run.js';

const SUITE = join(ROOT, 'configs/suites/example.yaml');
const cluster = tempDir('referee-slurm-');
const env = { ...process.env, SLURM_CONF: join(cluster, 'slurm.conf') };

function squeue(): string {
  return execFileSync('squeue', ['-h', '-o', '%i %j %T'], { env, encoding: 'utf8' }).trim();
}

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs / 1000} s; squeue: ${squeue()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('referee launch slurm', () => {
  const runs = tempDir('referee-slurm-runs-');
  const single = join(runs, 'single');

  beforeAll(() => {
    const up = spawnSync('bash', [join(ROOT, 'scripts/slurm-cluster.sh'), 'start', cluster], { encoding: 'utf8' });
    expect(up.status, up.stderr).toBe(0);
  });
  afterAll(() => {
    spawnSync('bash', [join(ROOT, 'scripts/slurm-cluster.sh'), 'stop', cluster]);
  });

  it('runs the example suite as a 4-shard array and a merge job, equal to a single-process run', async () => {
    const launched = await runCli(['launch', 'slurm', SUITE, '--shards', '4', '--run-id', 'nightly', '--runs-dir', runs, '--submit'], { env });
    expect(launched.code, launched.stderr).toBe(0);
    const [, arrayJob, mergeJob] = /submitted array job (\d+) \(4 shards\) and merge job (\d+) \(afterok:\1\)/.exec(launched.stdout) ?? [];
    expect(arrayJob, launched.stdout).toBeDefined();
    // The merge job waits for the array: it is queued behind it before any shard has ended.
    const script = readFileSync(join(runs, 'nightly', 'slurm', 'shards.sbatch'), 'utf8');
    expect(script).toContain('#SBATCH --array=0-3');
    expect(script).toMatch(/export TRACEPARENT=00-[0-9a-f]{32}-[0-9a-f]{16}-01/);

    const one = await runCli(['run', '--suite', SUITE, '--runs-dir', single, '--run-id', 'nightly', '--quiet']);
    expect(one.code, one.stderr).toBe(0);

    const mergedFile = join(runs, 'nightly', 'matrix-nightly.json');
    await until('the merge job', () => existsSync(mergedFile) && !squeue().includes(String(mergeJob)), 300_000);
    const shards = [1, 2, 3, 4].map((i) => readJson<{ shard: { index: number } }>(join(runs, 'nightly', `matrix-nightly.shard-${i}-of-4.json`)).shard.index);
    expect(shards).toEqual([1, 2, 3, 4]);
    expect(readFileSync(join(runs, 'nightly', 'slurm', 'merge.out'), 'utf8')).toContain('merged 4 shards');
    expect(await suiteAsRead(join(runs, 'nightly'), 'nightly')).toEqual(await suiteAsRead(single, 'nightly'));

    // Every shard's spans are in the suite's trace, its run spans children of the suite's span,
    // which the launcher recorded beside the scripts.
    const [, traceId, spanId] = /TRACEPARENT=00-([0-9a-f]{32})-([0-9a-f]{16})/.exec(script) ?? [];
    expect(readFileSync(join(runs, 'nightly', 'slurm', 'spans.jsonl'), 'utf8')).toMatch(new RegExp(`"traceId":"${traceId}","spanId":"${spanId}"[^}]*"name":"benchmark.suite"`));
    for (const piece of ['nightly-sim-think-basics.shard-1-of-4', 'nightly-sim-mini-code.shard-2-of-4', 'nightly-sim-mini-basics.shard-4-of-4']) {
      const spans = readFileSync(join(runs, 'nightly', piece, 'spans.jsonl'), 'utf8');
      expect(spans).toContain(`"traceId":"${traceId}"`);
      expect(spans).toContain(`"parentSpanId":"${spanId}"`);
      const metrics = readFileSync(join(runs, 'nightly', piece, 'metrics.jsonl'), 'utf8');
      expect(metrics).toMatch(/"key":"referee\.shard","value":\{"stringValue":"[1-4]\/4"\}/);
    }
  });

  it('runs a 2-agent × 3-seed LTM suite as a 3-shard array and a merge job, equal to a single-process run', async () => {
    const suite = join(ROOT, 'configs/suites/ltm-seeds.yaml');
    const launched = await runCli(['launch', 'slurm', suite, '--shards', '3', '--run-id', 'seeds', '--runs-dir', runs, '--submit'], { env });
    expect(launched.code, launched.stderr).toBe(0);
    const [, , mergeJob] = /submitted array job (\d+) \(3 shards\) and merge job (\d+)/.exec(launched.stdout) ?? [];
    const one = await runCli(['run', '--suite', suite, '--runs-dir', join(runs, 'ltm-single'), '--run-id', 'seeds', '--quiet']);
    expect(one.code, one.stderr).toBe(0);
    const mergedFile = join(runs, 'seeds', 'ltm-suite-seeds.json');
    await until('the LTM merge job', () => existsSync(mergedFile) && !squeue().includes(String(mergeJob)), 300_000);
    const perShard = [1, 2, 3].map((i) => readJson<{ runs: unknown[] }>(join(runs, 'seeds', `ltm-suite-seeds.shard-${i}-of-3.json`)).runs.length);
    expect(perShard).toEqual([2, 2, 2]);
    expect(await ltmSuiteAsRead(join(runs, 'seeds'), 'seeds')).toEqual(await ltmSuiteAsRead(join(runs, 'ltm-single'), 'seeds'));
  });

  it('re-runs a shard killed mid-run alone (rerun.sh), the merge waits for it, and still equals a single-process run', async () => {
    // Shard 2 is killed (kill -9) as its first piece ends, until the flag file exists.
    const flag = join(runs, 'shard-2-may-live');
    const setup = `[ "$SLURM_ARRAY_TASK_ID" != 1 ] || [ -f ${flag} ] || export REFEREE_KILL_AT=ending:marked`;
    const launched = await runCli(['launch', 'slurm', SUITE, '--shards', '4', '--run-id', 'killed', '--runs-dir', runs, '--setup', setup, '--submit'], { env });
    expect(launched.code, launched.stderr).toBe(0);
    const [, arrayJob, mergeJob] = /submitted array job (\d+) \(4 shards\) and merge job (\d+)/.exec(launched.stdout) ?? [];
    const reason = (): string => execFileSync('squeue', ['-h', '-j', String(mergeJob), '-o', '%r'], { env, encoding: 'utf8' }).trim();
    await until('shard 2 to fail', () => !squeue().includes(`${arrayJob}_`) && reason() === 'DependencyNeverSatisfied', 300_000);
    const piece = readJson<{ status: string }>(join(runs, 'killed', 'killed-sim-think-basics.shard-2-of-4', 'run.json'));
    expect(piece.status).toBe('running');
    expect(existsSync(join(runs, 'killed', 'matrix-killed.json'))).toBe(false);

    writeFileSync(flag, '');
    const rerun = spawnSync('bash', [join(runs, 'killed', 'slurm', 'rerun.sh'), '2'], { env, encoding: 'utf8' });
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(new RegExp(`^shard 2 re-run as job \\d+; merge job ${mergeJob} waits for it`));
    const mergedFile = join(runs, 'killed', 'matrix-killed.json');
    await until('the merge job after the re-run', () => existsSync(mergedFile) && !squeue().includes(String(mergeJob)), 300_000);
    expect(await suiteAsRead(join(runs, 'killed'), 'killed')).toEqual(await suiteAsRead(single, 'nightly').then((s) => JSON.parse(JSON.stringify(s).split('nightly').join('killed')) as unknown));
  });
});
