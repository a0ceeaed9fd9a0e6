/**
 * A reply that starts with a byte order mark (U+FEFF) is read as GoodAI reads
 * it: Python's `json.loads` refuses it ("Unexpected UTF-8 BOM") and GoodAI's
 * repair loop has no step for that message, so SallyAnne, Shopping and
 * NameList score 0 with GoodAI's own reason. A BOM before a code fence, or
 * before prose that precedes the JSON, is cut away with that text, as there.
 * The scores and reasons below are what GoodAI's evaluate_correct returned
 * for the same replies (scripts/goodai-verdicts.py; the scorer table holds
 * the scores of more placements).
 */
import { describe, expect, it } from 'vitest';
import { jsonFieldMatch } from '../../src/scoring/evaluators.js';
import { PyJsonError, pyErrorRepr, pyJsonLoads, pyStrRepr, sanitizeAndParseJson } from '../../src/scoring/py-json.js';
import { getScorer } from '../../src/scoring/registry.js';
import { testWith } from './helpers.js';

const BOM = '\ufeff';
const GOODAI_BOM_ERROR = 'Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)';

describe('a BOM at the start of a JSON reply (GoodAI json.loads)', () => {
  it('json.loads raises JSONDecodeError at char 0; a BOM after whitespace is "Expecting value" at its place', () => {
    expect(() => pyJsonLoads(`${BOM}{}`)).toThrow(PyJsonError);
    expect(() => pyJsonLoads(`${BOM}{}`)).toThrow(GOODAI_BOM_ERROR);
    expect(() => pyJsonLoads(` ${BOM}{}`)).toThrow('Expecting value: line 1 column 2 (char 1)');
    expect(() => pyJsonLoads(`{}\n${BOM}`)).toThrow('Extra data: line 2 column 1 (char 3)');
    expect(() => sanitizeAndParseJson(`${BOM}{"a": 1}`)).toThrow(GOODAI_BOM_ERROR);
    expect(sanitizeAndParseJson(`${BOM}\`\`\`json\n{"a": 1}\n\`\`\``)).toEqual(new Map([['a', 1n]]));
  });

  it('SallyAnne: 0 with GoodAI\'s reason; 1 where the BOM is cut off with prose or before a fence', () => {
    const t = testWith('sallyanne', ['basket']);
    expect(getScorer('sallyanne')(t, [`${BOM}{"answer": "basket"}`])).toEqual({ score: 0, maxScore: 1, reasons: [`Invalid answer. ${GOODAI_BOM_ERROR}`] });
    expect(getScorer('sallyanne')(t, [` ${BOM}{"answer": "basket"}`])).toEqual({ score: 0, maxScore: 1, reasons: [`Invalid answer. ${GOODAI_BOM_ERROR}`] });
    expect(getScorer('sallyanne')(t, [`\`\`\`json\n${BOM}{"answer": "basket"}\n\`\`\``]).score).toBe(0);
    expect(getScorer('sallyanne')(t, [`Sure. ${BOM}{"answer": "basket"}`]).score).toBe(1);
    expect(getScorer('sallyanne')(t, [`${BOM}\`\`\`json\n{"answer": "basket"}\n\`\`\``]).score).toBe(1);
    expect(getScorer('sallyanne')(t, ['{"answer": "basket"}']).score).toBe(1);
  });

  it('Shopping: 0 with GoodAI\'s reason, repr(exc) and the reply as given', () => {
    const t = testWith('shopping', [['apple', 3]]);
    const reply = `${BOM}[{"item": "apple", "quantity": 3}]`;
    expect(getScorer('shopping')(t, [reply])).toEqual({
      score: 0,
      maxScore: 1,
      reasons: [`Response not in correct format (JSONDecodeError('${GOODAI_BOM_ERROR}')):\n${reply}`],
    });
    expect(getScorer('shopping')(t, [reply.slice(1)]).score).toBe(1);
  });

  it('NameList: 0, "Response not in correct format"', () => {
    const t = testWith('name_list', ['Anna', 'Bob']);
    expect(getScorer('name_list')(t, [`${BOM}["Anna", "Bob"]`])).toEqual({ score: 0, maxScore: 1, reasons: ['Response not in correct format'] });
  });

  it('Python\'s repr of the errors GoodAI\'s Shopping reason quotes', () => {
    expect(pyErrorRepr(new Error('Content provided is not JSON!'))).toBe("ValueError('Content provided is not JSON!')");
    expect(pyStrRepr("it's")).toBe('"it\'s"');
    expect(pyStrRepr('a\'b"c\\\n\u2028\ufeff\x01é')).toBe("'a\\'b\"c\\\\\\n\\u2028\\ufeff\\x01é'");
  });

  it('Referee\'s own task evaluator (json) reads JSON out of prose, so a BOM is text before the JSON there', () => {
    expect(jsonFieldMatch(`${BOM}{"city": "Paris"}`, { city: 'Paris' }).passed).toBe(true);
  });
});
