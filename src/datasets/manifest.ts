/**
 * `manifest.json`: a sha256 per file and one over all of them, so a run can
 * record exactly which dataset it used and refuse one that was edited.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DatasetError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';

export const MANIFEST_FILE = 'manifest.json';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lower-case sha256 hex digest');

export const DatasetManifestSchema = z.strictObject({
  version: z.literal(1),
  /** sha256 over the sorted `"<path> <sha>\n"` lines of `files`. */
  sha256: Sha256Hex,
  /** Path relative to the dataset folder, `/`-separated → sha256 of its bytes. */
  files: z.record(z.string(), Sha256Hex),
});
export type DatasetManifest = z.infer<typeof DatasetManifestSchema>;

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The whole-dataset digest; independent of the order `files` was filled in. */
export function manifestDigest(files: Record<string, string>): string {
  const lines = Object.keys(files)
    .sort()
    .map((path) => `${path} ${files[path]}\n`);
  return sha256(lines.join(''));
}

/**
 * Every regular file below `dir` except the top-level manifest, as sorted
 * `/`-separated relative paths. Dot-files are skipped so an editor's or OS's
 * droppings (`.DS_Store`) do not fail verification.
 */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile() && rel !== MANIFEST_FILE) out.push(rel);
  }
  return out.sort();
}

/** Recomputes the manifest from what is on disk now. */
export async function hashDatasetDir(dir: string): Promise<DatasetManifest> {
  const files: Record<string, string> = {};
  for (const rel of await listFiles(dir)) files[rel] = sha256(await readFile(join(dir, rel)));
  return { version: 1, sha256: manifestDigest(files), files };
}

export async function writeManifest(dir: string, manifest: DatasetManifest): Promise<void> {
  await writeFile(join(dir, MANIFEST_FILE), canonicalJson(manifest));
}

export async function readManifest(dir: string): Promise<DatasetManifest> {
  const path = join(dir, MANIFEST_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new DatasetError('DATASET_INVALID', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  const parsed = DatasetManifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new DatasetError('DATASET_INVALID', `${path} is not a valid manifest:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * Paths that differ between `manifest.json` and the disk: changed, missing or
 * unlisted files, plus `manifest.json` itself when its overall digest does not
 * match its own file list. Empty means the dataset is intact.
 */
export async function verifyManifest(dir: string): Promise<string[]> {
  const recorded = await readManifest(dir);
  const actual = await hashDatasetDir(dir);
  const paths = new Set([...Object.keys(recorded.files), ...Object.keys(actual.files)]);
  const bad = [...paths].filter((p) => recorded.files[p] !== actual.files[p]).sort();
  if (manifestDigest(recorded.files) !== recorded.sha256) bad.push(MANIFEST_FILE);
  return bad;
}
