/**
 * What a shard records about itself, so that `referee merge` can tell its pieces from another
 * plan's, find a missing or duplicated shard, and name the merged run as a single process would.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { redactAgentConfig } from '../events/secrets.js';
import type { LoadedSuite } from '../tasks/load.js';
import type { ShardSpec } from './partition.js';

/** A shard's matrix summary `shard`: which shard of which plan. */
export const SuiteShardSchema = z.object({
  index: z.number().int().min(1),
  count: z.number().int().min(1),
  /** sha256 of everything that decides the results: agents, datasets, evaluators, attempts, run id, shard count. */
  plan: z.string(),
  /** sha256 of the datasets' names and sha256s, to name a foreign dataset as such. */
  datasets: z.string(),
  /** How many cells (whole or a slice) this shard runs: a shard killed between two is not complete. */
  pieces: z.number().int().nonnegative().optional(),
});
export type SuiteShard = z.infer<typeof SuiteShardSchema>;

/** A piece's run.json `dataset_config.shard`: the suite shard, plus the cell's slice. */
export const TaskShardSchema = SuiteShardSchema.omit({ pieces: true }).extend({
  /** The task ids this piece runs (a resume runs the rest of these, never the whole file). */
  tasks: z.array(z.string()),
  /** Whether the piece is the whole cell. */
  whole: z.boolean(),
  /** The cell's run id in a single-process run: the merged run's id. */
  run_id: z.string(),
  /** The cell's tasks in all. */
  cell_tasks: z.number().int().nonnegative(),
  /** The concurrency asked for (a single-process run takes min(this, cell_tasks)). */
  concurrency: z.number().int().positive(),
  /**
   * The whole shard, over all its pieces: its tasks and pieces, so the monitor's workers panel can
   * count a shard's progress before its later pieces exist on disk. Absent in pieces written before.
   */
  shard_tasks: z.number().int().nonnegative().optional(),
  shard_pieces: z.number().int().nonnegative().optional(),
});
export type TaskShard = z.infer<typeof TaskShardSchema>;

/**
 * An LTM suite shard's run's run.json `shard`: which shard of which plan the run belongs to, and
 * that shard's whole share (its runs, and their tests in all), so the monitor's workers panel counts
 * a shard's progress before its later runs exist on disk. `referee merge` drops it: a merged run is
 * the run a single process writes.
 */
export const LtmRunShardSchema = SuiteShardSchema.omit({ pieces: true }).extend(TaskShardSchema.pick({ shard_tasks: true, shard_pieces: true }).required().shape);
export type LtmRunShard = z.infer<typeof LtmRunShardSchema>;

/** What every shard record says of its shard: the workers panel's view of a task piece's or an LTM run's. */
export type RunShard = Pick<TaskShard, 'index' | 'count' | 'plan' | 'shard_tasks' | 'shard_pieces'>;

export function sha256Json(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** The suffix of a shard's run ids and matrix summary: `.shard-2-of-4`. */
export function shardSuffix(spec: ShardSpec): string {
  return `.shard-${spec.index}-of-${spec.count}`;
}

/** A piece's `shard` from run.json's dataset_config, if it is one. */
export function taskShardOf(datasetConfig: Record<string, unknown> | undefined): TaskShard | undefined {
  const raw = datasetConfig?.['shard'];
  if (raw === undefined) return undefined;
  const parsed = TaskShardSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** A run's shard record from its run.json: a task piece's `dataset_config.shard`, or an LTM suite run's `shard`. */
export function runShardOf(meta: Record<string, unknown>): RunShard | undefined {
  const config = meta['dataset_config'];
  const piece = config && typeof config === 'object' ? taskShardOf(config as Record<string, unknown>) : undefined;
  if (piece || meta['shard'] === undefined) return piece;
  const parsed = LtmRunShardSchema.safeParse(meta['shard']);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The shard record of a suite run: the plan's fingerprint covers what decides its results (agents'
 * configs, secrets redacted; datasets by sha256; evaluator, attempts, code limits; the run id that
 * names the merged run; the shard count), and not what only decides its pace (concurrency, cooling).
 */
export function suiteShard(
  loaded: LoadedSuite,
  spec: ShardSpec,
  settings: { runId: string; attempts: number; evaluator: unknown; codeTimeoutS: number; codeMemoryMb: number },
): SuiteShard {
  const datasets = loaded.datasets.map((d) => ({ name: d.name, sha256: d.sha256, evaluator: d.evaluator ?? null }));
  return {
    index: spec.index,
    count: spec.count,
    plan: sha256Json({
      suite: loaded.name,
      agents: loaded.agents.map((a) => redactAgentConfig(a.config)),
      datasets,
      ...settings,
      count: spec.count,
    }),
    datasets: sha256Json(datasets.map((d) => [d.name, d.sha256])),
  };
}
