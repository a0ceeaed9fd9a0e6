/**
 * The shape each dataset's `expected_responses` takes, as GoodAI writes it
 * (issue 12), checked when a definition loads: a malformed file stops the run
 * with its path and field, instead of every test of it scoring 0 at the end.
 */
import { z } from 'zod';

const text = z.string();
const oneText = z.array(text).length(1);
const shoppingEntry = z.union(
  [
    z.tuple([text, z.number().int()]),
    // Referee's older shape.
    z.object({ item: text, quantity: z.number() }),
  ],
  { error: 'must be ["item", quantity] (GoodAI\'s shape) or {"item", "quantity"}' },
);

const SHAPES: Readonly<Record<string, z.ZodType>> = {
  colours: oneText,
  name_list: z.array(text),
  shopping: z.array(shoppingEntry),
  spy_meeting: z.array(z.array(text).min(1)),
  trigger_response: z.array(text),
  prospective_memory: z.tuple([z.tuple([text, text, z.number().int().min(1)])]),
  sallyanne: oneText,
  jokes: oneText,
  chapterbreak: oneText,
  locations_directions: oneText,
};

/** Undefined when `expected` fits the dataset (or the dataset is not one Referee knows), else why not. */
export function expectedShapeError(dataset: string, expected: unknown): string | undefined {
  const shape = Object.hasOwn(SHAPES, dataset) ? SHAPES[dataset] : undefined;
  // Referee's older Shopping files wrapped the list in a one-element list.
  const unwrapped = dataset === 'shopping' && Array.isArray(expected) && expected.length === 1 && Array.isArray(expected[0]) && expected[0].every((e: unknown) => typeof e === 'object' && !Array.isArray(e)) ? expected[0] : expected;
  const result = shape?.safeParse(unwrapped);
  if (!result || result.success) return undefined;
  const issue = result.error.issues[0]!;
  const where = ['expected_responses', ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('').replace(/\.\[/g, '[');
  return `${where}: ${issue.message}`;
}
