import { describe, expect, it } from 'vitest';
import { itemKey, scoreShopping } from '../../src/scoring/shopping.js';
import { DatasetError } from '../../src/errors.js';
import { testWith } from './helpers.js';

const test = testWith('shopping', [
  { item: 'apple', quantity: 3 },
  { item: 'egg', quantity: 1 },
]);
const reply = (items: unknown) => JSON.stringify(items);

describe('scoreShopping', () => {
  it('gives full marks for the right list, with plurals, case, order, prose and fences', () => {
    expect(scoreShopping(test, [reply([{ item: 'apple', quantity: 3 }, { item: 'egg', quantity: 1 }])]).score).toBe(1);
    const fenced = 'Your list:\n```json\n[{"item": "Eggs", "quantity": 1}, {"item": "Apples", "quantity": "3"}]\n```';
    const result = scoreShopping(test, [fenced]);
    expect(result).toEqual({ score: 1, maxScore: 1, reasons: ['all items present; all quantities right; nothing invented.'] });
  });

  it('consolidates repeated items before comparing', () => {
    const split = reply([{ item: 'apple', quantity: 1 }, { item: 'apples', quantity: 2 }, { item: 'egg', quantity: 1 }]);
    expect(scoreShopping(test, [split]).score).toBe(1);
  });

  it('takes a third off for a wrong quantity', () => {
    const r = scoreShopping(test, [reply([{ item: 'apple', quantity: 2 }, { item: 'egg', quantity: 1 }])]);
    expect(r.score).toBeCloseTo(2 / 3);
    expect(r.reasons[0]).toContain('wrong quantities: apple (2 instead of 3)');
  });

  it('takes a third off for an invented item', () => {
    const r = scoreShopping(test, [reply([{ item: 'apple', quantity: 3 }, { item: 'egg', quantity: 1 }, { item: 'pear', quantity: 1 }])]);
    expect(r.score).toBeCloseTo(2 / 3);
    expect(r.reasons[0]).toContain('not on the list: pear');
  });

  it('takes two thirds off for a missing item', () => {
    const r = scoreShopping(test, [reply([{ item: 'apple', quantity: 3 }])]);
    expect(r.score).toBeCloseTo(1 / 3);
    expect(r.reasons[0]).toContain('missing egg');
  });

  it('gives 0 for an entirely wrong list', () => {
    expect(scoreShopping(test, [reply([{ item: 'pear', quantity: 3 }])]).score).toBe(0);
  });

  it('gives 0 with a clear reason for malformed JSON or wrongly shaped entries', () => {
    const broken = scoreShopping(test, ['[{"item": "apple", "quantity": 3},]']);
    expect(broken.score).toBe(0);
    expect(broken.reasons[0]).toMatch(/^malformed JSON list/);
    const shape = scoreShopping(test, [reply(['apple', 'egg'])]);
    expect(shape.score).toBe(0);
    expect(shape.reasons[0]).toMatch(/element 0 is "apple", not an \{item, quantity\} object/);
    expect(scoreShopping(test, ['Apples and eggs.']).reasons[0]).toMatch(/no JSON list/);
  });

  it('rejects a definition whose expected responses are not entries', () => {
    expect(() => scoreShopping(testWith('shopping', ['apple']), ['[]'])).toThrow(DatasetError);
  });

  it('normalises item names by case and one trailing s', () => {
    expect(itemKey(' Apples ')).toBe('apple');
    expect(itemKey('egg')).toBe('egg');
  });
});
