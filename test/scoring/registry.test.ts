import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../src/errors.js';
import { scoreColours } from '../../src/scoring/colours.js';
import { getScorer, listScorers, SCORING_VERSION } from '../../src/scoring/registry.js';

describe('scoring registry', () => {
  it('finds a scorer per dataset and rejects unknown evaluations', () => {
    expect(listScorers()).toEqual(['chapterbreak', 'colours', 'jokes', 'locations_directions', 'name_list', 'prospective_memory', 'sallyanne', 'shopping', 'spy_meeting', 'trigger_response']);
    expect(getScorer('colours')).toBe(scoreColours);
    expect(() => getScorer('toString')).toThrow(DatasetError);
    expect(() => getScorer('restaurant')).toThrow(/no scorer for evaluation "restaurant"; known: chapterbreak, colours/);
    expect(SCORING_VERSION).toBe('1.1');
  });
});
