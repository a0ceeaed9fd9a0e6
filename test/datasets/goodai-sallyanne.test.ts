/**
 * SallyAnne is GoodAI's generator when ToMi's stories are supplied: for seeds 0-4 at the published
 * v3 arguments (and seeds 0-2 with `any` and `world_model` questions), Referee writes the def.json
 * bytes GoodAI's own SallyAnneDataset writes from the same ToMi-format file (goldens made by
 * scripts/goodai/sallyanne_goldens.py from GoodAI at 188e761). ToMi's test.txt may not be shipped (no licence),
 * so the committed goldens come from Referee's own stories in ToMi's line format
 * (tomi-format-sample.txt); set REFEREE_TOMI_GOLDENS to a folder the script wrote from ToMi's real
 * file, and REFEREE_TOMI_FILE to that file, to check against it too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDatasetConfig } from '../../src/config/load.js';
import { generateDataset } from '../../src/datasets/generate.js';
import { extractToMiSamples, fixPlural } from '../../src/datasets/generators/goodai-sallyanne.js';
import { toMiFileFor } from '../../src/datasets/generators/sallyanne.js';
import { ROOT, tempDir } from '../helpers.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/goodai/tomi-format-sample.txt', import.meta.url));
const GOLDENS = fileURLToPath(new URL('../fixtures/goodai/goldens-sallyanne', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
}

async function expectGoldens(tomiFile: string, goldens: string, folder: string, seed: number): Promise<void> {
  const sized = ['1k', '32k', '200k'].includes(folder);
  const config = sized ? loadDatasetConfig(join(ROOT, `configs/datasets/benchmark-v3-${folder}.yaml`)) : undefined;
  const entry = config?.datasets.datasets.find((d) => d.name === 'sallyanne');
  const args = { ...(entry?.args ?? { question_type: folder }), data_file: tomiFile };
  const examples = config?.datasets.args.dataset_examples ?? 6;
  const out = tempDir('referee-sallyanne-');
  await generateDataset([{ name: 'sallyanne', examples, seed, args }], out);
  const golden = join(goldens, folder, String(seed));
  const mine = join(out, 'definitions');
  expect(files(mine).sort()).toEqual(files(golden).sort());
  for (const f of files(golden)) expect(readFileSync(join(mine, f), 'utf8'), f).toBe(readFileSync(join(golden, f), 'utf8'));
}

const CASES = [...['1k', '32k', '200k'].flatMap((f) => [0, 1, 2, 3, 4].map((s) => [f, s] as const)), ...['any', 'world_model'].flatMap((f) => [0, 1, 2].map((s) => [f, s] as const))];

describe("SallyAnne: GoodAI's generator on ToMi's stories", () => {
  it.each(CASES)('%s, seed %i: byte-identical to GoodAI', async (folder, seed) => {
    await expectGoldens(FIXTURE, GOLDENS, folder, seed);
  });

  const real = process.env['REFEREE_TOMI_GOLDENS'];
  it.skipIf(!real || !process.env['REFEREE_TOMI_FILE'])('against goldens made from ToMi\'s own test.txt', async () => {
    for (const [folder, seed] of CASES) await expectGoldens(process.env['REFEREE_TOMI_FILE']!, real!, folder, seed);
  });

  it("keeps GoodAI's quirks: lines keep their newline, plurals are fixed, plural questions rewritten word-wise", () => {
    const text = '1 The boots is in the crate.\n2 Ava exited the hall.\n3 Where is the boots really?\tcrate\t1\n1 The hat is in the box.\n2 Where will Ava look for the hat?\tbox\t1\n';
    const samples = extractToMiSamples(text, 'any');
    expect(samples).toEqual([
      { lines: ['The boots is in the crate.\n', 'Ava exited the hall.\n', 'Where was the boots really?'], answer: 'crate' },
      { lines: ['The hat is in the box.\n', 'Where will Ava look for the hat?'], answer: 'box' },
    ]);
    expect(fixPlural('The boots is in the crate.\n')).toBe('The boots are in the crate.\n');
    expect(fixPlural('The dress is in the crate.\n')).toBe('The dress is in the crate.\n');
    expect(extractToMiSamples(text, 'theory_of_mind').map((s) => s.answer)).toEqual(['box']);
  });

  it('a ToMi line that is not question<TAB>answer<TAB>n is refused in one line naming the file', () => {
    expect(() => extractToMiSamples('1 Where is the hat really?\tbox\n', 'any', '/data/test.txt')).toThrow(
      'sallyanne: /data/test.txt line 1 is not ToMi\'s "<n> question<TAB>answer<TAB>n" format',
    );
  });

  it('without args.data_file, the cache copy is used when there is one, else Referee\'s own stories', () => {
    const cache = tempDir('referee-tomi-cache-');
    expect(toMiFileFor({}, { REFEREE_CACHE_DIR: cache })).toBeUndefined();
    expect(toMiFileFor({ data_file: '/x/test.txt' }, { REFEREE_CACHE_DIR: cache })).toBe('/x/test.txt');
  });
});
