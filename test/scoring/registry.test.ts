import { describe, expect, it } from 'vitest';
import { DatasetConfigSchema } from '../../src/config/dataset.js';
import { DatasetError } from '../../src/errors.js';
import { evaluateTest } from '../../src/runner/evaluate-test.js';
import { scoreColours } from '../../src/scoring/colours.js';
import { getScorer, listScorers, SCORING_VERSION } from '../../src/scoring/registry.js';
import { testWith } from './helpers.js';

describe('scoring registry', () => {
  it('finds a scorer per dataset and rejects unknown evaluations', () => {
    expect(listScorers()).toEqual(['chapterbreak', 'colours', 'jokes', 'locations_directions', 'name_list', 'prospective_memory', 'sallyanne', 'shopping', 'spy_meeting', 'trigger_response']);
    expect(getScorer('colours')).toBe(scoreColours);
    expect(() => getScorer('toString')).toThrow(DatasetError);
    expect(() => getScorer('restaurant')).toThrow(/no scorer for evaluation "restaurant"; known: chapterbreak, colours/);
    expect(SCORING_VERSION).toBe('2.0');
  });

  it('takes the dataset config\'s scoring rule: goodai by default, strict on request (issue 12)', async () => {
    const parse = (config: object) => DatasetConfigSchema.parse({ config, datasets: { datasets: [{ name: 'colours' }] } }).config.scoring;
    expect(parse({})).toBe('goodai');
    expect(parse({ scoring: 'strict' })).toBe('strict');
    expect(DatasetConfigSchema.safeParse({ config: { scoring: 'lenient' }, datasets: { datasets: [{ name: 'colours' }] } }).success).toBe(false);
    const def = testWith('colours', ['Red']);
    expect((await evaluateTest(def, ['I was bored.'], {})).score).toBe(1);
    expect((await evaluateTest(def, ['I was bored.'], { scoring: 'goodai' })).score).toBe(1);
    expect((await evaluateTest(def, ['I was bored.'], { scoring: 'strict' })).score).toBe(0);
  });
});
