/**
 * Jokes: jokes are told with jumps of (virtual) time between them; the
 * question, written when it is asked, names how long ago one of them was told
 * (GoodAI's Jokes dataset, a temporal test). Issue 25: GoodAI's generator and jokes, so a seed
 * gives GoodAI's definitions byte for byte (its unseeded time jumps seeded with the seed).
 */
import { z } from 'zod';
import { loadGoodaiV3 } from '../data-files.js';
import { PyRandom } from '../py-random.js';
import type { DatasetGenerator, TestDefinitionFile, Wait } from '../types.js';
import { countArg, parseArgs } from './common.js';
import { choice, datasetRandom, randint } from './goodai.js';

const ArgsSchema = z.strictObject({
  /** Jokes told per test (at most GoodAI's nine). @default 3 */
  jokes_told: countArg(3, 12),
  /** Shortest time jump after a joke, minutes. @default 30 */
  minutes_low: z.number().int().min(1).default(30),
  /** Longest time jump, minutes (at least minutes_low, as Python's randint needs). @default 240 */
  minutes_high: z.number().int().min(1).default(240),
  /** Prefix each joke with "Joke: " (GoodAI's `joke_prefix`). @default false */
  joke_prefix: z.boolean().default(false),
});

/** "2 hours 5 minutes", GoodAI's wording of an elapsed time (whole minutes, within a day). */
export function describeElapsed(ms: number): string {
  const minutes = Math.floor((Math.max(0, ms) % 86_400_000) / 60_000);
  const hours = Math.floor(minutes / 60);
  let text = '';
  if (minutes > 0) text = `${minutes % 60} minutes `;
  if (hours > 0) text = `${hours} hours ${text}`;
  return text;
}

export const jokesGenerator: DatasetGenerator = {
  name: 'jokes',
  displayName: 'Jokes',
  generate({ seed, examples, args }) {
    const { jokes_told, minutes_low, minutes_high, joke_prefix } = parseArgs('jokes', ArgsSchema, args);
    const { JOKES } = loadGoodaiV3().jokes;
    // issue 25: GoodAI's generator. The jokes come from the dataset's Random(seed); the time jumps from
    // Python's global random (GoodAI's create_time_jump), which GoodAI leaves unseeded: Referee seeds it
    // with the seed, as scripts/goodai/generate_goldens.py does for GoodAI's own code.
    const rng = datasetRandom(seed);
    const clock = new PyRandom(seed);
    const tests: TestDefinitionFile[] = [];
    for (let index = 0; index < examples; index++) {
      const left = [...JOKES];
      const script: string[] = [];
      const told: string[] = [];
      const waits: Wait[] = [];
      const share = 90 / jokes_told;
      for (let made = 0; made < jokes_told && left.length > 0; made++) {
        const joke = choice(rng, left);
        left.splice(left.indexOf(joke), 1);
        script.push(joke_prefix ? `Joke: ${joke}` : joke);
        told.push(joke);
        // timedelta(minutes=m).seconds: whole days are dropped, as GoodAI's WaitCreator.serialise drops them.
        waits.push({ time: (randint(clock, minutes_low, minutes_high) * 60) % 86_400, percentage_finished: (made + 1) * share });
      }
      const answer = choice(rng, told);
      waits.push({});
      tests.push({
        script,
        // One more question than script lines: the question is written when asked.
        is_question: [...script.map(() => false), true],
        waits,
        expected_responses: [answer],
        can_be_interleaved: true,
        is_temporal: true,
        uses_callback: false,
      });
    }
    return tests;
  },
  createQuestion(test, lineTimesMs, nowMs) {
    const expected = String(test.expected_responses[0] ?? '');
    let index = test.script.findIndex((line) => line === expected || line === `Joke: ${expected}`);
    if (index < 0) index = 0;
    // GoodAI's f-string puts a space before `ago` after a timestamp that ends in one: the same bytes (issue 12).
    return `Which joke did I tell you about ${describeElapsed(nowMs - (lineTimesMs[index] ?? nowMs))} ago?`;
  },
};
