/**
 * `referee launch slurm`: a sharded suite as a Slurm array job (one array task per shard, each
 * running its shard into the shared runs directory) and a merge job that depends on the whole
 * array (`afterok`). Written as files the user can read and submit; `--submit` submits them.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, RefereeError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { mergeCommand, shardEnv, shardScript, shq, suiteDir, type LaunchPlan } from './launch-plan.js';

export interface SlurmOptions {
  partition?: string;
  /** `--time`, Slurm's format (`2:00:00`). */
  time?: string;
  gpusPerTask?: number;
  /** A shell command run before each shard (start a model server on the node's GPU, load modules). */
  setup?: string;
}

export interface SlurmFiles {
  dir: string;
  shards: string;
  merge: string;
  submit: string;
  /** `rerun.sh SHARD`: that shard alone again, and the waiting merge made to wait for it. */
  rerun: string;
  /** `ARRAY_JOB=…` and `MERGE_JOB=…` once submitted (by submit.sh or --submit). */
  jobs: string;
}

function directives(plan: LaunchPlan, o: SlurmOptions, name: string, output: string): string[] {
  return [
    `#SBATCH --job-name=${name}`,
    `#SBATCH --output=${output}`,
    '#SBATCH --ntasks=1',
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
    ...(o.gpusPerTask !== undefined ? [`#SBATCH --gpus-per-task=${o.gpusPerTask}`] : []),
  ];
}

/** The array script: task k (0-based, Slurm's) runs shard k+1 of N. */
export function slurmArrayScript(plan: LaunchPlan, o: SlurmOptions, logDir: string): string {
  return [
    '#!/bin/bash',
    `# Referee: suite ${plan.name}, run ${plan.runId}, as ${plan.shards} shards (written by referee launch slurm).`,
    `#SBATCH --array=0-${plan.shards - 1}`,
    ...directives(plan, o, `referee-${plan.runId}`, join(logDir, 'shard-%a.out')),
    'set -euo pipefail',
    ...shardEnv(plan, '$((SLURM_ARRAY_TASK_ID + 1))'),
    ...(o.setup ? ['# --setup', o.setup] : []),
    ...shardScript(plan, '$((SLURM_ARRAY_TASK_ID + 1))'),
    '',
  ].join('\n');
}

/** The merge job (submitted with `--dependency=afterok:<array>`). */
export function slurmMergeScript(plan: LaunchPlan, o: SlurmOptions, logDir: string): string {
  const { gpusPerTask: _gpus, setup: _setup, ...cpuOnly } = o;
  return [
    '#!/bin/bash',
    `# Referee: merges the ${plan.shards} shards of run ${plan.runId} once every one has succeeded.`,
    ...directives(plan, cpuOnly, `referee-${plan.runId}-merge`, join(logDir, 'merge.out')),
    'set -euo pipefail',
    `exec ${mergeCommand(plan)}`,
    '',
  ].join('\n');
}

/** Submits the array, then the merge after it: the same two calls `--submit` makes. */
export function slurmSubmitScript(files: Pick<SlurmFiles, 'shards' | 'merge' | 'jobs'>): string {
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    `array=$(sbatch --parsable ${shq(files.shards)} | cut -d';' -f1)`,
    `merge=$(sbatch --parsable --dependency=afterok:"$array" ${shq(files.merge)} | cut -d';' -f1)`,
    `printf 'ARRAY_JOB=%s\\nMERGE_JOB=%s\\n' "$array" "$merge" > ${shq(files.jobs)}`,
    'echo "array job $array, merge job $merge"',
    '',
  ].join('\n');
}

/**
 * Re-runs one shard alone (it resumes where it stopped) and points the merge at it. A failed array
 * task leaves the merge pending for good (DependencyNeverSatisfied: Slurm does not re-evaluate
 * `afterok` on the array once a task has failed, even requeued), so the merge's dependency is
 * replaced by the new job's.
 */
export function slurmRerunScript(files: Pick<SlurmFiles, 'shards' | 'jobs'>, shards: number): string {
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    'shard="${1:?usage: rerun.sh SHARD (1-based)}"',
    `if [ "$shard" -lt 1 ] || [ "$shard" -gt ${shards} ]; then echo "rerun.sh: shard $shard is not in 1..${shards}" >&2; exit 2; fi`,
    `. ${shq(files.jobs)}`,
    `job=$(sbatch --parsable --array=$((shard - 1)) ${shq(files.shards)} | cut -d';' -f1)`,
    'scontrol update jobid="$MERGE_JOB" dependency=afterok:"$job"',
    'echo "shard $shard re-run as job $job; merge job $MERGE_JOB waits for it"',
    '',
  ].join('\n');
}

/** Writes the scripts under `<runs-dir>/<run-id>/slurm/`. */
export function writeSlurm(plan: LaunchPlan, o: SlurmOptions): SlurmFiles {
  const dir = join(suiteDir(plan), 'slurm');
  mkdirSync(dir, { recursive: true });
  const files = { dir, shards: join(dir, 'shards.sbatch'), merge: join(dir, 'merge.sbatch'), submit: join(dir, 'submit.sh'), rerun: join(dir, 'rerun.sh'), jobs: join(dir, 'jobs.env') };
  writeFileSync(files.shards, slurmArrayScript(plan, o, dir));
  writeFileSync(files.merge, slurmMergeScript(plan, o, dir));
  writeFileSync(files.submit, slurmSubmitScript(files));
  writeFileSync(files.rerun, slurmRerunScript(files, plan.shards));
  for (const f of [files.shards, files.merge, files.submit, files.rerun]) chmodSync(f, 0o755);
  return files;
}

function sbatch(args: string[], env: NodeJS.ProcessEnv): string {
  try {
    return execFileSync('sbatch', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split(';')[0]!;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new ConfigError('CONFIG_INVALID', 'launch slurm --submit: sbatch is not on PATH (run where Slurm is, or submit the written scripts there)');
    throw new RefereeError('CONFIG_INVALID', `sbatch ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`, { exitCode: EXIT.error });
  }
}

/** `sbatch --parsable` the array, then the merge with `--dependency=afterok:<array>`. */
export function submitSlurm(files: SlurmFiles, env: NodeJS.ProcessEnv = process.env): { arrayJob: string; mergeJob: string } {
  const arrayJob = sbatch(['--parsable', files.shards], env);
  const mergeJob = sbatch(['--parsable', `--dependency=afterok:${arrayJob}`, files.merge], env);
  writeFileSync(files.jobs, `ARRAY_JOB=${arrayJob}\nMERGE_JOB=${mergeJob}\n`);
  return { arrayJob, mergeJob };
}
