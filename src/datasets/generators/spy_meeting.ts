/**
 * Spy meeting: three people each send a coded message (where, when, what to
 * bring); the agent must decode and recall all three (GoodAI's Spy Meeting).
 */
import { z } from 'zod';
import { loadNames, loadSpyCodes } from '../data-files.js';
import type { SpyTopic } from '../data-files.js';
import { createRng, deriveSeed } from '../rng.js';
import type { DatasetGenerator, TestDefinitionFile } from '../types.js';
import { dealt, defaultWaits, parseArgs } from './common.js';

export const SPY_QUESTION =
  'Given the clandestine messages you have received, tell me as specifically as you can, when and where a meeting is going to happen and what you should bring.';

/** Every template names the meeting, so a question about the meeting finds all three. */
export const SPY_TEMPLATES: Readonly<Record<SpyTopic, (name: string, code: string) => string>> = {
  place: (n, c) => `${n}: We will hold the meeting ${c}.`,
  time: (n, c) => `${n}: The time of the meeting is ${c}.`,
  thing: (n, c) => `${n}: Bring to the meeting ${c}.`,
};

const ArgsSchema = z.strictObject({});

export const spyMeetingGenerator: DatasetGenerator = {
  name: 'spy_meeting',
  displayName: 'Spy Meeting',
  generate({ seed, examples, args }) {
    parseArgs('spy_meeting', ArgsSchema, args);
    const codes = loadSpyCodes();
    const people = createRng(deriveSeed(seed, 'spy_meeting/people')).shuffle(loadNames());
    const tests: TestDefinitionFile[] = [];
    for (let index = 0; index < examples; index++) {
      const rng = createRng(deriveSeed(seed, `spy_meeting/${index}`));
      const names = dealt(people, index, 3);
      const script = [`You will be given three messages from different people ${names[0]}, ${names[1]}, and ${names[2]}.`];
      const expected: string[][] = [];
      const senders = rng.shuffle(names);
      rng.shuffle<SpyTopic>(['time', 'thing', 'place']).forEach((topic, i) => {
        const code = rng.pick(codes[topic]);
        script.push(SPY_TEMPLATES[topic](senders[i]!, code.code));
        expected.push(code.answers);
      });
      script.push(SPY_QUESTION);
      tests.push({
        script,
        is_question: script.map((_, i) => i === script.length - 1),
        waits: defaultWaits(script.length),
        expected_responses: expected,
        can_be_interleaved: true,
        is_temporal: false,
        uses_callback: false,
      });
    }
    return tests;
  },
};
