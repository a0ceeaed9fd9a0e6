/**
 * ChapterBreak is GoodAI's generator: on a file in the ChapterBreak data's shape, Referee writes the
 * def.json files GoodAI's own ChapterBreakDataset (188e761) writes, names included (GoodAI names a
 * test by its sample id). test/fixtures/goodai/goldens-chapterbreak holds GoodAI's files, written by
 * scripts/goodai/chapterbreak_goldens.py from test/fixtures/goodai/chapterbreak-format-sample.json
 * (passages written for this project, with the sample ids and chapter heads GoodAI's selection reads).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/datasets/generate.js';
import { getGenerator } from '../../src/datasets/registry.js';
import { ROOT, tempDir } from '../helpers.js';

const GOLDENS = join(ROOT, 'test/fixtures/goodai/goldens-chapterbreak');
const SAMPLE = join(ROOT, 'test/fixtures/goodai/chapterbreak-format-sample.json');
/** chapterbreak_goldens.py's variants: split, examples, GoodAI's max_message_size. */
const VARIANTS: Record<string, { args: Record<string, unknown>; examples: number }> = {
  goodai: { args: {}, examples: 3 },
  'goodai-small': { args: { max_message_size: 200 }, examples: 4 },
  all: { args: { split: 'all', max_message_size: 300 }, examples: 6 },
};

const cases = Object.keys(VARIANTS).flatMap((variant) => readdirSync(join(GOLDENS, variant)).map((seed) => [variant, Number(seed)] as const));

describe("ChapterBreak, GoodAI's generator byte for byte", () => {
  it.each(cases)('%s, seed %i', async (variant, seed) => {
    const { args, examples } = VARIANTS[variant]!;
    const out = tempDir('referee-chapterbreak-');
    await generateDataset([{ name: 'chapterbreak', examples, seed, args: { ...args, data_file: SAMPLE } }], out);
    const golden = join(GOLDENS, variant, String(seed), 'ChapterBreak');
    const mine = join(out, 'definitions', 'ChapterBreak');
    expect(readdirSync(mine).sort()).toEqual(readdirSync(golden).sort());
    for (const f of readdirSync(golden)) expect(readFileSync(join(mine, f), 'utf8'), f).toBe(readFileSync(join(golden, f), 'utf8'));
  });

  it("draws only GoodAI's four solvable samples, and gives false beginnings the true one's chapter number", () => {
    const tests = getGenerator('chapterbreak').generate({ seed: 0, examples: 10, args: { data_file: SAMPLE } });
    expect(tests.map((t) => t.example_id).sort()).toEqual(['12653258_1', '47583370_7', '90051444_0', '92666381_1']);
    const t = tests.find((x) => x.example_id === '12653258_1')!;
    const options = t.script.filter((l) => l.startsWith('Option '));
    // "\t9. Chapter 7" becomes "\t9. Chapter 12", every occurrence, "$" kept literally; a beginning without a number is left as it is.
    expect(options.filter((o) => o.includes('\t9. Chapter 12 '))).toHaveLength(5);
    expect(options.some((o) => o.includes('Chapter 12 and Chapter 12 again'))).toBe(true);
    expect(options.some((o) => o.includes('Chapter 12 costs $12'))).toBe(true);
    expect(options.some((o) => /\t9\. [A-Z]/.test(o))).toBe(true);
  });

  it("reads GoodAI's .zst as it reads the JSON", () => {
    const fromJson = getGenerator('chapterbreak').generate({ seed: 3, examples: 4, args: { data_file: SAMPLE } });
    expect(getGenerator('chapterbreak').generate({ seed: 3, examples: 4, args: { data_file: `${SAMPLE}.zst` } })).toEqual(fromJson);
    const bad = join(tempDir('referee-cb-'), 'cb.zst');
    writeFileSync(bad, '{"pg19": {}}');
    expect(() => getGenerator('chapterbreak').generate({ seed: 0, examples: 1, args: { data_file: bad } })).toThrow(new RegExp(`chapterbreak: ${bad} is not zstd data`));
  });

  it('names a data file that lacks a sample of the selection, and one that is missing', () => {
    const file = join(tempDir('referee-cb-'), 'cb.json');
    writeFileSync(file, JSON.stringify({ pg19: {}, ao3: { '1_0': [] } }));
    expect(() => getGenerator('chapterbreak').generate({ seed: 0, examples: 1, args: { data_file: file } })).toThrow(/has no sample 92666381_1, which GoodAI's selection names/);
    expect(() => getGenerator('chapterbreak').generate({ seed: 0, examples: 1, args: { data_file: '/nonexistent/cb.json' } })).toThrow(/cannot read args\.data_file \/nonexistent\/cb\.json \(ENOENT\)/);
  });
});
