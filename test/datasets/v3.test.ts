/**
 * The v3 datasets of issue 7: each generator against its sim skill and its
 * scorer, and each scorer on hand-made replies (right, wrong, partly right,
 * malformed).
 */
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/agents/types.js';
import { answerWithSkills } from '../../src/agents/sim/skills/index.js';
import { applyProspectiveMemory } from '../../src/agents/sim/skills/v3.js';
import { describeElapsed, jokesGenerator } from '../../src/datasets/generators/jokes.js';
import { followMoves } from '../../src/datasets/generators/locations_directions.js';
import { getGenerator } from '../../src/datasets/registry.js';
import { TestDefinitionFileSchema } from '../../src/datasets/schema.js';
import type { TestDefinition, TestDefinitionFile } from '../../src/datasets/types.js';
import { goodaiDefJson } from '../../src/datasets/goodai-def-json.js';
import { enumerateStr, pyLastLine, restaurantGenerator } from '../../src/datasets/generators/restaurant.js';
import { DatasetError } from '../../src/errors.js';
import { parseExpectedRoute } from '../../src/scoring/locations_directions.js';
import { prospectiveMemoryCallback } from '../../src/scoring/prospective_memory.js';
import { getJudgedScorer, getScorer } from '../../src/scoring/registry.js';
import { simJudge } from '../scoring/helpers.js';

const user = (content: string): ChatMessage => ({ role: 'user', content });
const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });
const asTest = (def: TestDefinitionFile, dataset: string, i = 0): TestDefinition => ({ ...def, testId: `${dataset}/${i}`, dataset, exampleId: String(i) });

/** Sends a test's lines to the sim one by one, as a chat agent with a big window would; returns the replies to questions. */
function converse(def: TestDefinitionFile, keep: (i: number) => boolean = () => true): string[] {
  const context: ChatMessage[] = [];
  const answers: string[] = [];
  def.script.forEach((line, i) => {
    const message = user(line);
    const reply = answerWithSkills(line, [...context.filter((_, j) => keep(Math.floor(j / 2))), message]);
    context.push(message, assistant(reply));
    if (def.is_question[i]) answers.push(reply);
  });
  return answers;
}

const DETERMINISTIC = ['sallyanne', 'trigger_response', 'spy_meeting', 'locations_directions', 'prospective_memory', 'jokes'];

describe.each(DETERMINISTIC)('%s generator', (name) => {
  it('is seeded: same seed, same tests; example i does not depend on how many are made', () => {
    const g = getGenerator(name);
    const a = g.generate({ seed: 5, examples: 4, args: {} });
    expect(g.generate({ seed: 5, examples: 4, args: {} })).toEqual(a);
    expect(g.generate({ seed: 5, examples: 2, args: {} })).toEqual(a.slice(0, 2));
    expect(g.generate({ seed: 6, examples: 4, args: {} })).not.toEqual(a);
    for (const def of a) expect(TestDefinitionFileSchema.safeParse(def).success).toBe(true);
  });

  it('rejects a misspelt argument', () => {
    expect(() => getGenerator(name).generate({ seed: 0, examples: 1, args: { nope: 1 } })).toThrow(DatasetError);
  });
});

describe('sim skills answer v3 questions from context only', () => {
  it.each(['sallyanne', 'trigger_response', 'spy_meeting', 'locations_directions'])('%s: full marks with everything in context, less without the statements', async (name) => {
    const defs = getGenerator(name).generate({ seed: 11, examples: 12, args: {} });
    let lostMarks = 0;
    // issue 25: where GoodAI asks its LLM judge, the sim's stand-in judge is asked.
    const score = async (t: TestDefinition, answers: string[]): Promise<number> => {
      const plain = getScorer(name)(t, answers);
      return plain.needsJudge ? (await getJudgedScorer(name)!(t, answers, simJudge(), [])).score : plain.score;
    };
    for (const [i, def] of defs.entries()) {
      const t = asTest(def, name, i);
      expect(await score(t, converse(def)), JSON.stringify(def.script)).toBe(1);
      // Without the statements (only the questions) the sim cannot know.
      lostMarks += 1 - (await score(t, converse(def, (j) => def.is_question[j] === true)));
    }
    expect(lostMarks).toBeGreaterThan(defs.length / 2);
  });

  it('jokes: picks the joke told at the asked time from timestamped lines', () => {
    const [def] = jokesGenerator.generate({ seed: 3, examples: 1, args: { jokes_told: 4 } });
    const times = [0, 60, 200, 330].map((m) => Date.UTC(2024, 0, 1, 9) + m * 60_000);
    const now = times[3]! + 45 * 60_000;
    const stamp = (ms: number): string => `[${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}] `;
    const question = jokesGenerator.createQuestion!(def!, times, now);
    const expectedIndex = def!.script.indexOf(String(def!.expected_responses[0]));
    expect(question).toContain(describeElapsed(now - times[expectedIndex]!));
    const context = def!.script.flatMap((line, i) => [user(stamp(times[i]!) + line), assistant('Okay, noted.')]);
    const reply = answerWithSkills(stamp(now) + question, [...context, user(stamp(now) + question)]);
    expect(getScorer('jokes')(asTest(def!, 'jokes'), [reply]).score).toBe(1);
    // Without timestamps the sim cannot tell the jokes apart.
    const bare = answerWithSkills(question, [...def!.script.flatMap((l) => [user(l), assistant('ok')]), user(question)]);
    expect(getScorer('jokes')(asTest(def!, 'jokes'), [bare])).toMatchObject({ needsJudge: true });
  });

  it('prospective memory: appends the quote to exactly the n-th reply when the history is verbatim', () => {
    for (const def of getGenerator('prospective_memory').generate({ seed: 2, examples: 6, args: {} })) {
      const t = asTest(def, 'prospective_memory');
      const context: ChatMessage[] = [];
      const replies: string[] = [];
      const send = (text: string): void => {
        const reply = answerWithSkills(text, [...context, user(text)]);
        context.push(user(text), assistant(reply));
        replies.push(reply);
      };
      send(def.script[0]!);
      replies.length = 0;
      send(def.script[1]!);
      for (let i = 0; i < 10; i++) send(`Unrelated message number ${i}.`);
      const verdict = prospectiveMemoryCallback(t, replies);
      expect(verdict).toMatchObject({ score: 1, done: true });
      // Told nothing in between (a window that lost the request), no quote is appended.
      expect(applyProspectiveMemory('Fine.', [user('Unrelated.')])).toBe('Fine.');
    }
  });
});

describe('scorers on hand-made replies', () => {
  const def = (name: string, seed = 1): TestDefinition => asTest(getGenerator(name).generate({ seed, examples: 1, args: {} })[0]!, name);

  it('sallyanne: JSON answer right, wrong, malformed, missing', () => {
    const t = { ...def('sallyanne'), expected_responses: ['basket'] };
    expect(getScorer('sallyanne')(t, ['Sure! {"answer": "Basket"}']).score).toBe(1);
    expect(getScorer('sallyanne')(t, ['{"answer": "box"}']).score).toBe(0);
    const bad = getScorer('sallyanne')(t, ['{"answer": "basket"']);
    expect(bad.score).toBe(0);
    expect(bad.reasons[0]).toMatch(/Invalid answer/);
    expect(getScorer('sallyanne')(t, ['basket']).score).toBe(0); // right word, but not the JSON asked for
    expect(getScorer('sallyanne')(t, []).score).toBe(0);
  });

  it('trigger_response: a third per trigger answered', () => {
    const t = { ...def('trigger_response'), expected_responses: ['Here is a tissue for you', 'Here is a tissue for you', 'Here is a tissue for you'] };
    expect(getScorer('trigger_response')(t, ['here is a tissue for you!', 'Bless you. Here is a tissue for you.', 'Here is a tissue for you']).score).toBe(1);
    expect(getScorer('trigger_response')(t, ['Here is a tissue for you', 'Okay.', 'What?']).score).toBeCloseTo(1 / 3);
    expect(getScorer('trigger_response')(t, ['Here is the tissue for you', 'no', 'no']).score).toBeCloseTo(1 / 3); // ROUGE-L 0.83
    expect(getScorer('trigger_response')(t, ['{"broken": ', 'no', 'no']).score).toBe(0);
  });

  it('spy_meeting: thirds, minus a third once for a confused recall', () => {
    // GoodAI's code book (data/spy_codes.json, issue 12).
    const t = { ...def('spy_meeting'), expected_responses: [['dawn', 'sunrise', 'morning', 'rise'], ['boat', 'bridge', 'raft', 'kayak'], ['orchard']] };
    expect(getScorer('spy_meeting')(t, ['At sunrise in the orchard; bring a boat.']).score).toBe(1);
    expect(getScorer('spy_meeting')(t, ['At dawn in the orchard.']).score).toBeCloseTo(2 / 3);
    expect(getScorer('spy_meeting')(t, ['At dawn in the orchard, bring a boat and a car.']).score).toBeCloseTo(2 / 3);
    // A word outside the book is no confusion.
    expect(getScorer('spy_meeting')(t, ['At dawn in the orchard, bring a boat and a torch.']).score).toBe(1);
    expect(getScorer('spy_meeting')(t, ['I have no idea.']).score).toBe(0);
    expect(getScorer('spy_meeting')(t, ['{"when": dawn']).score).toBeCloseTo(1 / 3); // prose scoring: malformed JSON does not matter
  });

  it('jokes: the joke recounted word for word scores; anything else needs the judge (issue 25)', () => {
    const t = { ...def('jokes'), expected_responses: ['I told my computer I needed a break, and it froze.'] };
    expect(getScorer('jokes')(t, ['You said: "I told my computer I needed a break, and it froze."'])).toMatchObject({ score: 1 });
    expect(getScorer('jokes')(t, ['You said: "I told my computer I needed a break, and it froze."']).needsJudge).toBeUndefined();
    // GoodAI asks its LLM judge about everything but the verbatim joke: no fallback decides it.
    for (const reply of ['i told my computer i needed a break and it froze', 'The one about the computer.', '["I told my computer"']) {
      expect(getScorer('jokes')(t, [reply]).needsJudge, reply).toBe(true);
    }
  });

  it('locations_directions: only the judge reads directions (issue 25); followed, a different route to the same place counts', async () => {
    const t = def('locations_directions');
    const route = parseExpectedRoute(t);
    const [x, y] = followMoves(route);
    const exact = route.map((m) => `From ${m.origin}, go ${m.distance}km ${m.direction} to ${m.destination}.`).join('\n');
    expect(getScorer('locations_directions')(t, [exact]).needsJudge).toBe(true);
    const judged = async (reply: string): Promise<number> => (await getJudgedScorer('locations_directions')!(t, [reply], simJudge(), [])).score;
    expect(await judged(exact)).toBe(1);
    const [from, to] = [route[0]!.origin, route[route.length - 1]!.destination];
    const direct = [x !== 0 ? `From ${from}, go ${Math.abs(x)}km ${x > 0 ? 'East' : 'West'} to ${to}.` : '', y !== 0 ? `From ${from}, go ${Math.abs(y)}km ${y > 0 ? 'North' : 'South'} to ${to}.` : '']
      .filter(Boolean)
      .join('\n');
    expect(await judged(direct)).toBe(1);
    const partial = route.slice(0, -1).map((m) => `From ${m.origin}, go ${m.distance}km ${m.direction} to ${m.destination}.`).join('\n');
    expect(await judged(partial)).toBe(0);
  });

  it('prospective_memory: the callback waits for the n-th reply, then decides', () => {
    const t = { ...def('prospective_memory'), expected_responses: [['Well begun is half done.', 'Aristotle', 3]] };
    expect(prospectiveMemoryCallback(t, ['ok', 'sure'])).toMatchObject({ done: false });
    expect(prospectiveMemoryCallback(t, ['ok', 'sure', 'Paris. Well begun is half done!'])).toMatchObject({ score: 1, done: true });
    expect(prospectiveMemoryCallback(t, ['ok', 'sure', 'Paris.'])).toMatchObject({ score: 0, done: true });
    expect(prospectiveMemoryCallback(t, ['Well begun is half done.', 'sure', 'Well begun is half done.'])).toMatchObject({ score: 0, done: true });
    expect(() => prospectiveMemoryCallback({ ...t, expected_responses: ['{"quote":'] }, ['a', 'b', 'c'])).toThrow(DatasetError);
  });

  it('chapterbreak: exactly the right option number', () => {
    const t = { ...def('sallyanne'), expected_responses: ['4'] };
    expect(getScorer('chapterbreak')(t, ['Option 4.']).score).toBe(1);
    expect(getScorer('chapterbreak')(t, ['4 or 5']).score).toBe(0);
    expect(getScorer('chapterbreak')(t, ['{"option": ']).score).toBe(0);
  });
});

describe('restaurant', () => {
  it("writes GoodAI's DynamicExample before it runs: json.dump(to_dict(), indent=2) of empty lists", () => {
    const defs = getGenerator('restaurant').generate({ seed: 3, examples: 2, args: {} });
    expect(defs).toHaveLength(2);
    expect(goodaiDefJson(defs[0]!)).toBe(
      '{\n  "script": [],\n  "is_question": [],\n  "waits": [],\n  "expected_responses": [],\n  "can_be_interleaved": true,\n  "is_temporal": false,\n  "uses_callback": false\n}',
    );
  });
});

describe("restaurant's failures end the test with the points so far, as GoodAI's RestaurantOrderFailed", () => {
  const start = () => {
    const def = { ...getGenerator('restaurant').generate({ seed: 0, examples: 1, args: {} })[0]!, testId: 'Restaurant/0', dataset: 'restaurant', exampleId: '0' } as TestDefinition;
    return restaurantGenerator.dynamicScript(def);
  };
  const sends = (s: ReturnType<typeof start>) => s.actions.filter((a) => a.kind === 'send').length;

  it('an order the judge answers with no JSON: one point (the drink), GoodAI\'s reason, no further message', async () => {
    const script = start();
    const answers = ['{"follows_role": true}', '{"has_ordered_something": true, "order": [{"is_drink": true, "item": "Lemonade", "menu_nr": 34, "menu_ref": "Lemonade", "off_menu": false}]}', 'I cannot tell.'];
    let i = 0;
    await script.afterReply('OK', async () => answers[i++]!);
    await script.afterReply('A Lemonade, please.', async () => answers[i++]!);
    await script.afterReply('The salmon.', async () => answers[i++]!);
    expect(sends(script)).toBe(3);
    expect(script.verdict()).toMatchObject({ score: 1, maxScore: 5, reasons: ['The agent answered as the customer and ordered Lemonade.', 'Could not extract ordered items due to a JSON parse error.'] });
  });

  it('a judge call that fails: the judge\'s error, not the agent\'s', async () => {
    const script = start();
    await script.afterReply('OK', async () => '');
    await script.afterReply('A Lemonade, please.', async () => {
      throw new Error('judge timed out');
    });
    expect(sends(script)).toBe(2);
    expect(script.verdict()).toMatchObject({ score: 0, reasons: ['judge call failed: judge timed out'], judgeError: 'judge timed out' });
  });
});

describe("restaurant's Python helpers", () => {
  it('enumerate_str and splitlines()[-1] as Python gives them', () => {
    expect(['', 'a', 'a and b', 'a, b and c'].map((_, n) => enumerateStr(['a', 'b', 'c'].slice(0, n)))).toEqual(['', 'a', 'a and b', 'a, b and c']);
    // Python: [s.splitlines()[-1] for s in ...]
    expect(['a\nb', 'a\nb\n', 'a\r\nb\r\n', 'a\x85b', 'one', 'a\u2028b\x0c'].map(pyLastLine)).toEqual(['b', 'b', 'b', 'b', 'one', 'b']);
  });
});

describe('datasets Referee cannot honestly generate', () => {
  it('chapterbreak without its data file names the missing argument', () => {
    expect(() => getGenerator('chapterbreak').generate({ seed: 0, examples: 1, args: {} })).toThrow(/args\.data_file/);
  });
});
