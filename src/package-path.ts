import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The package's root: the nearest folder above this module with a package.json. This module
 * runs from src/ (tests), dist/ (the library) and dist/bin/ (the CLI's bundle, where every
 * module shares one file's location), so no fixed `../` fits them all.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  root = dir;
  return root;
}

/** Files shipped with the package (configs, data, dashboards, the built CLI), by their path in it. */
export function packagePath(relative: string): string {
  return join(packageRoot(), relative);
}
