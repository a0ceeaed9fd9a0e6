import type { DatasetConfig } from '../config/dataset.js';
import { createFillerSource } from '../datasets/filler.js';
import { deriveSeed } from '../datasets/rng.js';
import type { TestDefinition } from '../datasets/types.js';
import { countTokens } from '../tokens.js';
import { goodaiScheduleOptions } from './goodai-options.js';
import { buildSchedule, type Schedule } from './scheduler.js';

/**
 * The schedule of a run, from its dataset, dataset config and concurrency
 * only. One function for a fresh run and a resumed one (issue 4), so both
 * always rebuild the very same steps.
 */
export function buildRunSchedule(definitions: TestDefinition[], datasetConfig: DatasetConfig, concurrency: number): Schedule {
  const args = datasetConfig.datasets.args;
  return buildSchedule(definitions, {
    memorySpan: args.memory_span,
    lanes: concurrency,
    incompatibilities: datasetConfig.config.incompatibilities,
    countTokens,
    createFiller: (lane) => createFillerSource(deriveSeed(args.seed, `filler/${lane}`)),
    // issue 7: intro and reset messages, the virtual clock
    ...goodaiScheduleOptions(datasetConfig),
  });
}
