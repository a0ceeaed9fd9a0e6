import { describe, expect, it } from 'vitest';
import { loadGoodaiTrivia, loadTrivia } from '../../src/datasets/data-files.js';
import { createRng } from '../../src/datasets/rng.js';
import { createGoodaiFiller, ListReprTokens, pythonListRepr } from '../../src/runner/goodai-filler.js';
import { countGoodaiTokens, countTokens } from '../../src/tokens.js';

// Issue 13: the filler's canned reply is counted piece by piece; the sum must be the whole list's count, exactly.
const ODD = ["it's", 'say "hi"', 'both \' and "', 'back\\slash', 'tab\there', 'line\nbreak', 'trailing ', '  lead', '1999', '3.14', 's club 7', "'quoted'", 'U.S.', 'naïve café', '東京', '', ',', ', ', ']', '[x]'];

describe('ListReprTokens', () => {
  for (const [name, count] of [
    ['cl100k', countGoodaiTokens],
    ['o200k', countTokens],
  ] as const) {
    it(`equals the count of the whole Python list repr after every item (${name}, real trivia and odd strings)`, () => {
      const trivia = loadTrivia().map((t) => t.a);
      const rng = createRng(7);
      let checked = 0;
      for (let list = 0; list < 40; list++) {
        const items: string[] = [];
        const tokens = new ListReprTokens(count);
        for (let i = 0; i < 60; i++) {
          const item = rng.next() < 0.2 ? rng.pick(ODD) : rng.pick(trivia);
          items.push(item);
          tokens.push(item);
          expect(tokens.tokens, pythonListRepr(items)).toBe(count(pythonListRepr(items)));
          checked++;
        }
      }
      expect(checked).toBe(2400);
    });
  }

  it("equals the whole list's count for every answer of GoodAI's filler trivia (cl100k, GoodAI's counter)", () => {
    const answers = loadGoodaiTrivia().map((t) => t.a);
    expect(answers).toHaveLength(11313);
    for (let start = 0; start < answers.length; start += 20) {
      const items = answers.slice(start, start + 20);
      const tokens = new ListReprTokens(countGoodaiTokens);
      for (const item of items) tokens.push(item);
      expect(tokens.tokens, pythonListRepr(items)).toBe(countGoodaiTokens(pythonListRepr(items)));
    }
  });
});

describe('pythonListRepr', () => {
  it("writes the five answers of GoodAI's trivia that Python's repr escapes as Python's str(list) does", () => {
    const odd = loadGoodaiTrivia().map((t) => t.a).filter((a) => /[\u0083\uf092\u00ad\u00a0]/.test(a));
    // python3 -c "print(str([...]))" on the same five answers, in GoodAI's order.
    expect(pythonListRepr(odd)).toBe(
      "['S\u00c4\\x83o Paulo', 'Butterfly \\uf092 Backstroke \\uf092', 'Llanfair\\xadpwllgwyngyll\\xadgogery\\xadchwyrn\\xaddrobwll\\xadllan\\xadtysilio\\xadgogo\\xadgoch', '-\u00c2\\xa0 Fear itself', '-\u00c2\\xa0 Mirage']",
    );
    expect(pythonListRepr(['a\u0000b', 'x\u2028y', '\u{1F600}', '\u{E0001}', "it's", 'tab\t', '\u3000 '])).toBe(
      "['a\\x00b', 'x\\u2028y', '\u{1F600}', '\\U000e0001', \"it's\", 'tab\\t', '\\u3000 ']",
    );
  });
});

describe('GoodAI filler counts', () => {
  it("reports the exact tokens of every message and canned reply it makes (so the plan need not count them again)", () => {
    const filler = createGoodaiFiller(3, countGoodaiTokens);
    let total = 0;
    for (let i = 0; i < 200; i++) {
      const f = filler.next(50 + ((i * 97) % 4000), 4096);
      expect(f.tokens).toBe(countGoodaiTokens(f.message));
      expect(f.expectedTokens).toBe(countGoodaiTokens(f.expected));
      total += f.tokens;
    }
    expect(total).toBeGreaterThan(200 * 50);
  });
});
