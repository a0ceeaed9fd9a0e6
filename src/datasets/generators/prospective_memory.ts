/**
 * Prospective memory: the user gives a quote, then asks the agent to append
 * it to its n-th reply from now (the reply to the request counts as the
 * first). Scored by a callback that watches every reply after the request
 * (GoodAI's Prospective Memory dataset). Issue 25: GoodAI's generator, its quotes and its random
 * calls, so a seed gives GoodAI's definitions byte for byte.
 */
import { z } from 'zod';
import { loadGoodaiV3 } from '../data-files.js';
import type { DatasetGenerator, TestDefinitionFile } from '../types.js';
import { parseArgs } from './common.js';
import { datasetRandom, goodaiOrdinal, goodaiWaits, pyRepr, randint } from './goodai.js';
import { shuffledIndices } from './trigger_response.js';

export const PROSPECTIVE_RESET = 'Forget my instruction to append a quote to one of your replies.';

const ArgsSchema = z.strictObject({
  /** Smallest n of "your n-th response". @default 2 */
  target_low: z.number().int().min(1).max(50).default(2),
  /** Largest n. @default 8 */
  target_high: z.number().int().min(1).max(50).default(8),
});

/** `expected_responses[0]` as GoodAI writes it: `[quote, author, n]`. */
export function prospectiveExpected(test: { expected_responses: unknown[]; testId?: string }): { quote: string; author: string; nth: number } | undefined {
  const e = test.expected_responses[0];
  if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'string' || !Number.isInteger(e[2]) || (e[2] as number) < 1) return undefined;
  return { quote: e[0], author: e[1], nth: e[2] as number };
}

export const prospectiveMemoryGenerator: DatasetGenerator = {
  name: 'prospective_memory',
  displayName: 'Prospective Memory',
  resetMessage: PROSPECTIVE_RESET,
  callbackHorizon(test) {
    return prospectiveExpected(test)?.nth ?? 1;
  },
  generate({ seed, examples, args }) {
    const { target_low, target_high } = parseArgs('prospective_memory', ArgsSchema, args);
    const low = Math.min(target_low, target_high);
    const { QUOTES } = loadGoodaiV3().prospective_memory;
    // issue 25: GoodAI's generator: a quote per example from the shuffled indices, then randint(2, 8).
    const rng = datasetRandom(seed);
    const requests = shuffledIndices(rng, QUOTES.length);
    const tests: TestDefinitionFile[] = [];
    for (let index = 0; index < examples; index++) {
      const [quote, author] = QUOTES[requests.next().value as number]!;
      const nth = randint(rng, low, Math.max(low, target_high));
      const script = [
        `${pyRepr(quote)} - ${author}`,
        `After responding to the following unrelated user prompts, please append the quote from ${author}, to your ${goodaiOrdinal(nth)} response. Count your response to this message as the first response.`,
      ];
      tests.push({
        script,
        is_question: [false, true],
        waits: goodaiWaits(script.length),
        expected_responses: [[quote, author, nth]],
        can_be_interleaved: true,
        is_temporal: false,
        uses_callback: true,
      });
    }
    return tests;
  },
};
