import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { redact, registeredSecretSpellings } from '../events/secrets.js';
import { makeDirs } from './make-dir.js';

function mayHoldSecret(bytes: Uint8Array): boolean {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.includes('://') && buf.includes('@')) return true;
  return registeredSecretSpellings().some((s) => buf.includes(s));
}

/**
 * Appends whole JSON lines to one file. Opens lazily, writes synchronously
 * through a kept-open descriptor so every line is in the OS before the call
 * returns (a `kill -9` loses nothing already written), and names its file in
 * every error.
 */
export class JsonlWriter {
  private fd: number | undefined;
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  write(record: unknown): void {
    this.writeRaw(JSON.stringify(record) + '\n');
  }

  /** Writes pre-serialised text; it must end with a newline. Secrets are redacted (issue 14). */
  writeRaw(text: string): void {
    this.append(Buffer.from(redact(text), 'utf8'));
  }

  /** One line, and the file closed again (benchmark_history.jsonl: one line per run). */
  writeOnce(record: unknown): void {
    try {
      this.write(record);
    } finally {
      this.close();
    }
  }

  /**
   * Writes one line given as UTF-8 bytes (no newline; one is added): an
   * OTLP-JSON export batch arrives encoded, and decoding it only to encode it
   * again cost ~2% of a task run's CPU (issue 8).
   */
  writeLineBytes(bytes: Uint8Array): void {
    // issue 14: decoded only when a secret's spelling or URL credentials are in the bytes.
    if (mayHoldSecret(bytes)) bytes = Buffer.from(redact(Buffer.from(bytes).toString('utf8')), 'utf8');
    const line = Buffer.allocUnsafe(bytes.length + 1);
    line.set(bytes);
    line[bytes.length] = 10;
    this.append(line);
  }

  /**
   * Appends whole lines or nothing. Issue 24: on a full disk `write(2)` takes part of a line and
   * then fails; the part is cut off again, so every line on disk stays whole, and the error names
   * the file and the errno (`ENOSPC`).
   */
  private append(buf: Buffer): void {
    let fd: number;
    try {
      if (this.fd === undefined) {
        makeDirs(dirname(this.file));
        this.fd = openSync(this.file, 'a');
      }
      fd = this.fd;
    } catch (err) {
      throw writeError(this.file, 'cannot open for appending', err);
    }
    let done = 0;
    let before: number | undefined;
    try {
      while (done < buf.length) {
        const n = writeSync(fd, buf, done, buf.length - done);
        if (n <= 0) throw Object.assign(new Error('no space left on device (write took no bytes)'), { code: 'ENOSPC' });
        if (done === 0 && n < buf.length) before = fstatSync(fd).size - n;
        done += n;
      }
    } catch (err) {
      if (done > 0) this.cutBack(fd, before, done);
      throw writeError(this.file, 'cannot append', err);
    }
  }

  /** Removes the `written` bytes of a torn line, unless another process appended since (then the tail is the reader's torn line). */
  private cutBack(fd: number, before: number | undefined, written: number): void {
    try {
      const size = fstatSync(fd).size;
      const start = before ?? size - written;
      if (size === start + written) ftruncateSync(fd, start);
    } catch {
      // A reader tolerates a torn last line; resume cuts it.
    }
  }

  close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

/** Issue 24: one line naming the file and the errno (`…/spans.jsonl: cannot append: ENOSPC: no space left on device`). */
export function writeError(file: string, what: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  const detail = e.code && !String(e.message).startsWith(e.code) ? `${e.code}: ${e.message}` : (e.message ?? String(err));
  return Object.assign(new Error(`${file}: ${what}: ${detail}`, { cause: err }), e.code ? { code: e.code } : {});
}
