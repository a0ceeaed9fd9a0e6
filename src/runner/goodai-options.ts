/**
 * GoodAI's scheduler semantics as schedule options (issue 7): the
 * introduction, per-dataset reset messages, callback horizons, temporal
 * questions and the virtual clock, looked up from the dataset registry.
 */
import type { DatasetConfig } from '../config/dataset.js';
import { isDynamicGenerator } from '../datasets/dynamic-script.js';
import { findGenerator } from '../datasets/registry.js';
import type { ScheduleOptions } from './scheduler.js';

/** GoodAI's introduction of the benchmark, sent first in every conversation. */
export const GOODAI_INTRO =
  'I am going to subject you to a Long-Term Memory benchmark. In the following, I will be giving you different kinds of information and I expect you to answer extremely briefly, only providing the responses that you are required to provide. Otherwise, provide just short confirmations. Understood?';

export function goodaiScheduleOptions(config: DatasetConfig): Partial<ScheduleOptions> {
  const clock = config.config.clock;
  return {
    ...(config.config.intro && !config.config.isolated ? { intro: GOODAI_INTRO } : {}),
    resetMessage: (def) => findGenerator(def.dataset)?.resetMessage,
    dynamicScript: (def) => {
      const g = findGenerator(def.dataset);
      return isDynamicGenerator(g) ? g.dynamicScript(def) : undefined;
    },
    callbackHorizon: (def) => findGenerator(def.dataset)?.callbackHorizon?.(def) ?? 1,
    createQuestion: (def, times, now) => findGenerator(def.dataset)?.createQuestion?.(def, times, now) ?? def.script[def.script.length - 1] ?? '',
    clock: {
      startMs: Date.parse(clock.start),
      stepS: clock.step_s,
      prefix: clock.tell === 'timestamp_all' ? 'all' : clock.tell === 'timestamp' ? 'temporal' : 'none',
    },
  };
}

/** In `real` clock mode the lanes really wait on jumps, bounded. */
export function realWaitMaxS(config: DatasetConfig): number | undefined {
  return config.config.clock.tell === 'real' ? config.config.clock.max_real_wait_s : undefined;
}
