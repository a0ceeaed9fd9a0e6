import { describe, expect, it } from 'vitest';
import { scoreNameList } from '../../src/scoring/name_list.js';
import { testWith } from './helpers.js';

const test = testWith('name_list', ['Alice', 'Boris', 'Clara']);

describe('scoreNameList', () => {
  it('gives full marks for every name, in any case or order, with prose or a fence around', () => {
    expect(scoreNameList(test, ['["Alice", "Boris", "Clara"]']).score).toBe(1);
    expect(scoreNameList(test, ['You told me: ```json\n["clara", "ALICE", "Boris"]\n``` - that is all.']).score).toBe(1);
  });

  it('divides by max(expected, given), so an invented name costs points as in GoodAI (issue 12)', () => {
    const partial = scoreNameList(test, ['The names were ["Alice", "Clara", "Zed"].']);
    expect(partial.score).toBeCloseTo(2 / 3);
    expect(partial.reasons).toEqual(['Name: zed not expected.', 'Names: boris were not in the response.']);
    expect(scoreNameList(test, ['["Alice", "Boris", "Clara", "Zed"]']).score).toBe(0.75);
    expect(scoreNameList(test, ['["Alice", "Alice", "Boris"]']).score).toBeCloseTo(2 / 3);
  });

  it('gives 0 for wrong names, unreadable JSON, or no list at all', () => {
    expect(scoreNameList(test, ['["Zed"]']).score).toBe(0);
    const malformed = scoreNameList(test, ["['Alice', 'Boris', 'Clara']"]);
    expect(malformed).toMatchObject({ score: 0, reasons: ['Response not in correct format'] });
    expect(scoreNameList(test, ['Alice, Boris and Clara.']).score).toBe(0);
    expect(scoreNameList(test, ['[1, 2, 3]']).score).toBe(0);
  });
});
