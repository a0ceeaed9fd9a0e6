import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { redact, registeredSecretSpellings } from '../events/secrets.js';

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
    text = redact(text);
    try {
      if (this.fd === undefined) {
        mkdirSync(dirname(this.file), { recursive: true });
        this.fd = openSync(this.file, 'a');
      }
      writeSync(this.fd, text);
    } catch (err) {
      throw new Error(`${this.file}: cannot append: ${(err as Error).message}`, { cause: err });
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
    try {
      if (this.fd === undefined) {
        mkdirSync(dirname(this.file), { recursive: true });
        this.fd = openSync(this.file, 'a');
      }
      writeSync(this.fd, line);
    } catch (err) {
      throw new Error(`${this.file}: cannot append: ${(err as Error).message}`, { cause: err });
    }
  }

  close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}
