/**
 * Issue 24: `mkdir -p` that fails with the real reason. Node's recursive mkdir reports ENOENT for a
 * directory it could not make on a read-only file system (EROFS), so a run directory that could not
 * be written was reported as missing. On ENOENT the missing directories are made one at a time: the
 * one that cannot be made throws its own errno (EROFS, EACCES, ENOTDIR).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { RefereeError } from '../errors.js';

export function makeDirs(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const missing: string[] = [];
    for (let p = resolve(dir); !existsSync(p) && dirname(p) !== p; p = dirname(p)) missing.unshift(p);
    // Each throws its own error; none made means the first one says why.
    for (const p of missing) mkdirSync(p);
  }
}

/** An output path that cannot be written, as a set-up error (exit 2): the path, what failed, the errno. */
export function unwritableOutput(path: string, what: string, err: unknown): RefereeError {
  return new RefereeError('OUTPUT_UNWRITABLE', `${path}: ${what} (${(err as NodeJS.ErrnoException).code ?? err})`, { cause: err });
}

/** `makeDirs`, failing as a set-up error that names the directory: `<dir>: cannot create run directory (EROFS)`. */
export function createOutputDir(dir: string, what: string): void {
  try {
    makeDirs(dir);
  } catch (err) {
    throw unwritableOutput(dir, `cannot create ${what}`, err);
  }
}
