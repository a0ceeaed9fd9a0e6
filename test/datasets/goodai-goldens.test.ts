/**
 * Issue 25: Referee's generators are GoodAI's. For seeds 0-4 and GoodAI's published v3
 * configurations at 1k, 32k and 200k, `generateDataset` writes def.json files byte-identical to
 * those GoodAI's own code writes (test/fixtures/goodai/goldens, made by
 * scripts/goodai/generate_goldens.py from GoodAI/goodai-ltm-benchmark at 188e761).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDatasetConfig } from '../../src/config/load.js';
import { generateDataset } from '../../src/datasets/generate.js';
import { ROOT, tempDir } from '../helpers.js';

const GOLDENS = fileURLToPath(new URL('../fixtures/goodai/goldens', import.meta.url));
/** The datasets whose generators are GoodAI's (a commit each). */
const PORTED = ['colours', 'shopping', 'trigger_response', 'prospective_memory', 'locations_directions', 'spy_meeting', 'jokes', 'name_list'];
const SIZES = ['1k', '32k', '200k'];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
}

describe("GoodAI's generators, byte for byte (issue 25)", () => {
  it.each(SIZES.flatMap((size) => [0, 1, 2, 3, 4].map((seed) => [size, seed] as const)))('benchmark-v3-%s, seed %i', async (size, seed) => {
    const config = loadDatasetConfig(join(ROOT, `configs/datasets/benchmark-v3-${size}.yaml`));
    const specs = config.datasets.datasets
      .filter((d) => PORTED.includes(d.name))
      .map((d) => ({ name: d.name, examples: config.datasets.args.dataset_examples, seed, args: d.args }));
    expect(specs.map((s) => s.name).sort()).toEqual([...PORTED].sort());
    const out = tempDir('referee-goldens-');
    await generateDataset(specs, out);
    const golden = join(GOLDENS, size, String(seed));
    const mine = join(out, 'definitions');
    const expected = files(golden).filter((f) => PORTED.some((p) => f.startsWith(`${displayName(p)}/`)));
    expect(files(mine).sort()).toEqual(expected.sort());
    for (const f of expected) expect(readFileSync(join(mine, f), 'utf8'), f).toBe(readFileSync(join(golden, f), 'utf8'));
  });
});

function displayName(name: string): string {
  return { colours: 'Colours', shopping: 'Shopping', trigger_response: 'Trigger Response', prospective_memory: 'Prospective Memory', locations_directions: 'Locations Directions', spy_meeting: 'Spy Meeting', jokes: 'Jokes', name_list: 'NameList' }[name] ?? name;
}
