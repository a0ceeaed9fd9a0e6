import { stat } from 'node:fs/promises';
import { LineSplitter, MAX_LINE_BYTES, parseLine } from './bounded-lines.js';
import { openInside } from './safe-read.js';

const CHUNK_BYTES = 1 << 20;

/**
 * Follows a JSONL file another process appends to. Reads only the bytes added
 * since the last call (a byte offset, never the whole file again), keeps an
 * incomplete last line until its newline arrives (a torn tail is normal while
 * the writer is mid-line), and starts over if the file is replaced by a
 * shorter one. A complete line that is not JSON is counted and skipped: the
 * monitor shows what it can rather than stopping.
 *
 * Issue 24: a line longer than `maxLine` (1 MiB) is never held whole: it is
 * read from its first `maxLine` bytes, its record marked `truncated_line`
 * (bounded-lines.ts). With `root`, a file reached through a symlink that
 * leaves that directory is not read.
 */
export class JsonlTail {
  private offset = 0;
  private readonly lines: LineSplitter;
  /** The read buffer, reused: a file read a slice at a time allocates nothing per slice. */
  private buf: Buffer | undefined;
  private reading: Promise<Record<string, unknown>[]> | undefined;
  /** The file's size at the last read. */
  private sizeSeen = 0;
  /** Complete lines that did not parse as a JSON object. */
  corruptLines = 0;
  /** Lines longer than the bound, read from their first bytes. */
  truncatedLines = 0;

  constructor(
    readonly file: string,
    private readonly root?: string,
    maxLine = MAX_LINE_BYTES,
  ) {
    this.lines = new LineSplitter(maxLine);
  }

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
      this.lines.reset();
    }
    if (size === this.offset) return [];
    const end = Math.min(size, this.offset + maxBytes);
    const out: Record<string, unknown>[] = [];
    const fh = await openInside(this.file, this.root);
    if (!fh) return [];
    try {
      if (!(await fh.stat()).isFile()) return [];
      // Sized to what is read (a small run's file is a few KiB), grown up to a MiB, kept for the next read.
      const want = Math.min(CHUNK_BYTES, end - this.offset);
      if (!this.buf || this.buf.length < want) this.buf = Buffer.allocUnsafe(want);
      const buf = this.buf;
      while (this.offset < end) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - this.offset), this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.lines.push(buf.subarray(0, bytesRead), (piece) => {
          if (!piece.text.trim() && !piece.truncated) return;
          if (piece.truncated) this.truncatedLines++;
          const record = parseLine(piece);
          if (record) out.push(record);
          else this.corruptLines++;
        });
      }
    } finally {
      await fh.close();
    }
    return out;
  }
}
