import { describe, expect, it } from 'vitest';
import {
  containsMatch,
  exactMatch,
  extractCode,
  extractJson,
  extractiveQa,
  jsonFieldMatch,
  lastNumber,
  normalizeText,
  numericMatch,
  regexMatch,
  squadNormalize,
  tokenF1,
} from '../../src/scoring/evaluators.js';

describe('exact', () => {
  it('ignores case, spacing and trailing punctuation', () => {
    expect(normalizeText('  The  Answer is PARIS. ')).toBe('the answer is paris');
    expect(exactMatch('Paris.', 'paris').passed).toBe(true);
    expect(exactMatch('"Paris"', 'Paris').passed).toBe(true);
  });
  it('does not accept a longer answer or a different one', () => {
    expect(exactMatch('The capital is Paris.', 'Paris').passed).toBe(false);
    expect(exactMatch('Lyon', 'Paris').score).toBe(0);
  });
  it('accepts any of a list of answers', () => {
    expect(exactMatch('NYC', ['New York', 'NYC']).passed).toBe(true);
  });
});

describe('contains', () => {
  it('finds the expected answer inside a sentence', () => {
    expect(containsMatch('I believe it is Paris, France.', 'paris').passed).toBe(true);
    expect(containsMatch('It is Lyon.', 'Paris').passed).toBe(false);
  });
});

describe('regex', () => {
  it('matches case-insensitively by default and reports a bad pattern', () => {
    expect(regexMatch('It is CAIRO.', '\\bcairo\\b').passed).toBe(true);
    expect(regexMatch('It is CAIRO.', '\\bcairo\\b', { flags: '' }).passed).toBe(false);
    const bad = regexMatch('x', '(');
    expect(bad.passed).toBe(false);
    expect(bad.reasons[0]).toMatch(/invalid pattern/);
  });
});

describe('numeric', () => {
  it('takes the last number of the answer, with thousands separators', () => {
    expect(lastNumber('Step 1: 3 + 4 = 7. The answer is 1,081.')).toBe(1081);
    expect(lastNumber('no digits')).toBeUndefined();
    expect(numericMatch('The answer is 1,081.', 1081).passed).toBe(true);
  });
  it('applies absolute and relative tolerance', () => {
    expect(numericMatch('3.14159', 3.14, { tolerance: 0.01 }).passed).toBe(true);
    expect(numericMatch('3.2', 3.14, { tolerance: 0.01 }).passed).toBe(false);
    expect(numericMatch('1010', 1000, { tolerance: 0.02, relative: true }).passed).toBe(true);
    expect(numericMatch('1030', 1000, { tolerance: 0.02, relative: true }).passed).toBe(false);
  });
  it('reads an expected value given as text, and fails an answer without a number', () => {
    expect(numericMatch('-2.5', '-2.5').passed).toBe(true);
    expect(numericMatch('I do not know', 4).reasons[0]).toMatch(/no number/);
  });
});

describe('extractive QA (SQuAD)', () => {
  it('normalizes like the SQuAD script', () => {
    expect(squadNormalize('The  Eiffel-Tower!')).toBe('eiffeltower');
    expect(squadNormalize('an apple, a pear')).toBe('apple pear');
  });
  it('scores token F1 and passes on exact match', () => {
    expect(tokenF1('the big red dog', 'red dog')).toBeCloseTo(0.8, 5);
    const r = extractiveQa('The Denver Broncos', ['Denver Broncos', 'Broncos']);
    expect(r.passed).toBe(true);
    expect(r.score).toBe(1);
  });
  it('gives partial credit without a pass unless a threshold allows it', () => {
    const partial = extractiveQa('Denver Broncos team', 'Denver Broncos');
    expect(partial.passed).toBe(false);
    expect(partial.score).toBeCloseTo(0.8, 5);
    expect(extractiveQa('Denver Broncos team', 'Denver Broncos', { threshold: 0.75 }).passed).toBe(true);
    expect(extractiveQa('Carolina Panthers', 'Denver Broncos').score).toBe(0);
  });
});

describe('JSON field match', () => {
  it('finds JSON in a fenced block or in prose', () => {
    expect(extractJson('Here:\n```json\n{"a": 1}\n```')).toEqual({ a: 1 });
    expect(extractJson('The result is {"a": [1, 2]} as asked.')).toEqual({ a: [1, 2] });
    expect(extractJson('nothing')).toBeUndefined();
  });
  it('scores the share of matching fields; a pass needs all', () => {
    const expected = { name: 'Ada', born: 1815, address: { city: 'London' } };
    expect(jsonFieldMatch('{"name": "ada", "born": 1815, "address": {"city": "London"}, "extra": true}', expected).passed).toBe(true);
    const half = jsonFieldMatch('{"name": "Ada", "born": 1816}', { name: 'Ada', born: 1815 });
    expect(half.passed).toBe(false);
    expect(half.score).toBe(0.5);
    expect(half.reasons[0]).toMatch(/born/);
  });
  it('compares only the named dotted fields', () => {
    expect(jsonFieldMatch('{"address": {"city": "London"}, "name": "Bob"}', { name: 'Ada', address: { city: 'London' } }, { fields: ['address.city'] }).passed).toBe(true);
  });
  it('fails an answer without JSON', () => {
    expect(jsonFieldMatch('I cannot', { a: 1 }).passed).toBe(false);
  });
});

describe('extractCode', () => {
  it('prefers a fence in the wanted language, else the first fence, else the whole answer', () => {
    const answer = 'Text\n```js\nconst a = 1;\n```\n```python\nx = 1\n```';
    expect(extractCode(answer, 'python')).toBe('x = 1\n');
    expect(extractCode(answer, 'javascript')).toBe('const a = 1;\n');
    expect(extractCode('def f(): pass', 'python')).toBe('def f(): pass');
  });
});
