/**
 * NameList: the user gives several names, then asks for all of them. Every
 * name counts, in order (GoodAI's NameList dataset).
 */
import { z } from 'zod';
import { loadNames } from '../data-files.js';
import { createRng, deriveSeed } from '../rng.js';
import type { DatasetGenerator, TestDefinitionFile } from '../types.js';
import { buildTest, countArg, parseArgs } from './common.js';

export const NAME_LIST_QUESTION =
  'What have been all of the names that I have given you? Express the answer as a JSON list.';

/** GoodAI's reset message (its spelling), sent when a NameList test ends (issue 12). */
export const NAME_LIST_RESET = 'Forget, or otherwise disregard, all of the names I have given you before this message. You do not currrently know my name.';

const ArgsSchema = z.strictObject({
  /** How many names are given. @default 3 */
  name_changes: countArg(3, 100),
});

const NAME_TEMPLATES: ReadonlyArray<(name: string) => string> = [
  (n) => `My name is ${n}.`,
  (n) => `Please call me ${n} from now on.`,
  (n) => `I have a new name: my name is now ${n}.`,
];

export const nameListGenerator: DatasetGenerator = {
  name: 'name_list',
  displayName: 'NameList',
  resetMessage: NAME_LIST_RESET,
  generate({ seed, examples, args }) {
    const { name_changes } = parseArgs('name_list', ArgsSchema, args);
    const pool = loadNames();
    const tests: TestDefinitionFile[] = [];
    for (let index = 0; index < examples; index++) {
      const rng = createRng(deriveSeed(seed, `name_list/${index}`));
      // Distinct names, so "all of the names" has one unambiguous answer.
      const names = rng.shuffle(pool).slice(0, name_changes);
      const statements = names.map((n, i) => (i === 0 ? NAME_TEMPLATES[0]! : rng.pick(NAME_TEMPLATES))(n));
      tests.push(buildTest({ statements, question: NAME_LIST_QUESTION, expected: names }));
    }
    return tests;
  },
};
