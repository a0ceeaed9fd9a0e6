/**
 * issue 14: the monitor never blocks on a file. A FIFO (or device) placed as
 * run.json froze it in `readFileSync`; this opens without blocking, checks that
 * it is a regular file of sane size, and only then reads.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Larger run.json files are refused rather than read on the event loop. */
const MAX_BYTES = 16 * 1024 * 1024;

/** The file's text, or undefined when it is missing, not a regular file, or too large. */
export function readRegularFileSync(file: string, maxBytes = MAX_BYTES): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    return undefined;
  }
  try {
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
