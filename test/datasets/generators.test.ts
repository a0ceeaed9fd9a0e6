import { describe, expect, it } from 'vitest';
import { loadGoodaiV3, loadNames, loadTrivia } from '../../src/datasets/data-files.js';
import { COLOURS_QUESTION } from '../../src/datasets/generators/colours.js';
import { NAME_LIST_QUESTION } from '../../src/datasets/generators/name_list.js';
import { SHOPPING_QUESTION } from '../../src/datasets/generators/shopping.js';
import { getGenerator, listDatasets } from '../../src/datasets/registry.js';
import { TestDefinitionFileSchema } from '../../src/datasets/schema.js';
import type { TestDefinitionFile } from '../../src/datasets/types.js';
import { DatasetError } from '../../src/errors.js';

const QUESTIONS: Record<string, string> = {
  colours: COLOURS_QUESTION,
  name_list: NAME_LIST_QUESTION,
  shopping: SHOPPING_QUESTION,
};

function checkShape(def: TestDefinitionFile, name: string): void {
  expect(TestDefinitionFileSchema.safeParse(def).success).toBe(true);
  const n = def.script.length;
  expect(def.script[n - 1]).toBe(QUESTIONS[name]);
  expect(def.is_question).toEqual([...Array<boolean>(n - 1).fill(false), true]);
  expect(def.waits).toHaveLength(n);
  expect(def.waits[n - 1]).toEqual({});
  expect(def.waits[n - 2]).toEqual({ percentage_finished: 90 });
  // issue 12: GoodAI's default waits, evenly spaced up to the question at 90%
  // (three statements: 30, 60, so the last statement is made at 60%).
  const pcts = def.waits.slice(0, n - 1).map((w) => w.percentage_finished as number);
  pcts.forEach((p, i) => expect(p).toBeCloseTo(((i + 1) * 90) / (n - 1), 2));
  expect(def).toMatchObject({ can_be_interleaved: true, is_temporal: false, uses_callback: false });
  // GoodAI's TestExample.load takes exactly these keys; any other makes it raise (issue 12).
  expect(Object.keys(def).sort()).toEqual(['can_be_interleaved', 'expected_responses', 'is_question', 'is_temporal', 'script', 'uses_callback', 'waits']);
}

describe('data files', () => {
  it('have the promised sizes and no duplicates', () => {
    expect(new Set(loadNames()).size).toBeGreaterThanOrEqual(150);
    expect(new Set(loadTrivia().map((t) => t.q)).size).toBeGreaterThanOrEqual(250);
    expect(loadNames().length).toBe(new Set(loadNames()).size);
    expect(loadTrivia().length).toBe(new Set(loadTrivia().map((t) => t.q)).size);
  });

  it('hold forms the generators and skills rely on', () => {
    expect(loadNames().every((n) => /^[A-Z][a-z]+$/.test(n))).toBe(true);
    // Trivia must not look like test facts, or the sim would "remember" them.
    const leaks = loadTrivia().filter((t) => /favou?rite colou?r|my name|call me|shopping list/i.test(`${t.q} ${t.a}`));
    expect(leaks).toEqual([]);
  });
});

describe('registry', () => {
  it('lists the datasets and rejects unknown ones by name', () => {
    expect(listDatasets()).toEqual(['chapterbreak', 'colours', 'jokes', 'locations_directions', 'name_list', 'prospective_memory', 'restaurant', 'sallyanne', 'shopping', 'spy_meeting', 'trigger_response']);
    let error: unknown;
    try {
      getGenerator('colors');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).code).toBe('DATASET_INVALID');
    expect((error as Error).message).toMatch(/"colors".*colours, jokes, .*name_list.*shopping/);
  });
});

describe.each(['colours', 'name_list', 'shopping'])('%s generator', (name) => {
  const generator = getGenerator(name);

  it('writes GoodAI-shaped tests', () => {
    const defs = generator.generate({ seed: 11, examples: 20, args: {} });
    expect(defs).toHaveLength(20);
    for (const def of defs) checkShape(def, name);
  });

  it('is deterministic, seed-sensitive, and each example is independent of the count', () => {
    const a = generator.generate({ seed: 5, examples: 6, args: {} });
    expect(generator.generate({ seed: 5, examples: 6, args: {} })).toEqual(a);
    expect(generator.generate({ seed: 6, examples: 6, args: {} })).not.toEqual(a);
    expect(generator.generate({ seed: 5, examples: 2, args: {} })).toEqual(a.slice(0, 2));
    expect(new Set(a.map((d) => JSON.stringify(d.script))).size).toBeGreaterThan(1);
  });

  it('rejects bad and misspelt args', () => {
    expect(() => generator.generate({ seed: 1, examples: 1, args: { nonsense: 1 } })).toThrow(DatasetError);
    const key = { colours: 'colour_changes', name_list: 'name_changes', shopping: 'item_changes' }[name] as string;
    expect(() => generator.generate({ seed: 1, examples: 1, args: { [key]: 0 } })).toThrow(/invalid args/);
    expect(() => generator.generate({ seed: 1, examples: 1, args: { [key]: 'three' } })).toThrow(DatasetError);
  });
});

describe('generator content', () => {
  it("colours: GoodAI's statements of GoodAI's colours; the expected answer is the last one stated", () => {
    const defs = getGenerator('colours').generate({ seed: 3, examples: 30, args: { colour_changes: 5 } });
    const colours = loadGoodaiV3().colours.COLOURS;
    for (const def of defs) {
      expect(def.script).toHaveLength(6);
      const stated = def.script.slice(0, -1).map((line) => /^(?:My favourite colour is |The name of my favourite colour is |My favourite colour could be described as )?(\w+)(?: is my favourite colour)?\.$/.exec(line)?.[1]);
      expect(stated.every((c) => c !== undefined && colours.includes(c)), def.script.join(' | ')).toBe(true);
      expect(def.expected_responses).toEqual([stated[stated.length - 1]]);
    }
  });

  it('name_list: every name is distinct, stated in order, and expected in that order', () => {
    const defs = getGenerator('name_list').generate({ seed: 3, examples: 30, args: { name_changes: 4 } });
    for (const def of defs) {
      const names = def.expected_responses as string[];
      expect(names).toHaveLength(4);
      expect(new Set(names).size).toBe(4);
      names.forEach((n, i) => expect(def.script[i]).toContain(n));
    }
  });

  it('name_list and shopping send GoodAI\'s reset messages (issue 12)', () => {
    expect(getGenerator('name_list').resetMessage).toBe('Forget, or otherwise disregard, all of the names I have given you before this message. You do not currrently know my name.');
    expect(getGenerator('shopping').resetMessage).toBe('I have bought all of the items on the list. Please remove all of the items on the current shopping list.');
    expect(getGenerator('colours').resetMessage).toBeUndefined();
  });

  it("shopping: GoodAI's statements; the expected list is what they add up to, in the order first added", () => {
    const defs = getGenerator('shopping').generate({ seed: 9, examples: 50, args: { item_changes: 10 } });
    let removals = 0;
    const ADD = /^(?:Please add |I require |I want to buy )(another )?(\d+) (.+?)(?: to my shopping list|, please put it on the list\.|\.)$/;
    const REMOVE = /^(?:Please remove|Remove) (\d+) (.+?)(?: from my shopping list|\.)$/;
    for (const def of defs) {
      const cart = new Map<string, number>();
      for (const line of def.script.slice(0, -1)) {
        const add = ADD.exec(line);
        const remove = REMOVE.exec(line);
        expect(add ?? remove, line).not.toBeNull();
        if (add) {
          // GoodAI's rule: a second add of an item says "another" (issue 12).
          expect(add[1] !== undefined, line).toBe(cart.has(add[3]!));
          cart.set(add[3]!, (cart.get(add[3]!) ?? 0) + Number(add[2]));
        } else {
          removals++;
          const q = (cart.get(remove![2]!) ?? 0) - Number(remove![1]);
          expect(q, line).toBeGreaterThanOrEqual(0);
          if (q === 0) cart.delete(remove![2]!);
          else cart.set(remove![2]!, q);
        }
      }
      // GoodAI's shape: [name, count] pairs, lower case.
      expect(def.expected_responses).toEqual([...cart].map(([item, n]) => [item.toLowerCase(), n]));
    }
    expect(removals).toBeGreaterThan(0);
  });
});
