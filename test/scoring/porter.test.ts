/** issue 12: the Porter stemmer stems as NLTK's (the one `rouge_score` uses for GoodAI's ROUGE-L). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { porterStem } from '../../src/scoring/porter.js';
import { rougeL } from '../../src/scoring/text.js';

const { stems } = JSON.parse(readFileSync(new URL('../fixtures/goodai/porter-stems.json', import.meta.url), 'utf8')) as { stems: Record<string, string> };

describe('porterStem', () => {
  it('agrees with NLTK on every word of the fixture', () => {
    const wrong = Object.entries(stems).filter(([w, s]) => porterStem(w) !== s);
    expect(wrong).toEqual([]);
    expect(Object.keys(stems).length).toBeGreaterThan(300);
  });

  it('lets ROUGE-L match inflected replies as GoodAI does', () => {
    // Unstemmed, only "and", "to", "your" match: 3 of 7 words.
    expect(rougeL('resist temptation and stick to your diet', 'resisting temptations and sticking to your diets')).toBe(1);
    expect(rougeL('here is a tissue for you', 'bless you heres a tissue for you')).toBeCloseTo(2 * (5 / 7) * (5 / 6) / (5 / 7 + 5 / 6), 12);
  });
});
