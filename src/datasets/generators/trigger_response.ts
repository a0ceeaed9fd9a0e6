/**
 * Trigger response: "Whenever I <do something> then say: '<sentence>'", then the trigger is given
 * several times; each reply must contain the sentence. Issue 25: GoodAI's generator
 * (datasets/trigger_response.py), its lists and its random calls, so a seed gives GoodAI's
 * definitions byte for byte (pystache's `&#x27;` for an apostrophe in the setup line included).
 */
import { z } from 'zod';
import { loadGoodaiV3 } from '../data-files.js';
import type { PyRandom } from '../py-random.js';
import type { DatasetGenerator, TestDefinitionFile } from '../types.js';
import { countArg, parseArgs } from './common.js';
import { datasetRandom, goodaiWaits, pystache } from './goodai.js';

export const TRIGGER_RESET = 'Cancel any instructions as to what sentence you should say whenever I do something in particular.';

const ArgsSchema = z.strictObject({
  /** How many times the trigger is given (GoodAI's `trigger_activations`). @default 3 */
  trigger_activations: countArg(3, 20),
});

/**
 * GoodAI's `request_num_generator`: the indices shuffled again each time they run out, drawn one
 * per example (its `zip(range(n), generator)` shuffles only when an example asks for one).
 */
export function* shuffledIndices(rng: PyRandom, n: number): Generator<number> {
  const indices = Array.from({ length: n }, (_, i) => i);
  for (;;) {
    rng.shuffle(indices);
    yield* indices;
  }
}

export const triggerResponseGenerator: DatasetGenerator = {
  name: 'trigger_response',
  displayName: 'Trigger Response',
  resetMessage: TRIGGER_RESET,
  generate({ seed, examples, args }) {
    const { trigger_activations } = parseArgs('trigger_response', ArgsSchema, args);
    const { REQUESTS, RESPONSE, TRIGGERS } = loadGoodaiV3().trigger_response;
    const rng = datasetRandom(seed);
    const requests = shuffledIndices(rng, REQUESTS.length);
    const tests: TestDefinitionFile[] = [];
    for (let index = 0; index < examples; index++) {
      const n = requests.next().value as number;
      const script = [pystache("Whenever I {{request}} then say: '{{response}}'", { request: REQUESTS[n]!, response: RESPONSE[n]! })];
      for (let i = 0; i < trigger_activations; i++) script.push(TRIGGERS[n]!);
      tests.push({
        script,
        is_question: script.map((_, i) => i > 0),
        waits: goodaiWaits(script.length),
        expected_responses: script.slice(1).map(() => RESPONSE[n]!),
        can_be_interleaved: true,
        is_temporal: false,
        uses_callback: false,
      });
    }
    return tests;
  },
};
