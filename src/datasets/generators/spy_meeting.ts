/**
 * Spy meeting: three people each send a coded message (where, when, what to
 * bring); the agent must decode and recall all three (GoodAI's Spy Meeting). Issue 25: GoodAI's
 * generator, its Faker names (faker-names.ts) and its random calls, so a seed gives GoodAI's
 * definitions byte for byte.
 */
import { z } from 'zod';
import { loadSpyCodes } from '../data-files.js';
import type { SpyTopic } from '../data-files.js';
import { UniqueFakerNames } from '../faker-names.js';
import { PyRandom } from '../py-random.js';
import type { DatasetGenerator, TestDefinitionFile } from '../types.js';
import { parseArgs } from './common.js';
import { choice, datasetRandom, goodaiWaits } from './goodai.js';

export const SPY_QUESTION =
  'Given the clandestine messages you have received, tell me as specifically as you can, when and where a meeting is going to happen and what you should bring.';

/** GoodAI's templates (its PLACE_TEMPLATE, TIME_TEMPLATE, THING_TEMPLATE). */
export const GOODAI_TEMPLATES: Readonly<Record<SpyTopic, (name: string, code: string) => string>> = {
  place: (n, c) => `${n}: We will rendezvous ${c}.`,
  time: (n, c) => `${n}: The time we will meet is ${c}.`,
  thing: (n, c) => `${n}: Bring to the meeting ${c}.`,
};

const ArgsSchema = z.strictObject({});

export const spyMeetingGenerator: DatasetGenerator = {
  name: 'spy_meeting',
  displayName: 'Spy Meeting',
  generate({ seed, examples, args }) {
    parseArgs('spy_meeting', ArgsSchema, args);
    const codes = loadSpyCodes();
    // issue 25: GoodAI's generator: Faker(['en_US', 'en_IE']) after Faker.seed(seed) names the people,
    // the dataset's own Random(seed) picks senders, topics and codes.
    const faker = new UniqueFakerNames(new PyRandom(seed));
    const rng = datasetRandom(seed);
    const tests: TestDefinitionFile[] = [];
    for (let index = 0; index < examples; index++) {
      faker.clear();
      const names = [faker.name(), faker.name(), faker.name()];
      const script = [`You will be given three messages from different people ${names[0]}, ${names[1]}, and ${names[2]}.`];
      const expected: string[][] = [];
      const topics: SpyTopic[] = ['time', 'thing', 'place'];
      for (let k = 0; k < 3; k++) {
        const name = choice(rng, names);
        names.splice(names.indexOf(name), 1);
        const topic = choice(rng, topics);
        topics.splice(topics.indexOf(topic), 1);
        const code = choice(rng, codes[topic]);
        script.push(GOODAI_TEMPLATES[topic](name, code.code));
        expected.push(code.answers);
      }
      script.push(SPY_QUESTION);
      tests.push({
        script,
        is_question: script.map((_, i) => i === script.length - 1),
        waits: goodaiWaits(script.length),
        expected_responses: expected,
        can_be_interleaved: true,
        is_temporal: false,
        uses_callback: false,
      });
    }
    return tests;
  },
};
