/**
 * Colours: the user states a favourite colour a few times, then asks for it. Only the latest
 * value is right. Issue 25: GoodAI's generator (datasets/colours.py), its lists and its random
 * calls, so a seed gives GoodAI's definitions byte for byte.
 */
import { z } from 'zod';
import { loadGoodaiV3 } from '../data-files.js';
import type { DatasetGenerator, TestDefinitionFile } from '../types.js';
import { countArg, parseArgs } from './common.js';
import { choice, datasetRandom, goodaiWaits, pystache } from './goodai.js';

export const COLOURS_QUESTION = 'What is my favourite colour?';

const ArgsSchema = z.strictObject({
  /** How many times the favourite colour is stated. @default 3 */
  colour_changes: countArg(3, 50),
});

export const coloursGenerator: DatasetGenerator = {
  name: 'colours',
  displayName: 'Colours',
  generate({ seed, examples, args }) {
    const { colour_changes } = parseArgs('colours', ArgsSchema, args);
    const { COLOURS, STATEMENTS } = loadGoodaiV3().colours;
    const rng = datasetRandom(seed);
    const tests: TestDefinitionFile[] = [];
    for (let index = 0; index < examples; index++) {
      const colours: string[] = [];
      const script: string[] = [];
      for (let i = 0; i < colour_changes; i++) {
        const colour = choice(rng, COLOURS);
        script.push(pystache(choice(rng, STATEMENTS), { colour }));
        colours.push(colour);
      }
      script.push(COLOURS_QUESTION);
      tests.push({
        script,
        is_question: script.map((_, i) => i === script.length - 1),
        waits: goodaiWaits(script.length),
        expected_responses: [colours[colours.length - 1]],
        can_be_interleaved: true,
        is_temporal: false,
        uses_callback: false,
      });
    }
    return tests;
  },
};
