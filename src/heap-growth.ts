/**
 * Issue 13: a long LTM run's live heap stays flat (about 100 MB at 5k turns
 * and at 80k), but a process that allocates as fast as a runner does lets V8
 * grow its heap to about four times the live size before a full collection,
 * and the pages it grew stay in the RSS: 450 MB for a run that needs 130. The
 * CLI asks V8 to collect once the heap has grown a fixed share past what was
 * live after the last full collection (V8's own `--heap-growing-percent`).
 * It is not a cap: a run that needs more memory still gets it. Set
 * `REFEREE_HEAP_GROWING_PERCENT=0` for V8's own heuristic.
 */
import { setFlagsFromString } from 'node:v8';
import { ConfigError } from './errors.js';

export const HEAP_GROWING_PERCENT_ENV = 'REFEREE_HEAP_GROWING_PERCENT';
/** Measured with `npm run bench`: see the README's benchmark section for RSS and CPU at 0, 30 and 50. */
export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/** Applies the heap growth bound for this process; returns the percent set, or undefined when V8's heuristic is kept. */
export function boundHeapGrowth(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[HEAP_GROWING_PERCENT_ENV];
  const percent = raw === undefined || raw === '' ? DEFAULT_HEAP_GROWING_PERCENT : Number(raw);
  if (!Number.isInteger(percent) || percent < 0 || percent > 1000) {
    throw new ConfigError('CONFIG_INVALID', `${HEAP_GROWING_PERCENT_ENV}: expected a whole number of percent from 0 to 1000, got "${raw}"`);
  }
  if (percent === 0) return undefined;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
