import { z } from 'zod';
import { SCORING_MODES } from '../scoring/types.js';

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

/**
 * The virtual clock of `time` waits (issue 7). How the agent learns the time:
 * `none` (GoodAI's way, issue 12) tells nothing: the clock moves, the agent
 * keeps its own time; `timestamp` prefixes the lines of temporal tests with `[YYYY-MM-DD HH:MM:SS]`,
 * `timestamp_all` every message, `real` tells nothing and really waits (up to
 * `max_real_wait_s` per jump) for agents that read their own clock.
 */
export const ClockConfigSchema = z.strictObject({
  /** Virtual time of the first message. @default "2024-01-01T09:00:00Z" */
  start: z.iso.datetime({ offset: true }).default('2024-01-01T09:00:00Z'),
  /** Virtual seconds each message takes. @default 30 */
  step_s: z.number().min(0).default(30),
  /** @default "none" */
  tell: z.enum(['none', 'timestamp', 'timestamp_all', 'real']).default('none'),
  /** Longest real wait for one jump in `real` mode, seconds. @default 5 */
  max_real_wait_s: z.number().min(0).default(5),
});

export const DatasetRunConfigSchema = z.strictObject({
  run_name: z.string().default('referee'),
  debug: z.boolean().default(false),
  /** Groups of datasets never interleaved with each other. */
  incompatibilities: z.array(z.array(z.string())).default([]),
  /** Send GoodAI's introduction of the benchmark first in every conversation. @default true */
  intro: z.boolean().default(true),
  clock: ClockConfigSchema.default(ClockConfigSchema.parse({})),
  /** issue 12: GoodAI's `-i`: each test alone in its own conversation, no filler between its lines, no introduction. @default false */
  isolated: z.boolean().default(false),
  /**
   * issue 12: `goodai` scores exactly as GoodAI's `evaluate_correct`; `strict`
   * fixes its known flaws (Colours: the colour as a whole word, not a
   * substring). Recorded in run.json with the rest of this config.
   * @default "goodai"
   */
  scoring: z.enum(SCORING_MODES).default('goodai'),
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
