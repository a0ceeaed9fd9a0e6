/**
 * Colours: the user changes their favourite colour a few times, then asks for
 * it. Only the latest value is right (GoodAI's Colours dataset).
 */
import { z } from 'zod';
import { loadColours } from '../data-files.js';
import { createRng, deriveSeed } from '../rng.js';
import type { DatasetGenerator, TestDefinitionFile } from '../types.js';
import { buildTest, capitalise, countArg, parseArgs } from './common.js';

export const COLOURS_QUESTION = 'What is my favourite colour?';

const ArgsSchema = z.strictObject({
  /** How many times the favourite colour is stated. @default 3 */
  colour_changes: countArg(3, 50),
});

// Later statements vary the wording so that matching a single template is not enough.
const CHANGE_TEMPLATES: ReadonlyArray<(colour: string) => string> = [
  (c) => `My favourite colour is ${c}.`,
  (c) => `I have changed my mind: my favourite colour is now ${c}.`,
  (c) => `${capitalise(c)} is my favourite colour.`,
];

export const coloursGenerator: DatasetGenerator = {
  name: 'colours',
  displayName: 'Colours',
  generate({ seed, examples, args }) {
    const { colour_changes } = parseArgs('colours', ArgsSchema, args);
    const palette = loadColours();
    const tests: TestDefinitionFile[] = [];
    for (let index = 0; index < examples; index++) {
      const rng = createRng(deriveSeed(seed, `colours/${index}`));
      const statements: string[] = [];
      let previous = '';
      for (let i = 0; i < colour_changes; i++) {
        // Never repeat the previous colour, or a change would not be a change.
        const colour = rng.pick(palette.filter((c) => c !== previous));
        const template = i === 0 ? CHANGE_TEMPLATES[0]! : rng.pick(CHANGE_TEMPLATES);
        statements.push(template(colour));
        previous = colour;
      }
      tests.push(buildTest({ statements, question: COLOURS_QUESTION, expected: [previous] }));
    }
    return tests;
  },
};
