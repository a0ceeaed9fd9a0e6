import { describe, expect, it } from 'vitest';
import { expectedPairs, scoreShopping } from '../../src/scoring/shopping.js';
import { DatasetError } from '../../src/errors.js';
import { testWith } from './helpers.js';

// GoodAI's shape (issue 12): `[name, count]` pairs, names lower case.
const test = testWith('shopping', [
  ['apple', 3],
  ['egg', 1],
]);
const reply = (items: unknown) => JSON.stringify(items);

describe('scoreShopping', () => {
  it('gives full marks for the right list, with plurals, case, order, prose and fences', () => {
    expect(scoreShopping(test, [reply([{ item: 'apple', quantity: 3 }, { item: 'egg', quantity: 1 }])]).score).toBe(1);
    const fenced = 'Your list:\n```json\n[{"item": "Eggs", "quantity": 1}, {"item": "Apples", "quantity": 3}]\n```';
    expect(scoreShopping(test, [fenced])).toMatchObject({ score: 1, maxScore: 1 });
  });

  it('scores Referee\'s older {item, quantity} expectations the same way', () => {
    const old = testWith('shopping', [{ item: 'Apple', quantity: 3 }, { item: 'egg', quantity: 1 }]);
    expect(expectedPairs(old.expected_responses, old.testId)).toEqual([['apple', 3], ['egg', 1]]);
    expect(scoreShopping(old, [reply([{ item: 'apples', quantity: 3 }, { item: 'egg', quantity: 1 }])]).score).toBe(1);
  });

  it('gives partial credit for a wrong quantity: a sixth of the total per item (issue 12)', () => {
    const r = scoreShopping(test, [reply([{ item: 'apple', quantity: 2 }, { item: 'egg', quantity: 1 }])]);
    expect(r.score).toBeCloseTo((1 + 1 / 2 + 1) / 3);
    expect(r.reasons[0]).toContain('Wrong quantity for apple: 2 vs 3.');
  });

  it('takes a third off for an invented item', () => {
    const r = scoreShopping(test, [reply([{ item: 'apple', quantity: 3 }, { item: 'egg', quantity: 1 }, { item: 'pear', quantity: 1 }])]);
    expect(r.score).toBeCloseTo(2 / 3);
    expect(r.reasons[0]).toContain('- pear');
  });

  it('gives partial credit for a missing item', () => {
    const r = scoreShopping(test, [reply([{ item: 'apple', quantity: 3 }])]);
    expect(r.score).toBeCloseTo((1 / 2 + 1 / 2 + 1) / 3);
    expect(r.reasons[0]).toContain('- egg');
  });

  it('gives 0 for a list of only invented items', () => {
    expect(scoreShopping(test, [reply([{ item: 'pear', quantity: 3 }])]).score).toBe(0);
  });

  it('gives 0 for unreadable JSON or wrongly shaped entries, as GoodAI does', () => {
    expect(scoreShopping(test, ['[{"item": "apple", "quantity": 3},]']).score).toBeCloseTo(2 / 3); // repaired by GoodAI's JSON repair; egg missing
    const shape = scoreShopping(test, [reply(['apple', 'egg'])]);
    expect(shape.score).toBe(0);
    expect(shape.reasons[0]).toMatch(/^Response not in correct format/);
    expect(scoreShopping(test, ['[{"item": "apple", "quantity": "3"}]']).score).toBe(0);
    expect(scoreShopping(test, ['Apples and eggs.']).score).toBe(0);
  });

  it('rejects a definition whose expected responses are not entries', () => {
    expect(() => scoreShopping(testWith('shopping', ['apple']), ['[]'])).toThrow(DatasetError);
  });
});
