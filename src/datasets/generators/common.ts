/**
 * What every generated test shares: GoodAI's file shape, the wait schedule,
 * and argument checking.
 */
import { z } from 'zod';
import { DatasetError } from '../../errors.js';
import type { Wait } from '../types.js';

/** The question's preceding wait: it lands near 90% of the memory span, as in GoodAI. */
export const QUESTION_AT = 90;

/** A count argument (`colour_changes`, ...): an integer in [1, max]. */
export function countArg(fallback: number, max: number) {
  return z.number().int().min(1).max(max).default(fallback);
}

/** Strict, so a misspelt argument stops generation instead of being ignored. */
export function parseArgs<S extends z.ZodType>(dataset: string, schema: S, args: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(args);
  if (!result.success) {
    throw new DatasetError('DATASET_INVALID', `invalid args for dataset "${dataset}":\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

export function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * GoodAI's default waits: the lines are spread evenly so that the last one
 * (the question) lands at 90% of the memory span; the last line waits for nothing.
 */
export function defaultWaits(lines: number): Wait[] {
  if (lines <= 1) return [{}];
  const step = QUESTION_AT / (lines - 1);
  const waits: Wait[] = [];
  for (let i = 0; i < lines - 1; i++) waits.push({ percentage_finished: Math.round(step * (i + 1) * 100) / 100 });
  waits.push({});
  return waits;
}

/** Takes `count` items for example `index` from a deck shuffled once per dataset, so neighbouring examples do not share them. */
export function dealt<T>(deck: readonly T[], index: number, count: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(deck[(index * count + i) % deck.length] as T);
  return out;
}

export function ordinal(n: number): string {
  const mod100 = n % 100;
  const suffix = mod100 >= 11 && mod100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
