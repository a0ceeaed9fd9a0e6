import { describe, expect, it } from 'vitest';
import { scoreColours } from '../../src/scoring/colours.js';
import { testWith } from './helpers.js';

const test = testWith('colours', ['red']);

describe('scoreColours', () => {
  it('scores the latest colour as right, with prose and any case', () => {
    expect(scoreColours(test, ['Your favourite colour is Red.'])).toMatchObject({ score: 1, maxScore: 1 });
    expect(scoreColours(test, ['red'])).toMatchObject({ score: 1 });
  });

  it("scores another colour as wrong, and a word merely containing it as right under GoodAI's rule only (issue 12)", () => {
    const wrong = scoreColours(test, ['Your favourite colour is blue.']);
    expect(wrong).toMatchObject({ score: 0, maxScore: 1 });
    expect(wrong.reasons[0]).toMatch(/"red" is NOT in the response/);
    expect(scoreColours(test, ['I was bored.']).score).toBe(1);
    expect(scoreColours(test, ['I was bored.'], { scoring: 'goodai' }).score).toBe(1);
    expect(scoreColours(test, ['I was bored.'], { scoring: 'strict' }).score).toBe(0);
    expect(scoreColours(test, ['It is RED.'], { scoring: 'strict' }).score).toBe(1);
  });

  it('scores only the last question', () => {
    expect(scoreColours(test, ['red', 'blue']).score).toBe(0);
    expect(scoreColours(test, ['blue', 'red']).score).toBe(1);
  });

  it('gives 0 with a reason when there is no answer', () => {
    expect(scoreColours(test, [])).toEqual({ score: 0, maxScore: 1, reasons: ['No answer to the question.'] });
  });
});
