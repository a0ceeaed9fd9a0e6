/** Writes seeded datasets to disk in GoodAI's folder layout, with a manifest. */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError } from '../errors.js';
import { goodaiDefJson } from './goodai-def-json.js';
import { hashDatasetDir, writeManifest } from './manifest.js';
import type { DatasetManifest } from './manifest.js';
import { getGenerator } from './registry.js';

export interface DatasetSpec {
  /** Generator name (`colours`, `name_list`, `shopping`). */
  name: string;
  /** How many examples to write. */
  examples: number;
  /** Base seed; every example derives its own from (seed, name, index). */
  seed: number;
  /** Generator arguments (`colour_changes`, ...); unknown keys are an error. */
  args: Record<string, unknown>;
}

function checkSpecs(specs: DatasetSpec[]): void {
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.name)) {
      throw new DatasetError('DATASET_INVALID', `dataset "${spec.name}" is listed twice; its files would collide`);
    }
    seen.add(spec.name);
    if (!Number.isInteger(spec.examples) || spec.examples < 0) {
      throw new DatasetError('DATASET_INVALID', `dataset "${spec.name}": examples must be a non-negative integer, got ${spec.examples}`);
    }
    if (!Number.isSafeInteger(spec.seed)) {
      throw new DatasetError('DATASET_INVALID', `dataset "${spec.name}": seed must be an integer, got ${spec.seed}`);
    }
  }
}

/**
 * Writes `outDir/definitions/<DisplayName>/<index>.def.json` for every spec
 * and `outDir/manifest.json`. Same specs, same bytes. `outDir/definitions/`
 * is replaced wholesale so files from an earlier, larger generation cannot
 * linger and end up in the manifest.
 */
export async function generateDataset(specs: DatasetSpec[], outDir: string): Promise<DatasetManifest> {
  checkSpecs(specs);
  const generated = specs.map((spec) => {
    const generator = getGenerator(spec.name);
    return { generator, tests: generator.generate({ seed: spec.seed, examples: spec.examples, args: spec.args }) };
  });
  const definitionsDir = join(outDir, 'definitions');
  await rm(definitionsDir, { recursive: true, force: true });
  for (const { generator, tests } of generated) {
    const folder = join(definitionsDir, generator.displayName);
    await mkdir(folder, { recursive: true });
    for (const [index, test] of tests.entries()) {
      // issue 25: GoodAI's bytes (json.dump(to_dict(), indent=2)), so a GoodAI generator's output and Referee's compare equal.
      await writeFile(join(folder, `${test.example_id ?? index}.def.json`), goodaiDefJson(test));
    }
  }
  const manifest = await hashDatasetDir(outDir);
  await writeManifest(outDir, manifest);
  return manifest;
}
