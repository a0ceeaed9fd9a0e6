import type { DatasetConfig } from '../config/dataset.js';
import type { TestDefinition } from '../datasets/types.js';
import { countGoodaiTokens } from '../tokens.js';
import { createGoodaiFiller, GOODAI_FILLER_SEED } from './goodai-filler.js';
import { goodaiScheduleOptions } from './goodai-options.js';
import type { LanePlan } from './lane-plan.js';
import { buildSchedule, createLanePlans, dryRunReply, playPlan, type Schedule, type ScheduleOptions, type ScheduleStep } from './scheduler.js';

/** What a run's plan depends on besides its dataset: the lanes and the agent's max message size. */
export interface RunPlanOptions {
  concurrency: number;
  /** The agent's `max_message_size` (issue 12). @default 4096 */
  maxMessageSize?: number;
}

/**
 * The schedule options of a run, from its dataset config and plan options
 * only: one function for a fresh run and a resumed one (issue 4), so both
 * hand out the very same steps for the same replies.
 */
export function runScheduleOptions(datasetConfig: DatasetConfig, options: RunPlanOptions): ScheduleOptions {
  const args = datasetConfig.datasets.args;
  return {
    memorySpan: args.memory_span,
    lanes: options.concurrency,
    incompatibilities: datasetConfig.config.incompatibilities,
    // issue 12: GoodAI counts its waits with cl100k
    countTokens: countGoodaiTokens,
    // GoodAI's one conversation draws its filler from Random(0) whatever the seed; lane n from Random(n).
    createFiller: (lane) => createGoodaiFiller(GOODAI_FILLER_SEED + lane, countGoodaiTokens),
    ...(options.maxMessageSize !== undefined ? { maxMessageSize: options.maxMessageSize } : {}),
    ...(datasetConfig.config.isolated ? { isolated: true } : {}),
    // issue 7: intro and reset messages, the virtual clock
    ...goodaiScheduleOptions(datasetConfig),
  };
}

/** The plans a run's lanes follow, one per lane. */
export function createRunPlans(definitions: TestDefinition[], datasetConfig: DatasetConfig, options: RunPlanOptions): LanePlan[] {
  return createLanePlans(definitions, { ...runScheduleOptions(datasetConfig, options), keepSteps: false });
}

/**
 * The expected number of turns of a fresh run: the dry run of `buildRunSchedule`
 * (filler answered with its canned reply, a test line with `OK`), counting steps
 * instead of keeping them (issue 13: an 80k-turn run's steps, filler messages of
 * up to `max_message_size` tokens each, held hundreds of MB at start-up).
 */
export function countRunTurns(definitions: TestDefinition[], datasetConfig: DatasetConfig, options: RunPlanOptions): number {
  return createRunPlans(definitions, datasetConfig, options).reduce((turns, plan) => turns + playPlan(plan, dryRunReply), 0);
}

/**
 * The schedule of a run: a dry run (filler answered with its canned reply, a
 * test line with `OK`) for the expected number of turns, or, given the
 * recorded replies, the steps a resumed run already took (issue 12).
 */
export function buildRunSchedule(
  definitions: TestDefinition[],
  datasetConfig: DatasetConfig,
  options: RunPlanOptions,
  replyOf?: (step: ScheduleStep) => string | undefined,
  /** A dynamic test's judge replies as recorded (`llm_call` events), by test id. */
  llmReplies?: (testId: string) => readonly string[],
): Schedule {
  return buildSchedule(definitions, { ...runScheduleOptions(datasetConfig, options), ...(llmReplies ? { llmReplies } : {}) }, replyOf);
}
