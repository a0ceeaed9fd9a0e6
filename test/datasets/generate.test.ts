import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/datasets/generate.js';
import type { DatasetSpec } from '../../src/datasets/generate.js';
import { loadDataset } from '../../src/datasets/load.js';
import { DatasetManifestSchema, hashDatasetDir, verifyManifest } from '../../src/datasets/manifest.js';
import { DatasetError } from '../../src/errors.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'referee-ds-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const specs = (seed: number): DatasetSpec[] => [
  { name: 'colours', examples: 3, seed, args: {} },
  { name: 'name_list', examples: 12, seed, args: { name_changes: 2 } },
  { name: 'shopping', examples: 2, seed, args: {} },
];

/** Every file under dir, relative path → contents. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out[full.slice(dir.length + 1)] = await readFile(full, 'utf8');
  }
  return out;
}

describe('generateDataset', () => {
  it("writes the GoodAI layout as GoodAI's json.dump(to_dict(), indent=2) writes it", async () => {
    const dir = await tempDir();
    const manifest = await generateDataset(specs(1), dir);
    expect(DatasetManifestSchema.parse(manifest)).toEqual(manifest);
    expect(Object.keys(manifest.files)).toHaveLength(17);
    expect(manifest.files).toHaveProperty('definitions/Colours/0.def.json');
    expect(manifest.files).toHaveProperty('definitions/NameList/11.def.json');
    expect(manifest.files).toHaveProperty('definitions/Shopping/1.def.json');
    const text = await readFile(join(dir, 'definitions/Colours/0.def.json'), 'utf8');
    // issue 25: GoodAI's bytes: its key order, floats as floats, no newline at the end.
    expect(text.endsWith('\n}')).toBe(true);
    expect(text).toContain('\n  "can_be_interleaved": true,');
    expect(text).toContain('"percentage_finished": 30.0');
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['script', 'is_question', 'waits', 'expected_responses', 'can_be_interleaved', 'is_temporal', 'uses_callback']);
    const onDisk = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as unknown;
    expect(onDisk).toEqual(manifest);
  });

  it('is byte-identical for the same seed and different for another', async () => {
    const [a, b, c] = [await tempDir(), await tempDir(), await tempDir()];
    const ma = await generateDataset(specs(7), a);
    const mb = await generateDataset(specs(7), b);
    const mc = await generateDataset(specs(8), c);
    expect(mb.sha256).toBe(ma.sha256);
    expect(await snapshot(b)).toEqual(await snapshot(a));
    expect(mc.sha256).not.toBe(ma.sha256);
    expect(mc.files['definitions/Colours/0.def.json']).not.toBe(ma.files['definitions/Colours/0.def.json']);
  });

  it('replaces stale definitions from an earlier, larger generation', async () => {
    const dir = await tempDir();
    await generateDataset(specs(1), dir);
    const manifest = await generateDataset([{ name: 'colours', examples: 1, seed: 1, args: {} }], dir);
    expect(Object.keys(manifest.files)).toEqual(['definitions/Colours/0.def.json']);
    expect(await verifyManifest(dir)).toEqual([]);
  });

  it('rejects unknown datasets, duplicates and bad counts before writing anything', async () => {
    const dir = await tempDir();
    await expect(generateDataset([{ name: 'nope', examples: 1, seed: 1, args: {} }], dir)).rejects.toThrow(/unknown dataset "nope"/);
    const twice = [specs(1)[0]!, specs(1)[0]!];
    await expect(generateDataset(twice, dir)).rejects.toThrow(/listed twice/);
    await expect(generateDataset([{ name: 'colours', examples: -1, seed: 1, args: {} }], dir)).rejects.toThrow(DatasetError);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('manifest verification', () => {
  it('detects changed, missing and unlisted files, and a tampered digest', async () => {
    const dir = await tempDir();
    await generateDataset(specs(2), dir);
    expect(await verifyManifest(dir)).toEqual([]);

    const changed = join(dir, 'definitions/Colours/1.def.json');
    await writeFile(changed, (await readFile(changed, 'utf8')).replace('colour', 'color'));
    await unlink(join(dir, 'definitions/Shopping/0.def.json'));
    await writeFile(join(dir, 'definitions/Shopping/9.def.json'), '{}\n');
    await writeFile(join(dir, '.DS_Store'), 'ignored');
    expect(await verifyManifest(dir)).toEqual([
      'definitions/Colours/1.def.json',
      'definitions/Shopping/0.def.json',
      'definitions/Shopping/9.def.json',
    ]);

    const fresh = await tempDir();
    const manifest = await generateDataset(specs(2), fresh);
    await writeFile(join(fresh, 'manifest.json'), JSON.stringify({ ...manifest, sha256: '0'.repeat(64) }));
    expect(await verifyManifest(fresh)).toEqual(['manifest.json']);
  });

  it('hashDatasetDir does not depend on the manifest file', async () => {
    const dir = await tempDir();
    const manifest = await generateDataset(specs(3), dir);
    await unlink(join(dir, 'manifest.json'));
    expect(await hashDatasetDir(dir)).toEqual(manifest);
  });
});

describe('loadDataset', () => {
  it('round-trips generated definitions, sorted by dataset then numeric id', async () => {
    const dir = await tempDir();
    const manifest = await generateDataset(specs(4), dir);
    const loaded = await loadDataset(dir);
    expect(loaded.manifest).toEqual(manifest);
    expect(loaded.definitions.map((d) => d.testId)).toEqual([
      'Colours/0', 'Colours/1', 'Colours/2',
      ...Array.from({ length: 12 }, (_, i) => `NameList/${i}`),
      'Shopping/0', 'Shopping/1',
    ]);
    const first = loaded.definitions[3]!;
    expect(first).toMatchObject({ dataset: 'name_list', exampleId: '0' });
    expect(first).not.toHaveProperty('evaluation');
    const raw = JSON.parse(await readFile(join(dir, 'definitions/NameList/0.def.json'), 'utf8')) as object;
    expect({ ...first, testId: undefined, dataset: undefined, exampleId: undefined }).toEqual({
      ...raw, testId: undefined, dataset: undefined, exampleId: undefined,
    });
  });

  it('keeps an unknown folder name as the dataset and accepts a folder without a manifest', async () => {
    const dir = await tempDir();
    await generateDataset([{ name: 'colours', examples: 1, seed: 1, args: {} }], dir);
    const { mkdir, rename } = await import('node:fs/promises');
    await mkdir(join(dir, 'definitions/Custom'));
    await rename(join(dir, 'definitions/Colours/0.def.json'), join(dir, 'definitions/Custom/0.def.json'));
    await unlink(join(dir, 'manifest.json'));
    const loaded = await loadDataset(dir);
    expect(loaded.definitions.map((d) => [d.testId, d.dataset])).toEqual([['Custom/0', 'Custom']]);
    expect(Object.keys(loaded.manifest.files)).toEqual(['definitions/Custom/0.def.json']);
  });

  it('names the file and the field path of a malformed definition', async () => {
    const dir = await tempDir();
    await generateDataset([{ name: 'shopping', examples: 2, seed: 1, args: {} }], dir);
    await unlink(join(dir, 'manifest.json'));
    const file = join(dir, 'definitions/Shopping/1.def.json');
    const def = JSON.parse(await readFile(file, 'utf8')) as { waits: unknown[] };
    def.waits[1] = { percentage_finished: 'soon' };
    await writeFile(file, JSON.stringify(def));
    const error = await loadDataset(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).code).toBe('DATASET_INVALID');
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('waits[1].percentage_finished');

    await writeFile(file, '{"script": ["hi"], ');
    await expect(loadDataset(dir)).rejects.toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON`));
  });

  it('reports mismatched lengths on the offending field', async () => {
    const dir = await tempDir();
    await generateDataset([{ name: 'colours', examples: 1, seed: 1, args: {} }], dir);
    await unlink(join(dir, 'manifest.json'));
    const file = join(dir, 'definitions/Colours/0.def.json');
    const def = JSON.parse(await readFile(file, 'utf8')) as { is_question: boolean[] };
    def.is_question.pop();
    await writeFile(file, JSON.stringify(def));
    await expect(loadDataset(dir)).rejects.toThrow(/is_question/);
  });

  it('refuses a dataset that no longer matches its manifest', async () => {
    const dir = await tempDir();
    await generateDataset(specs(5), dir);
    const file = join(dir, 'definitions/Colours/0.def.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"can_be_interleaved": true', '"can_be_interleaved": true, "evaluation": "name_list"'));
    const error = await loadDataset(dir).catch((e: unknown) => e);
    expect((error as DatasetError).code).toBe('DATASET_MISMATCH');
    expect((error as Error).message).toContain('definitions/Colours/0.def.json');

    const forced = await loadDataset(dir, { allowMismatch: true });
    expect(forced.manifest).toEqual(await hashDatasetDir(dir));
    expect(forced.definitions[0]?.evaluation).toBe('name_list');
  });

  it('says so when there are no definitions', async () => {
    const dir = await tempDir();
    await expect(loadDataset(dir)).rejects.toThrow(/no definitions\/ folder/);
  });
});
