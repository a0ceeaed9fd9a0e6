/**
 * SallyAnne: a short ToMi-style story of people, an object and containers is
 * "broadcast on TV" line by line; the question asks where someone will look
 * for the object, or where one person thinks another will look (theory of
 * mind), or where the object really is (world model). Given ToMi's `test.txt`
 * (see goodai-sallyanne.ts for why it is not shipped), the definitions are GoodAI's, byte for byte;
 * without it, Referee writes ToMi-style stories itself, so a run stays offline, but its SallyAnne
 * scores are not comparable with GoodAI's.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { loadNames, loadTomVocabulary } from '../data-files.js';
import { createRng, deriveSeed } from '../rng.js';
import type { Rng } from '../rng.js';
import type { DatasetGenerator, TestDefinitionFile } from '../types.js';
import { dealt, defaultWaits, parseArgs } from './common.js';
import { datasetRandom } from './goodai.js';
import { extractToMiSamples, goodaiSallyAnneTests, readToMiFile } from './goodai-sallyanne.js';

export const SALLYANNE_INTRO =
  'They are broadcasting a program on TV. I will keep you updated on what happens, and at the end, I will ask you a question about what happened on the show. Okay?';
export const SALLYANNE_TV_PREFIX = '(On TV) ';
export const SALLYANNE_ANSWER_FORMAT =
  'Provide your answer in JSON form with a single word as answer, like this: {"answer": "word"}\nBe as specific as possible.';

const ArgsSchema = z.strictObject({
  /** Which questions are asked (GoodAI's `question_type`). @default "theory_of_mind" */
  question_type: z.enum(['theory_of_mind', 'world_model', 'any']).default('theory_of_mind'),
  /**
   * ToMi's `test.txt`, from which GoodAI's generator draws its stories. Without it, the file at
   * `$REFEREE_CACHE_DIR/data/tomi_data/test.txt` (`~/.cache/referee/...`) is used when present, and
   * otherwise Referee's own ToMi-style stories, which are not GoodAI's definitions.
   */
  data_file: z.string().min(1).optional(),
});

/** Where a user puts ToMi's `test.txt` once for every run: the cache the other fetched parts use. */
export function defaultToMiFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['REFEREE_CACHE_DIR'] ?? join(homedir(), '.cache', 'referee'), 'data', 'tomi_data', 'test.txt');
}

/** The ToMi file GoodAI's generator reads, or undefined when the run falls back to Referee's stories. */
export function toMiFileFor(args: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (typeof args['data_file'] === 'string') return args['data_file'];
  const fallback = defaultToMiFile(env);
  return existsSync(fallback) ? fallback : undefined;
}

/** One story event; the sim reads the same sentences back from its context. */
export type TomEvent =
  | { kind: 'enter' | 'exit'; agent: string; room: string }
  | { kind: 'place'; object: string; container: string }
  | { kind: 'move'; agent: string; object: string; container: string }
  | { kind: 'feel'; agent: string; verb: string; thing: string };

export function tomSentence(e: TomEvent): string {
  switch (e.kind) {
    case 'enter':
      return `${e.agent} entered the ${e.room}.`;
    case 'exit':
      return `${e.agent} exited the ${e.room}.`;
    case 'place':
      return `The ${e.object} is in the ${e.container}.`;
    case 'move':
      return `${e.agent} moved the ${e.object} to the ${e.container}.`;
    case 'feel':
      return `${e.agent} ${e.verb} ${e.thing}.`;
  }
}

/**
 * Who believes what after a story: a person sees a placement or a move only
 * while in the room; A's idea of B's belief changes only when both saw it.
 */
export function tomBeliefs(events: readonly TomEvent[]): {
  location: Map<string, string>;
  first: Map<string, Map<string, string>>;
  second: Map<string, Map<string, string>>;
  initial: Map<string, string>;
} {
  const present = new Set<string>();
  const location = new Map<string, string>();
  const initial = new Map<string, string>();
  const first = new Map<string, Map<string, string>>(); // agent -> object -> container
  const second = new Map<string, Map<string, string>>(); // `${a}|${b}` -> object -> container
  for (const e of events) {
    if (e.kind === 'enter') present.add(e.agent);
    else if (e.kind === 'exit') present.delete(e.agent);
    else if (e.kind === 'place' || e.kind === 'move') {
      location.set(e.object, e.container);
      if (!initial.has(e.object)) initial.set(e.object, e.container);
      for (const a of present) {
        if (!first.has(a)) first.set(a, new Map());
        first.get(a)!.set(e.object, e.container);
        for (const b of present) {
          const key = `${a}|${b}`;
          if (!second.has(key)) second.set(key, new Map());
          second.get(key)!.set(e.object, e.container);
        }
      }
    }
  }
  return { location, first, second, initial };
}

interface Story {
  events: TomEvent[];
  question: string;
  answer: string;
}

function makeStory(rng: Rng, people: string[], object: string, containers: string[], room: string, questionType: string): Story {
  const vocab = loadTomVocabulary();
  const [a, b] = people as [string, string];
  const [c1, c2] = containers as [string, string];
  const events: TomEvent[] = [
    { kind: 'enter', agent: a, room },
    { kind: 'enter', agent: b, room },
  ];
  if (rng.int(0, 1) === 1) events.push({ kind: 'feel', agent: rng.pick([a, b]), verb: rng.pick(vocab.likes), thing: rng.pick(vocab.distractor_things) });
  events.push({ kind: 'place', object, container: c1 });
  // Half the stories are false-belief stories: A leaves before B moves the object.
  const aLeavesFirst = rng.int(0, 3) > 0;
  if (aLeavesFirst) events.push({ kind: 'exit', agent: a, room });
  if (rng.int(0, 1) === 1) events.push({ kind: 'feel', agent: b, verb: rng.pick(vocab.likes), thing: rng.pick(vocab.distractor_things) });
  events.push({ kind: 'move', agent: b, object, container: c2 });
  if (!aLeavesFirst) events.push({ kind: 'exit', agent: a, room });
  events.push({ kind: 'exit', agent: b, room });
  if (rng.int(0, 1) === 1) events.push({ kind: 'enter', agent: a, room });

  const beliefs = tomBeliefs(events);
  const kinds = questionType === 'any' ? ['first', 'second', 'real', 'initial'] : questionType === 'world_model' ? ['real', 'initial'] : ['first', 'second'];
  const kind = rng.pick(kinds);
  const x = rng.pick([a, b]);
  const y = x === a ? b : a;
  switch (kind) {
    case 'first':
      return { events, question: `Where will ${x} look for the ${object}?`, answer: beliefs.first.get(x)!.get(object)! };
    case 'second':
      return { events, question: `Where does ${x} think that ${y} searches for the ${object}?`, answer: beliefs.second.get(`${x}|${y}`)!.get(object)! };
    case 'real':
      return { events, question: `Where is the ${object} really?`, answer: beliefs.location.get(object)! };
    default:
      return { events, question: `Where was the ${object} at the beginning?`, answer: beliefs.initial.get(object)! };
  }
}

export const sallyAnneGenerator: DatasetGenerator = {
  name: 'sallyanne',
  displayName: 'SallyAnne',
  generate({ seed, examples, args }) {
    const { question_type, data_file } = parseArgs('sallyanne', ArgsSchema, args);
    const tomiFile = data_file ?? toMiFileFor(args);
    if (tomiFile !== undefined) {
      const samples = extractToMiSamples(readToMiFile(tomiFile), question_type, tomiFile);
      return goodaiSallyAnneTests(datasetRandom(seed), samples, examples);
    }
    const vocab = loadTomVocabulary();
    // Decks shuffled once per dataset: neighbouring examples get different
    // people and objects, so an old story cannot answer a new question.
    const deckRng = createRng(deriveSeed(seed, 'sallyanne/decks'));
    const people = deckRng.shuffle(loadNames());
    const objects = deckRng.shuffle(vocab.objects);
    const tests: TestDefinitionFile[] = [];
    for (let index = 0; index < examples; index++) {
      const rng = createRng(deriveSeed(seed, `sallyanne/${index}`));
      const containers = rng.shuffle(vocab.containers).slice(0, 2);
      const story = makeStory(rng, dealt(people, index, 2), dealt(objects, index, 1)[0]!, containers, rng.pick(vocab.rooms), question_type);
      const script = [
        SALLYANNE_INTRO,
        ...story.events.map((e) => `${SALLYANNE_TV_PREFIX}${tomSentence(e)}`),
        `The TV program has ended for today. ${story.question}\n${SALLYANNE_ANSWER_FORMAT}`,
      ];
      tests.push({
        script,
        is_question: script.map((_, i) => i === script.length - 1),
        waits: defaultWaits(script.length),
        expected_responses: [story.answer],
        can_be_interleaved: true,
        is_temporal: false,
        uses_callback: false,
      });
    }
    return tests;
  },
};
