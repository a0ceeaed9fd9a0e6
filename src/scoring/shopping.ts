/**
 * Shopping, GoodAI's `evaluate_correct` (issue 12), in thirds: the share of
 * expected items the reply names, the share whose quantity is right, and a
 * third when nothing is invented. An answer item matches the first expected
 * name it contains ("2 loaves of bread" is bread), and every matching answer
 * item counts, as in GoodAI. A reply that is not a JSON list of objects with
 * a text `item` and an integer `quantity` scores 0.
 */
import { DatasetError } from '../errors.js';
import { lastAnswer } from './extract.js';
import { isPyInt, pyErrorRepr, pyNumEquals, sanitizeAndParseJson } from './py-json.js';
import type { PyDict, PyValue } from './py-json.js';
import type { Scorer } from './types.js';

/** One expected entry as GoodAI holds it: `[name, count]`. */
export type ShoppingPair = [name: string, quantity: number];

/**
 * `expected_responses` in GoodAI's shape (`[["toothpaste", 2], ...]`) or in
 * Referee's older one (`[{item, quantity}, ...]`, possibly wrapped in a list).
 */
export function expectedPairs(expected: unknown[], testId: string): ShoppingPair[] {
  const list = expected.length === 1 && Array.isArray(expected[0]) && expected[0].every((e) => typeof e === 'object') ? (expected[0] as unknown[]) : expected;
  return list.map((e, i) => {
    if (Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && typeof e[1] === 'number') return [e[0], e[1]];
    const o = e as { item?: unknown; quantity?: unknown } | null;
    if (o && typeof o === 'object' && typeof o.item === 'string' && typeof o.quantity === 'number') return [o.item.toLowerCase(), o.quantity];
    throw new DatasetError('DATASET_INVALID', `${testId}: expected_responses[${i}] must be ["item", quantity] (GoodAI) or {"item", "quantity"}`);
  });
}

/** GoodAI's format check: a list of objects with a str `item` and an int `quantity`. */
function answerItems(value: PyValue): PyDict[] | string {
  if (!Array.isArray(value)) return 'AssertionError()';
  for (const item of value) {
    if (!(item instanceof Map)) return 'TypeError()';
    if (!item.has('item') || !item.has('quantity')) return `KeyError('${item.has('item') ? 'quantity' : 'item'}')`;
    if (typeof item.get('item') !== 'string' || !isPyInt(item.get('quantity'))) return 'AssertionError()';
  }
  return value as PyDict[];
}

export const scoreShopping: Scorer = (test, answers) => {
  const expected = expectedPairs(test.expected_responses, test.testId);
  const answer = lastAnswer(answers);
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  let items: PyDict[] | string;
  try {
    items = answerItems(sanitizeAndParseJson(answer));
  } catch (error) {
    items = pyErrorRepr(error as Error);
  }
  if (typeof items === 'string') return { score: 0, maxScore: 1, reasons: [`Response not in correct format (${items}):\n${answer}`] };

  const names = expected.map(([n]) => n);
  const quantities = new Map(expected);
  const real: string[] = [];
  const invented: string[] = [];
  const reasons: string[] = [];
  let quantitiesRight = 0;
  for (const item of items) {
    const name = (item.get('item') as string).toLowerCase();
    const key = names.find((n) => name.includes(n));
    if (key === undefined) {
      invented.push(name);
      continue;
    }
    real.push(name);
    if (pyNumEquals(item.get('quantity'), quantities.get(key))) quantitiesRight++;
    else reasons.push(`Wrong quantity for ${name}: ${String(item.get('quantity'))} vs ${quantities.get(key)}.`);
  }
  // GoodAI divides by the expected count; an empty list (never generated) would raise there.
  const n = expected.length || 1;
  if (real.length < expected.length) {
    reasons.push(`${expected.length - real.length} items were not found in the response:`, ...names.filter((x) => !real.includes(x)).map((x) => `- ${x}`));
  }
  if (quantitiesRight === expected.length) reasons.push("All expected items' quantities match.");
  if (invented.length > 0) reasons.push(`${invented.length} unexpected items were found:`, ...invented.map((x) => `- ${x}`));
  else reasons.push('There are no unexpected items.');
  const thirds = real.length / n + quantitiesRight / n + (invented.length === 0 ? 1 : 0);
  return { score: thirds / 3, maxScore: 1, reasons: [reasons.join('\n')] };
};
