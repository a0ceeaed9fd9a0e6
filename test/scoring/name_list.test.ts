import { describe, expect, it } from 'vitest';
import { scoreNameList } from '../../src/scoring/name_list.js';
import { testWith } from './helpers.js';

const test = testWith('name_list', ['Alice', 'Boris', 'Clara']);

describe('scoreNameList', () => {
  it('gives full marks for every name, in any case or order, with prose or a fence around', () => {
    expect(scoreNameList(test, ['["Alice", "Boris", "Clara"]']).score).toBe(1);
    expect(scoreNameList(test, ['You told me: ```json\n["clara", "ALICE", "Boris"]\n``` - that is all.']).score).toBe(1);
  });

  it('gives the fraction recalled and names what is missing or invented', () => {
    const partial = scoreNameList(test, ['The names were ["Alice", "Clara", "Zed"].']);
    expect(partial.score).toBeCloseTo(2 / 3);
    expect(partial.reasons[0]).toBe('Recalled 2 of 3 names; missing Boris; not given: Zed.');
  });

  it('gives 0 for wrong names, malformed JSON, or no list at all', () => {
    expect(scoreNameList(test, ['["Zed"]']).score).toBe(0);
    const malformed = scoreNameList(test, ["['Alice', 'Boris', 'Clara']"]);
    expect(malformed.score).toBe(0);
    expect(malformed.reasons[0]).toMatch(/malformed JSON list/);
    const prose = scoreNameList(test, ['Alice, Boris and Clara.']);
    expect(prose.score).toBe(0);
    expect(prose.reasons[0]).toMatch(/no JSON list found/);
  });
});
