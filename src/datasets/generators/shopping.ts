/**
 * Shopping: items are added to and removed from a shopping list, then the
 * user asks for the list as JSON (GoodAI's Shopping dataset).
 */
import { z } from 'zod';
import { loadShoppingItems } from '../data-files.js';
import { createRng, deriveSeed } from '../rng.js';
import type { Rng } from '../rng.js';
import type { DatasetGenerator, TestDefinitionFile } from '../types.js';
import { buildTest, countArg, parseArgs } from './common.js';

export const SHOPPING_QUESTION =
  'What is on my current shopping list? Express the list of items as a JSON list of objects with `item` and `quantity` properties only. Consolidate items that are the same.';

const ArgsSchema = z.strictObject({
  /** How many add/remove statements are made. @default 3 (GoodAI's; its v3 configs ask for 6) */
  item_changes: countArg(3, 100),
});

/** Items are stored singular and all pluralise with `s` (data/shopping_items.json is chosen so). */
function phrase(quantity: number, item: string): string {
  return `${quantity} ${quantity === 1 ? item : `${item}s`}`;
}

const ADD_TEMPLATES: ReadonlyArray<(what: string) => string> = [
  (w) => `Please add ${w} to my shopping list.`,
  (w) => `Add ${w} to my shopping list, please.`,
];
const REMOVE_TEMPLATES: ReadonlyArray<(what: string) => string> = [
  (w) => `Please remove ${w} from my shopping list.`,
  (w) => `Remove ${w} from my shopping list.`,
];

/** GoodAI's reset message, sent when a Shopping test ends (issue 12). */
export const SHOPPING_RESET = 'I have bought all of the items on the list. Please remove all of the items on the current shopping list.';

function generateOne(rng: Rng, changes: number, items: readonly string[]): TestDefinitionFile {
  // A Map keeps first-added order, which is the order the expected list is written in.
  const cart = new Map<string, number>();
  const statements: string[] = [];
  for (let i = 0; i < changes; i++) {
    // A removal may empty an item but never the whole list: GoodAI's scorer
    // divides by the expected count, and an empty list would crash it.
    const removable = [...cart].filter(([, q]) => q > 1 || cart.size > 1);
    // issue 12: GoodAI removes 1 time in 6 (`randint(1, 6) < 2`) and adds 1-3.
    if (removable.length > 0 && rng.int(1, 6) === 1) {
      const [item, quantity] = rng.pick(removable);
      const most = cart.size > 1 ? quantity : quantity - 1;
      const count = rng.int(1, most);
      if (count === quantity) cart.delete(item);
      else cart.set(item, quantity - count);
      statements.push(rng.pick(REMOVE_TEMPLATES)(phrase(count, item)));
    } else {
      const item = rng.pick(items);
      const count = rng.int(1, 3);
      // GoodAI's "another": adding more of an item already on the list says so.
      const more = cart.has(item) ? 'another ' : '';
      cart.set(item, (cart.get(item) ?? 0) + count);
      statements.push(rng.pick(ADD_TEMPLATES)(more + phrase(count, item)));
    }
  }
  // GoodAI's shape: `[name, count]` pairs, names lower case.
  const expected: [string, number][] = [...cart].map(([item, quantity]) => [item.toLowerCase(), quantity]);
  return buildTest({ statements, question: SHOPPING_QUESTION, expected });
}

export const shoppingGenerator: DatasetGenerator = {
  name: 'shopping',
  displayName: 'Shopping',
  resetMessage: SHOPPING_RESET,
  generate({ seed, examples, args }) {
    const { item_changes } = parseArgs('shopping', ArgsSchema, args);
    const items = loadShoppingItems();
    const tests: TestDefinitionFile[] = [];
    for (let index = 0; index < examples; index++) {
      tests.push(generateOne(createRng(deriveSeed(seed, `shopping/${index}`)), item_changes, items));
    }
    return tests;
  },
};
