import { z } from 'zod';

/** Arguments shared by every dataset (GoodAI's `datasets.args`). */
export const DatasetArgsSchema = z.looseObject({
  /** Tokens a test spans, from its first line to its question (GoodAI's memory span). @default 2000 */
  memory_span: z.number().int().positive().default(2000),
  /** Examples generated per dataset. @default 3 */
  dataset_examples: z.number().int().positive().default(3),
  /** Seed of every generator and of the schedule. @default 0 */
  seed: z.number().int().nonnegative().default(0),
  /** Upper bound on one filler message, in tokens (GoodAI's `filler_tokens_high`). */
  filler_tokens_high: z.number().int().positive().optional(),
  filler_tokens_low: z.number().int().positive().optional(),
  pre_question_filler: z.number().int().nonnegative().optional(),
});

export const DatasetEntrySchema = z.strictObject({
  /** Generator name (`colours`, `name_list`, `shopping`, ...). */
  name: z.string().min(1),
  /** Generator arguments; `dataset_examples` here overrides the shared one. */
  args: z.record(z.string(), z.unknown()).default({}),
});

export const DatasetRunConfigSchema = z.strictObject({
  run_name: z.string().default('referee'),
  debug: z.boolean().default(false),
  /** Groups of datasets never interleaved with each other. */
  incompatibilities: z.array(z.array(z.string())).default([]),
  /** Pinned dataset manifest sha256: a run on a different dataset refuses to start. */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be a 64-character lowercase hex sha256')
    .optional(),
});

/** A dataset YAML in the GoodAI shape: `config` and `datasets: {args, datasets: [{name, args}]}`. */
export const DatasetConfigSchema = z.strictObject({
  config: DatasetRunConfigSchema.default(DatasetRunConfigSchema.parse({})),
  datasets: z.strictObject({
    args: DatasetArgsSchema.default(DatasetArgsSchema.parse({})),
    datasets: z.array(DatasetEntrySchema).min(1, 'at least one dataset is required'),
  }),
});

export type DatasetConfig = z.infer<typeof DatasetConfigSchema>;
