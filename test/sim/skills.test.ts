import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/agents/types.js';
import { createFillerSource } from '../../src/datasets/filler.js';
import { COLOURS_QUESTION } from '../../src/datasets/generators/colours.js';
import { NAME_LIST_QUESTION } from '../../src/datasets/generators/name_list.js';
import { SHOPPING_QUESTION } from '../../src/datasets/generators/shopping.js';
import { getGenerator } from '../../src/datasets/registry.js';
import type { TestDefinition, TestDefinitionFile } from '../../src/datasets/types.js';
import { coloursSkill } from '../../src/agents/sim/skills/colours.js';
import { fillerSkill } from '../../src/agents/sim/skills/filler.js';
import { answerWithSkills, fallbackReply, simSkills } from '../../src/agents/sim/skills/index.js';
import { nameListSkill } from '../../src/agents/sim/skills/name_list.js';
import { shoppingSkill } from '../../src/agents/sim/skills/shopping.js';
import { getScorer } from '../../src/scoring/registry.js';

const user = (content: string): ChatMessage => ({ role: 'user', content });
const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });

/** A chat transcript of a test's statements (acknowledged) ending with its question. */
function transcript(def: TestDefinitionFile, drop: (i: number) => boolean = () => false): ChatMessage[] {
  const statements = def.script.slice(0, -1).flatMap((line, i) => (drop(i) ? [] : [user(line), assistant('Okay, noted.')]));
  return [...statements, user(def.script[def.script.length - 1] as string)];
}

/** Interleaves filler between the statements, as the runner does. */
function withFiller(messages: ChatMessage[], seed: number): ChatMessage[] {
  const filler = createFillerSource(seed);
  return messages.flatMap((m) => {
    const f = filler.next();
    return [user(f.message), assistant(f.expected ?? ''), m];
  });
}

const asTest = (def: TestDefinitionFile, dataset: string): TestDefinition => ({ ...def, testId: `${dataset}/0`, dataset, exampleId: '0' });

describe.each(['colours', 'name_list', 'shopping'])('%s skill against its generator and scorer', (dataset) => {
  it('gets full marks with the full context, filler included', () => {
    // issue 25: GoodAI's Shopping generator can remove everything it added; GoodAI's own scorer divides by the empty list there.
    const defs = getGenerator(dataset).generate({ seed: 21, examples: 25, args: {} }).filter((d) => d.expected_responses.length > 0);
    expect(defs.length).toBeGreaterThan(20);
    for (const def of defs) {
      const context = withFiller(transcript(def), 21);
      const reply = answerWithSkills(def.script[def.script.length - 1] as string, context);
      expect(getScorer(dataset)(asTest(def, dataset), [reply]).score, reply).toBe(1);
    }
  });
});

describe('colours skill', () => {
  const def = getGenerator('colours').generate({ seed: 2, examples: 1, args: { colour_changes: 3 } })[0]!;
  const [latest] = def.expected_responses as [string];

  it('answers with the latest colour', () => {
    // issue 25: GoodAI's colours are capitalised ("Pink"); the sim names the colour as a word, in lower case.
    expect(coloursSkill.answer(COLOURS_QUESTION, transcript(def))).toBe(`Your favourite colour is ${latest.toLowerCase()}.`);
  });

  it('gives the older colour when the last statement fell out of context', () => {
    const reply = coloursSkill.answer(COLOURS_QUESTION, transcript(def, (i) => i === 2)) as string;
    expect(reply).not.toContain(latest.toLowerCase());
    const older = transcript(def).find((m) => m.content === def.script[1])!.content;
    expect(older.toLowerCase()).toContain(reply.replace('Your favourite colour is ', '').replace('.', ''));
    expect(getScorer('colours')(asTest(def, 'colours'), [reply]).score).toBe(0);
  });

  it('reads every phrasing, memories in a system message, and lets the latest line win', () => {
    const context: ChatMessage[] = [
      { role: 'system', content: '[memory 3] user: My favourite colour is red.\n[memory 9] user: Teal is my favourite colour.' },
      user('I have changed my mind: my favourite colour is now ochre.'),
      assistant('Your favourite colour is ochre.'),
      user(COLOURS_QUESTION),
    ];
    expect(coloursSkill.answer(COLOURS_QUESTION, context)).toBe('Your favourite colour is ochre.');
    expect(coloursSkill.answer(COLOURS_QUESTION, context.slice(0, 1))).toBe('Your favourite colour is teal.');
  });

  it("says it doesn't know when no colour is in context, and ignores other questions", () => {
    expect(coloursSkill.answer(COLOURS_QUESTION, [user(COLOURS_QUESTION)])).toBe("I don't know what your favourite colour is.");
    expect(coloursSkill.answer('What is my name?', transcript(def))).toBeUndefined();
  });
});

describe('name_list skill', () => {
  const def = getGenerator('name_list').generate({ seed: 4, examples: 1, args: { name_changes: 4 } })[0]!;
  const names = def.expected_responses as string[];

  it('lists every name in order, without duplicates', () => {
    const context = [...transcript(def).slice(0, -1), { role: 'system' as const, content: `[memory 1] user: ${def.script[0]}` }];
    expect(nameListSkill.answer(NAME_LIST_QUESTION, context)).toBe(JSON.stringify(names));
  });

  it('lists only the names it can see', () => {
    const reply = nameListSkill.answer(NAME_LIST_QUESTION, transcript(def, (i) => i < 2)) as string;
    expect(JSON.parse(reply)).toEqual(names.slice(2));
    expect(getScorer('name_list')(asTest(def, 'name_list'), [reply]).score).toBeCloseTo(0.5);
    expect(nameListSkill.answer(NAME_LIST_QUESTION, [])).toBe('[]');
  });
});

describe('shopping skill', () => {
  it('replays adds and removes in order and answers JSON', () => {
    const context = [
      user('Please add 3 apples to my shopping list.'),
      { role: 'system' as const, content: '[memory 4] user: Add 1 egg to my shopping list, please.' },
      user('Remove 1 apple from my shopping list.'),
      user('Please add 2 eggs to my shopping list.'),
      user('Please remove 2 apples from my shopping list.'),
      user('Add 2 leeks to my shopping list, please.'),
    ];
    expect(JSON.parse(shoppingSkill.answer(SHOPPING_QUESTION, context) as string)).toEqual([
      { item: 'egg', quantity: 3 },
      { item: 'leek', quantity: 2 },
    ]);
  });

  it('answers from what is left when early statements are missing', () => {
    const context = [user('Remove 1 apple from my shopping list.'), user('Please add 2 pears to my shopping list.')];
    expect(JSON.parse(shoppingSkill.answer(SHOPPING_QUESTION, context) as string)).toEqual([{ item: 'pear', quantity: 2 }]);
    expect(shoppingSkill.answer(SHOPPING_QUESTION, [])).toBe('[]');
  });

  it('scores below full marks when a generated statement is dropped', () => {
    const defs = getGenerator('shopping').generate({ seed: 8, examples: 10, args: {} });
    const scores = defs.map((def) => {
      const reply = shoppingSkill.answer(SHOPPING_QUESTION, transcript(def, (i) => i === 0)) as string;
      return getScorer('shopping')(asTest(def, 'shopping'), [reply]).score;
    });
    // Not every drop hurts (an add later removed in full leaves no trace), but most must.
    expect(scores.filter((s) => s < 1).length).toBeGreaterThanOrEqual(7);
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
  });
});

describe('filler skill', () => {
  it('answers the trivia in the message with the known answers', () => {
    const filler = createFillerSource(9);
    for (let i = 0; i < 20; i++) {
      const { message, expected } = filler.next();
      expect(fillerSkill.answer(message, [user(message)])).toBe(expected);
    }
  });

  it("answers I don't know to trivia it has never seen", () => {
    const message = 'Here are some trivia questions for you to answer:\n1. What is the capital city of France?\n2. Who am I?\nGive your answers as a JSON list.';
    expect(fillerSkill.answer(message, [])).toBe('["Paris","I don\'t know"]');
  });
});

describe('skill set', () => {
  it('falls back to an acknowledgement for statements', () => {
    expect(fallbackReply('My name is Ann.')).toBe('Okay, noted.');
    expect(answerWithSkills('Please add 1 egg to my shopping list.', [])).toBe('Okay, noted.');
    expect(simSkills.map((s) => s.name)).toEqual(['judge', 'restaurant', 'colours', 'name_list', 'shopping', 'sallyanne', 'spy_meeting', 'jokes', 'locations_directions', 'trigger_response', 'tasks', 'filler']);
  });

  it('does not mistake filler for a test question', () => {
    const filler = createFillerSource(1);
    for (let i = 0; i < 50; i++) {
      const { message } = filler.next();
      expect(simSkills.filter((s) => s.answer(message, []) !== undefined).map((s) => s.name)).toEqual(['filler']);
    }
  });
});
