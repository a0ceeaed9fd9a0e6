/** Reads a dataset folder (ours or GoodAI's) into validated TestDefinitions. */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DatasetError } from '../errors.js';
import { expectedShapeError } from './expected-shapes.js';
import { hashDatasetDir, MANIFEST_FILE, manifestDigest, readManifest, verifyManifest } from './manifest.js';
import type { DatasetManifest } from './manifest.js';
import { findGeneratorByDisplayName } from './registry.js';
import { isDynamicGenerator } from './dynamic-script.js';
import { DynamicDefinitionFileSchema, TestDefinitionFileSchema } from './schema.js';
import type { TestDefinition } from './types.js';

const DEF_SUFFIX = '.def.json';

/** Numeric ids in numeric order (2 before 10), then any others by code point. */
function compareIds(a: string, b: string): number {
  const na = /^\d+$/.test(a) ? Number(a) : NaN;
  const nb = /^\d+$/.test(b) ? Number(b) : NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  if (!Number.isNaN(na)) return -1;
  if (!Number.isNaN(nb)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

async function readDefinition(path: string, folder: string, exampleId: string): Promise<TestDefinition> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new DatasetError('DATASET_INVALID', `${path}: not valid JSON: ${(cause as Error).message}`, { cause });
  }
  // A dynamic test's (Restaurant's) definition is empty: its script writes its lines during the run.
  const parsed = (isDynamicGenerator(findGeneratorByDisplayName(folder)) ? DynamicDefinitionFileSchema : TestDefinitionFileSchema).safeParse(raw);
  if (!parsed.success) {
    throw new DatasetError('DATASET_INVALID', `${path}: invalid test definition:\n${z.prettifyError(parsed.error)}`);
  }
  const dataset = findGeneratorByDisplayName(folder)?.name ?? folder;
  const shapeError = expectedShapeError(dataset, parsed.data.expected_responses);
  if (shapeError) throw new DatasetError('DATASET_INVALID', `${path}: ${shapeError}`);
  return { ...parsed.data, testId: `${folder}/${exampleId}`, dataset, exampleId };
}

/**
 * Loads every `definitions/<Dataset>/<id>.def.json` under `dir`, sorted by
 * dataset then example id. With a `manifest.json` present, any file that
 * differs from it is an error (DATASET_MISMATCH): a run must use exactly the
 * dataset it records, unless `allowMismatch` is set, when the manifest of the
 * files as they are now is returned instead. Without one (GoodAI-written
 * folders) the manifest is computed from the files.
 */
export async function loadDataset(
  dirArg: string,
  options: {
    /** Load a dataset whose files differ from its manifest.json. @default false */
    allowMismatch?: boolean;
  } = {},
): Promise<{ definitions: TestDefinition[]; manifest: DatasetManifest }> {
  const dir = datasetRoot(dirArg);
  const definitionsDir = join(dir, 'definitions');
  if (!existsSync(definitionsDir)) {
    throw new DatasetError('DATASET_INVALID', `${dir} has no definitions/ folder`);
  }
  const definitions: TestDefinition[] = [];
  const folders = (await readdir(definitionsDir, { withFileTypes: true })).filter((e) => e.isDirectory());
  for (const folder of folders) {
    const folderPath = join(definitionsDir, folder.name);
    const files = (await readdir(folderPath)).filter((f) => f.endsWith(DEF_SUFFIX));
    for (const file of files) {
      definitions.push(await readDefinition(join(folderPath, file), folder.name, file.slice(0, -DEF_SUFFIX.length)));
    }
  }
  if (definitions.length === 0) {
    throw new DatasetError('DATASET_INVALID', `${definitionsDir} holds no *${DEF_SUFFIX} files`);
  }
  definitions.sort((a, b) => (a.dataset < b.dataset ? -1 : a.dataset > b.dataset ? 1 : compareIds(a.exampleId, b.exampleId)));

  if (existsSync(join(dir, MANIFEST_FILE))) {
    const bad = await verifyManifest(dir);
    if (bad.length === 0) return { definitions, manifest: await readManifest(dir) };
    if (!options.allowMismatch) {
      throw new DatasetError('DATASET_MISMATCH', `${dir} does not match its ${MANIFEST_FILE}; differing: ${bad.join(', ')}`);
    }
  }
  // Record what is actually on disk, so the run names the files it used. A
  // GoodAI run folder also holds results/: only definitions/ is the dataset.
  if (!existsSync(join(dir, MANIFEST_FILE))) return { definitions, manifest: await hashDefinitions(definitionsDir) };
  return { definitions, manifest: await hashDatasetDir(dir) };
}

// ---- issue 7: GoodAI definitions folders ----

/**
 * The folder that holds `definitions/`: a Referee dataset dir or a GoodAI run
 * folder (`data/tests/<run>`) as given, or the parent of a `definitions/`
 * folder given directly.
 */
export function datasetRoot(dir: string): string {
  if (!existsSync(join(dir, 'definitions')) && basename(dir) === 'definitions' && existsSync(dir)) return dirname(dir);
  return dir;
}

/** GoodAI's copy of the run's YAML config (`definitions/config.yml`), when the folder has one. */
export function datasetDirConfigFile(dir: string): string | undefined {
  const file = join(datasetRoot(dir), 'definitions', 'config.yml');
  return existsSync(file) ? file : undefined;
}

/** True when `dir` is a GoodAI definitions folder rather than a Referee dataset (no manifest.json). */
export function isGoodaiDefinitions(dir: string): boolean {
  const root = datasetRoot(dir);
  return !existsSync(join(root, MANIFEST_FILE)) && existsSync(join(root, 'definitions')) && readdirSync(join(root, 'definitions')).length > 0;
}

async function hashDefinitions(definitionsDir: string): Promise<DatasetManifest> {
  const inner = await hashDatasetDir(definitionsDir);
  const files = Object.fromEntries(Object.entries(inner.files).map(([rel, sum]) => [`definitions/${rel}`, sum]));
  return { version: 1, sha256: manifestDigest(files), files };
}
