import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';

const CHUNK_BYTES = 1 << 20;

/**
 * Follows a JSONL file another process appends to. Reads only the bytes added
 * since the last call (a byte offset, never the whole file again), keeps an
 * incomplete last line until its newline arrives (a torn tail is normal while
 * the writer is mid-line), and starts over if the file is replaced by a
 * shorter one. A complete line that is not JSON is counted and skipped: the
 * monitor shows what it can rather than stopping.
 */
export class JsonlTail {
  private offset = 0;
  private partial = '';
  private reading: Promise<Record<string, unknown>[]> | undefined;
  /** The file's size at the last read. */
  private sizeSeen = 0;
  /** Complete lines that did not parse as a JSON object. */
  corruptLines = 0;

  constructor(readonly file: string) {}

  /** Bytes consumed so far (complete lines plus a pending partial one). */
  get position(): number {
    return this.offset;
  }

  /** Bytes the file held at the last read that are not consumed yet. */
  get behind(): number {
    return Math.max(0, this.sizeSeen - this.offset);
  }

  /**
   * The records appended since the previous call; concurrent calls share one read.
   * `maxBytes` stops after about that many bytes (issue 17: a 100,000-turn file is
   * folded a slice at a time, the event loop free between slices); `behind` tells
   * whether more is waiting.
   */
  readNew(maxBytes = Infinity): Promise<Record<string, unknown>[]> {
    if (this.reading) return this.reading.then(() => this.readNew(maxBytes));
    this.reading = this.doRead(maxBytes).finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async doRead(maxBytes: number): Promise<Record<string, unknown>[]> {
    let size: number;
    try {
      const st = await stat(this.file);
      // issue 14: opening a FIFO would hold a thread-pool thread until someone writes to it.
      if (!st.isFile()) return [];
      size = st.size;
    } catch {
      return [];
    }
    this.sizeSeen = size;
    if (size < this.offset) {
      // Replaced or truncated: what we had no longer describes this file.
      this.offset = 0;
      this.partial = '';
    }
    if (size === this.offset) return [];
    const end = Math.min(size, this.offset + maxBytes);
    const out: Record<string, unknown>[] = [];
    const fh = await open(this.file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const buf = Buffer.alloc(Math.min(CHUNK_BYTES, end - this.offset));
      // A multi-byte character may straddle two chunks; keep the undecoded bytes.
      let carry: Buffer = Buffer.alloc(0);
      while (this.offset < end) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - this.offset), this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        const bytes: Buffer = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
        const cut = lastCompleteUtf8(bytes);
        carry = Buffer.from(bytes.subarray(cut));
        this.partial += bytes.subarray(0, cut).toString('utf8');
        this.drainLines(out);
      }
      if (carry.length) {
        // Leave the incomplete character for the next read.
        this.offset -= carry.length;
      }
    } finally {
      await fh.close();
    }
    return out;
  }

  private drainLines(out: Record<string, unknown>[]): void {
    let nl = this.partial.indexOf('\n');
    let start = 0;
    while (nl !== -1) {
      const line = this.partial.slice(start, nl).trim();
      if (line) {
        try {
          const v: unknown = JSON.parse(line);
          if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
          else this.corruptLines++;
        } catch {
          this.corruptLines++;
        }
      }
      start = nl + 1;
      nl = this.partial.indexOf('\n', start);
    }
    this.partial = this.partial.slice(start);
  }
}

/** Length of the prefix of `bytes` that ends on a UTF-8 character boundary. */
function lastCompleteUtf8(bytes: Buffer): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}
