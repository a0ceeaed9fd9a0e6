/**
 * NameList: the user gives several names, then asks for all of them. Every
 * name counts, in order (GoodAI's NameList dataset). Issue 25: GoodAI's generator, Faker's names
 * and GoodAI's statements, so a seed gives GoodAI's definitions byte for byte (Faker seeded with it).
 */
import { z } from 'zod';
import { loadGoodaiV3 } from '../data-files.js';
import { UniqueFakerNames } from '../faker-names.js';
import { PyRandom } from '../py-random.js';
import type { DatasetGenerator, TestDefinitionFile } from '../types.js';
import { countArg, parseArgs } from './common.js';
import { choice, datasetRandom, goodaiWaits, pystache } from './goodai.js';

export const NAME_LIST_QUESTION =
  'What have been all of the names that I have given you? Express the answer as a JSON list.';

/** GoodAI's reset message (its spelling), sent when a NameList test ends (issue 12). */
export const NAME_LIST_RESET = 'Forget, or otherwise disregard, all of the names I have given you before this message. You do not currrently know my name.';

const ArgsSchema = z.strictObject({
  /** How many names are given. @default 3 */
  name_changes: countArg(3, 100),
});

export const nameListGenerator: DatasetGenerator = {
  name: 'name_list',
  displayName: 'NameList',
  resetMessage: NAME_LIST_RESET,
  generate({ seed, examples, args }) {
    const { name_changes } = parseArgs('name_list', ArgsSchema, args);
    const { STATEMENTS } = loadGoodaiV3().name_list;
    // issue 25: GoodAI's generator. The names are Faker's first_name() (en_US and en_IE), from Faker's shared
    // random, which GoodAI leaves unseeded: Referee seeds it with the seed (as generate_goldens.py does for
    // GoodAI's code); the statements come from the dataset's Random(seed).
    const faker = new UniqueFakerNames(new PyRandom(seed));
    const rng = datasetRandom(seed);
    const tests: TestDefinitionFile[] = [];
    for (let index = 0; index < examples; index++) {
      faker.clear();
      const names: string[] = [];
      const script: string[] = [];
      for (let i = 0; i < name_changes; i++) {
        const name = faker.firstName();
        script.push(pystache(choice(rng, STATEMENTS), { name }));
        names.push(name);
      }
      script.push(NAME_LIST_QUESTION);
      tests.push({
        script,
        is_question: script.map((_, i) => i === script.length - 1),
        waits: goodaiWaits(script.length),
        expected_responses: names,
        can_be_interleaved: true,
        is_temporal: false,
        uses_callback: false,
      });
    }
    return tests;
  },
};
