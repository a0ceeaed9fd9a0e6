import { describe, expect, it } from 'vitest';
import { loadTrivia } from '../../src/datasets/data-files.js';
import { createFillerSource, FILLER_INTRO } from '../../src/datasets/filler.js';

const take = (seed: number, n: number) => {
  const source = createFillerSource(seed);
  return Array.from({ length: n }, () => source.next());
};

describe('createFillerSource', () => {
  it('is deterministic per seed', () => {
    expect(take(1, 30)).toEqual(take(1, 30));
    expect(take(2, 30)).not.toEqual(take(1, 30));
  });

  it('asks 2-4 distinct known questions and expects their answers as a JSON list', () => {
    const answers = new Map(loadTrivia().map((t) => [t.q, t.a]));
    const counts = new Set<number>();
    for (const { message, expected } of take(3, 300)) {
      const lines = message.split('\n');
      expect(lines[0]).toBe(FILLER_INTRO);
      expect(lines[lines.length - 1]).toMatch(/JSON list/);
      const questions = lines.slice(1, -1).map((l, i) => {
        expect(l.startsWith(`${i + 1}. `)).toBe(true);
        return l.slice(`${i + 1}. `.length);
      });
      counts.add(questions.length);
      expect(new Set(questions).size).toBe(questions.length);
      expect(JSON.parse(expected as string)).toEqual(questions.map((q) => answers.get(q)));
    }
    expect([...counts].sort()).toEqual([2, 3, 4]);
  });

  it('does not repeat a question before most of the deck has been dealt', () => {
    const seen = take(4, 60).flatMap((m) => m.message.split('\n').slice(1, -1));
    expect(seen.length).toBeLessThan(loadTrivia().length);
    expect(new Set(seen).size).toBe(seen.length);
  });
});
