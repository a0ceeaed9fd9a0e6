import { statSync } from 'node:fs';
import { RunDirError } from '../errors.js';

/**
 * issue 21: a runs directory that `view`, `monitor` or `runs` reads must exist. A typo
 * in --runs-dir used to be served as an empty list, which reads as "no runs yet".
 */
export function requireRunsDir(dir: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new RunDirError('RUN_DIR_INVALID', `${dir}: no such runs directory (--runs-dir names the folder that holds run directories)`);
  }
  if (!isDir) throw new RunDirError('RUN_DIR_INVALID', `${dir}: not a directory (--runs-dir names the folder that holds run directories)`);
}
