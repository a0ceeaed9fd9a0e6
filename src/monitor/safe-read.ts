/**
 * issue 14: the monitor never blocks on a file. A FIFO (or device) placed as
 * run.json froze it in `readFileSync`; this opens without blocking, checks that
 * it is a regular file of sane size, and only then reads.
 *
 * Issue 24: nor does it read outside the runs directory. A file reached
 * through a symlink that leaves the root (`transcripts.jsonl -> /etc/...`) is
 * refused; the check is made on the file actually opened (its descriptor's
 * path), so swapping a link between the check and the read changes nothing.
 */
import { closeSync, constants, fstatSync, openSync, readlinkSync, readSync, realpathSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { sep } from 'node:path';

/** Larger run.json files are refused rather than read on the event loop. */
const MAX_BYTES = 16 * 1024 * 1024;

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/** The real path of an open file: its descriptor's link on Linux, else the name's real path. */
function openedPath(fd: number, file: string): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    try {
      return realpathSync(file);
    } catch {
      return undefined;
    }
  }
}

const realRoots = new Map<string, string>();

/** Whether the open file `fd` (named `file`) lies inside `root` once every symlink is resolved. */
export function openedInside(fd: number, file: string, root: string): boolean {
  let real = realRoots.get(root);
  if (real === undefined) {
    try {
      real = realpathSync(root);
    } catch {
      return false;
    }
    realRoots.set(root, real);
  }
  const path = openedPath(fd, file);
  return path !== undefined && (path === real || path.startsWith(real.endsWith(sep) ? real : real + sep));
}

/**
 * Opens `file` for reading without blocking on a FIFO; undefined when it cannot be
 * opened or (with `root`) lies outside it.
 */
export async function openInside(file: string, root?: string): Promise<FileHandle | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(file, OPEN_FLAGS);
  } catch {
    return undefined;
  }
  if (root !== undefined && !openedInside(fh.fd, file, root)) {
    await fh.close();
    return undefined;
  }
  return fh;
}

/**
 * The file's text, or undefined when it is missing, not a regular file, too
 * large, or (with `root`) outside the runs directory.
 */
export function readRegularFileSync(file: string, maxBytes = MAX_BYTES, root?: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch {
    return undefined;
  }
  try {
    if (root !== undefined && !openedInside(fd, file, root)) return undefined;
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > maxBytes) return undefined;
    const buf = Buffer.alloc(st.size);
    let read = 0;
    while (read < st.size) {
      const n = readSync(fd, buf, read, st.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buf.subarray(0, read).toString('utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
