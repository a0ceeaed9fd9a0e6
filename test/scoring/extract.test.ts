import { describe, expect, it } from 'vitest';
import { containsWord, extractJsonArray } from '../../src/scoring/extract.js';

describe('extractJsonArray', () => {
  it('finds a bare list, a list in prose and a list in a ```json fence', () => {
    expect(extractJsonArray('["a", "b"]')).toEqual({ ok: true, value: ['a', 'b'] });
    expect(extractJsonArray('Sure! The names are ["Ann", "Bo"]. Anything else?')).toEqual({ ok: true, value: ['Ann', 'Bo'] });
    expect(extractJsonArray('Here you go:\n```json\n[{"item": "egg", "quantity": 2}]\n```\n')).toEqual({
      ok: true,
      value: [{ item: 'egg', quantity: 2 }],
    });
  });

  it('skips bracketed prose before the real list and brackets inside strings', () => {
    expect(extractJsonArray('[note] the list: ["a]b", "c"]')).toEqual({ ok: true, value: ['a]b', 'c'] });
  });

  it('explains a missing or malformed list', () => {
    expect(extractJsonArray('I do not remember.')).toEqual({ ok: false, reason: 'no JSON list found in the answer' });
    const bad = extractJsonArray("['Ann', 'Bo']");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/^malformed JSON list: /);
    expect(extractJsonArray('["unclosed"').ok).toBe(false);
  });
});

describe('containsWord', () => {
  it('matches whole words only, case-insensitively', () => {
    expect(containsWord('Your favourite colour is Red.', 'red')).toBe(true);
    expect(containsWord('I am bored', 'red')).toBe(false);
    expect(containsWord('tangerine', 'tan')).toBe(false);
  });
});
