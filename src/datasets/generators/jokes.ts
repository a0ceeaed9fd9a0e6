/**
 * Jokes: jokes are told with jumps of (virtual) time between them; the
 * question, written when it is asked, names how long ago one of them was told
 * (GoodAI's Jokes dataset, a temporal test).
 */
import { z } from 'zod';
import { loadJokes } from '../data-files.js';
import { createRng, deriveSeed } from '../rng.js';
import type { DatasetGenerator, TestDefinitionFile, Wait } from '../types.js';
import { QUESTION_AT, countArg, parseArgs } from './common.js';

const ArgsSchema = z.strictObject({
  /** Jokes told per test. @default 3 */
  jokes_told: countArg(3, 12),
  /** Shortest time jump after a joke, minutes. @default 30 */
  minutes_low: z.number().int().min(1).default(30),
  /** Longest time jump, minutes. @default 240 */
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
    const pool = loadJokes();
    const tests: TestDefinitionFile[] = [];
    for (let index = 0; index < examples; index++) {
      const rng = createRng(deriveSeed(seed, `jokes/${index}`));
      const jokes = rng.shuffle(pool).slice(0, Math.min(jokes_told, pool.length));
      const waits: Wait[] = jokes.map((_, i) => ({
        time: rng.int(Math.min(minutes_low, minutes_high), Math.max(minutes_low, minutes_high)) * 60,
        percentage_finished: Math.round(((i + 1) * QUESTION_AT * 100) / jokes.length) / 100,
      }));
      waits.push({});
      tests.push({
        script: jokes.map((j) => (joke_prefix ? `Joke: ${j}` : j)),
        // One more question than script lines: the question is written when asked.
        is_question: [...jokes.map(() => false), true],
        waits,
        expected_responses: [rng.pick(jokes)],
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
