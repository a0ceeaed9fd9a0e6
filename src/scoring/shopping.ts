/**
 * Shopping, scored in thirds as in GoodAI: every expected item present; every
 * quantity right; nothing invented. A reply that is not a JSON list of
 * `{item, quantity}` objects scores 0.
 */
import { DatasetError } from '../errors.js';
import { extractJsonArray, lastAnswer } from './extract.js';
import type { Scorer } from './types.js';

/**
 * Generated items are singular and pluralise with `s`, so dropping one
 * trailing `s` is enough to make "apples" and "Apple" the same item.
 */
export function itemKey(item: string): string {
  const key = item.trim().toLowerCase().replace(/\s+/g, ' ');
  return key.length > 3 && key.endsWith('s') ? key.slice(0, -1) : key;
}

interface Entry {
  item: string;
  quantity: number;
}

function isEntry(value: unknown): value is Entry {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Entry).item === 'string' &&
    typeof (value as Entry).quantity === 'number' &&
    Number.isFinite((value as Entry).quantity)
  );
}

/** Lenient on the one thing models often do: a quantity written as a numeric string. */
function toEntry(value: unknown): Entry | undefined {
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    const quantity = typeof v.quantity === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v.quantity) ? Number(v.quantity) : v.quantity;
    const entry = { item: v.item, quantity };
    if (isEntry(entry)) return entry;
  }
  return undefined;
}

/** Sums quantities per item key, dropping zero totals. */
function consolidate(entries: readonly Entry[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const e of entries) totals.set(itemKey(e.item), (totals.get(itemKey(e.item)) ?? 0) + e.quantity);
  for (const [key, quantity] of totals) if (quantity === 0) totals.delete(key);
  return totals;
}

/** Ours store the list itself; accept a list wrapped in a one-element list too. */
function expectedEntries(expected: unknown[], testId: string): Entry[] {
  const list = expected.length === 1 && Array.isArray(expected[0]) ? (expected[0] as unknown[]) : expected;
  if (!list.every(isEntry)) {
    throw new DatasetError('DATASET_INVALID', `${testId}: expected_responses must be a list of {item, quantity} objects`);
  }
  return list;
}

export const scoreShopping: Scorer = (test, answers) => {
  const expected = consolidate(expectedEntries(test.expected_responses, test.testId));
  const answer = lastAnswer(answers);
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  const parsed = extractJsonArray(answer);
  if (!parsed.ok) return { score: 0, maxScore: 1, reasons: [`${parsed.reason}.`] };
  const entries = parsed.value.map(toEntry);
  const badIndex = entries.findIndex((e) => e === undefined);
  if (badIndex !== -1) {
    return {
      score: 0,
      maxScore: 1,
      reasons: [`Malformed list: element ${badIndex} is ${JSON.stringify(parsed.value[badIndex])}, not an {item, quantity} object.`],
    };
  }
  const given = consolidate(entries as Entry[]);

  const missing = [...expected.keys()].filter((k) => !given.has(k));
  const wrongQuantity = [...expected].filter(([k, q]) => given.has(k) && given.get(k) !== q).map(([k, q]) => `${k} (${given.get(k)} instead of ${q})`);
  const invented = [...given.keys()].filter((k) => !expected.has(k));

  const parts: string[] = [];
  let thirds = 0;
  if (missing.length === 0) {
    thirds++;
    parts.push('all items present');
  } else parts.push(`missing ${missing.join(', ')}`);
  if (missing.length === 0 && wrongQuantity.length === 0) {
    thirds++;
    parts.push('all quantities right');
  } else parts.push(wrongQuantity.length > 0 ? `wrong quantities: ${wrongQuantity.join(', ')}` : 'quantities of missing items cannot be right');
  if (invented.length === 0) {
    thirds++;
    parts.push('nothing invented');
  } else parts.push(`not on the list: ${invented.join(', ')}`);
  return { score: thirds / 3, maxScore: 1, reasons: [`${parts.join('; ')}.`] };
};
