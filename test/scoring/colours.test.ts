import { describe, expect, it } from 'vitest';
import { scoreColours } from '../../src/scoring/colours.js';
import { testWith } from './helpers.js';

const test = testWith('colours', ['red']);

describe('scoreColours', () => {
  it('scores the latest colour as right, with prose and any case', () => {
    expect(scoreColours(test, ['Your favourite colour is Red.'])).toMatchObject({ score: 1, maxScore: 1 });
    expect(scoreColours(test, ['red'])).toMatchObject({ score: 1 });
  });

  it('scores another colour, or a word merely containing it, as wrong', () => {
    const wrong = scoreColours(test, ['Your favourite colour is blue.']);
    expect(wrong).toMatchObject({ score: 0, maxScore: 1 });
    expect(wrong.reasons[0]).toMatch(/"red" is not in the answer/);
    expect(scoreColours(test, ['I was bored.']).score).toBe(0);
  });

  it('scores only the last question', () => {
    expect(scoreColours(test, ['red', 'blue']).score).toBe(0);
    expect(scoreColours(test, ['blue', 'red']).score).toBe(1);
  });

  it('gives 0 with a reason when there is no answer', () => {
    expect(scoreColours(test, [])).toEqual({ score: 0, maxScore: 1, reasons: ['No answer to the question.'] });
  });
});
