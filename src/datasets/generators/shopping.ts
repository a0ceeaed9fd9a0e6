/**
 * Shopping: items are added to and removed from a shopping list, then the list is asked for.
 * Issue 25: GoodAI's generator (datasets/shopping.py), its lists and its random calls, so a seed
 * gives GoodAI's definitions byte for byte (an empty final list included, as GoodAI can write it).
 */
import { z } from 'zod';
import { loadGoodaiV3 } from '../data-files.js';
import type { DatasetGenerator, TestDefinitionFile } from '../types.js';
import { countArg, parseArgs } from './common.js';
import { choice, datasetRandom, goodaiWaits, pystache, randint } from './goodai.js';

export const SHOPPING_QUESTION =
  'What is on my current shopping list? Express the list of items as a JSON list of objects with `item` and `quantity` properties only. Consolidate items that are the same.';

const ArgsSchema = z.strictObject({
  /** How many add/remove statements are made. @default 3 (GoodAI's; its v3 configs ask for 6) */
  item_changes: countArg(3, 100),
});

/** GoodAI's reset message, sent when a Shopping test ends (issue 12). */
export const SHOPPING_RESET = 'I have bought all of the items on the list. Please remove all of the items on the current shopping list.';

export const shoppingGenerator: DatasetGenerator = {
  name: 'shopping',
  displayName: 'Shopping',
  resetMessage: SHOPPING_RESET,
  generate({ seed, examples, args }) {
    const { item_changes } = parseArgs('shopping', ArgsSchema, args);
    const { ITEMS, STATEMENTS_ADD, STATEMENTS_REMOVE, NUMBER } = loadGoodaiV3().shopping;
    const rng = datasetRandom(seed);
    const tests: TestDefinitionFile[] = [];
    for (let index = 0; index < examples; index++) {
      const counts: number[] = [];
      const cart: string[] = [];
      const script: string[] = [];
      for (let change = 0; change < item_changes; change++) {
        // GoodAI draws the remove roll only while the cart holds something (Python's `and` short-circuits).
        if (cart.length > 0 && randint(rng, 1, 6) < 2) {
          const item = choice(rng, cart);
          const at = cart.indexOf(item);
          const number = randint(rng, 1, counts[at]!);
          const left = counts[at]! - number;
          if (left <= 0) {
            counts.splice(at, 1);
            cart.splice(at, 1);
          } else counts[at] = left;
          script.push(pystache(choice(rng, STATEMENTS_REMOVE), { item, number: String(number) }));
        } else {
          const item = choice(rng, ITEMS);
          const number = choice(rng, NUMBER);
          let modifier = '';
          if (cart.includes(item)) {
            modifier = 'another ';
            counts[cart.indexOf(item)]! += number;
          } else {
            cart.push(item);
            counts.push(number);
          }
          script.push(pystache(choice(rng, STATEMENTS_ADD), { item, modifier, number: String(number) }));
        }
      }
      script.push(SHOPPING_QUESTION);
      tests.push({
        script,
        is_question: script.map((_, i) => i === script.length - 1),
        waits: goodaiWaits(script.length),
        expected_responses: cart.map((item, i) => [item.toLowerCase(), counts[i]!]),
        can_be_interleaved: true,
        is_temporal: false,
        uses_callback: false,
      });
    }
    return tests;
  },
};
