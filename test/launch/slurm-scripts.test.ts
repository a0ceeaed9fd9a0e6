/**
 * The scripts `referee launch slurm` writes, offline: the directives asked for, a shell that parses,
 * and the array task's body run by hand as Slurm would run it (SLURM_ARRAY_TASK_ID set) writes that
 * shard and resumes it when run again. The real cluster is test/slurm/ (npm run test:slurm).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, readJson, runCli, tempDir } from '../helpers.js';

const SUITE = join(ROOT, 'configs/suites/example.yaml');

describe('referee launch slurm (the scripts)', () => {
  const runs = tempDir('referee-launch-');

  it('writes an array of N shards with the asked directives, a merge job and a submit script', async () => {
    const r = await runCli(['launch', 'slurm', SUITE, '--shards', '3', '--run-id', 'n1', '--runs-dir', runs, '--partition', 'gpu', '--time', '2:00:00', '--gpus-per-task', '1', '--setup', "echo 'model up' > setup.txt"]);
    expect(r.code, r.stderr).toBe(0);
    const dir = join(runs, 'n1', 'slurm');
    const shards = readFileSync(join(dir, 'shards.sbatch'), 'utf8');
    for (const line of ['#SBATCH --array=0-2', '#SBATCH --partition=gpu', '#SBATCH --time=2:00:00', '#SBATCH --gpus-per-task=1', "echo 'model up' > setup.txt", '--shard "$i/3"', '--run-id n1']) {
      expect(shards).toContain(line);
    }
    // The suite's span, recorded beside the scripts: the TRACEPARENT every shard gets names it.
    const [, traceId, spanId] = /export TRACEPARENT=00-([0-9a-f]{32})-([0-9a-f]{16})-01/.exec(shards) ?? [];
    expect(readFileSync(join(dir, 'spans.jsonl'), 'utf8')).toContain(`"traceId":"${traceId}","spanId":"${spanId}"`);
    expect(readFileSync(join(dir, 'spans.jsonl'), 'utf8')).toMatch(new RegExp(`"spanId":"${spanId}"[^}]*"name":"benchmark.suite"`));
    const merge = readFileSync(join(dir, 'merge.sbatch'), 'utf8');
    expect(merge).toContain(`merge ${join(runs, 'n1')} --output-dir ${join(runs, 'n1')}`);
    expect(merge).not.toContain('--gpus-per-task');
    expect(readFileSync(join(dir, 'submit.sh'), 'utf8')).toContain('--dependency=afterok:"$array"');
    const rerun = readFileSync(join(dir, 'rerun.sh'), 'utf8');
    expect(rerun).toContain('--array=$((shard - 1))');
    expect(rerun).toContain('scontrol update jobid="$MERGE_JOB" dependency=afterok:"$job"');
    for (const f of ['shards.sbatch', 'merge.sbatch', 'submit.sh', 'rerun.sh']) expect(spawnSync('bash', ['-n', join(dir, f)]).status).toBe(0);
    const outOfRange = spawnSync('bash', [join(dir, 'rerun.sh'), '4'], { encoding: 'utf8' });
    expect([outOfRange.status, outOfRange.stderr.trim()]).toEqual([2, 'rerun.sh: shard 4 is not in 1..3']);
  });

  it("runs an array task's body by hand as that shard, and again as its resume", async () => {
    const r = await runCli(['launch', 'slurm', SUITE, '--shards', '4', '--run-id', 'n2', '--runs-dir', runs]);
    expect(r.code, r.stderr).toBe(0);
    const script = join(runs, 'n2', 'slurm', 'shards.sbatch');
    const env = { ...process.env, SLURM_ARRAY_TASK_ID: '1' };
    const first = spawnSync('bash', [script], { env, encoding: 'utf8', cwd: runs });
    expect(first.status, first.stderr).toBe(0);
    const summary = readJson<{ shard: { index: number; count: number }; cells: { run_id: string }[] }>(join(runs, 'n2', 'matrix-n2.shard-2-of-4.json'));
    expect(summary.shard).toMatchObject({ index: 2, count: 4 });
    expect(summary.cells.map((c) => c.run_id)).toEqual(['n2-sim-think-basics.shard-2-of-4', 'n2-sim-mini-basics.shard-2-of-4', 'n2-sim-mini-code.shard-2-of-4']);
    const again = spawnSync('bash', [script], { env, encoding: 'utf8', cwd: runs });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr + again.stdout).toContain("run already finished; nothing to resume");
  });

  it('refuses a missing suite or shard count in one line, exit 2', async () => {
    const none = await runCli(['launch', 'slurm', join(runs, 'nope.yaml'), '--shards', '2']);
    expect([none.code, none.stderr.trim()]).toEqual([2, `referee: ${join(runs, 'nope.yaml')}: no such suite file`]);
    const zero = await runCli(['launch', 'slurm', SUITE, '--shards', '0', '--runs-dir', runs]);
    expect([zero.code, zero.stderr.trim()]).toEqual([2, 'referee: command line: --shards: 0 is not a whole number of shards ≥ 1']);
  });
});
