import { stat } from 'node:fs/promises';
import { MAX_LINE_BYTES, parseLine, utf8Boundary } from './bounded-lines.js';
import { openInside } from './safe-read.js';

const SLICE_BYTES = 1 << 20;
/** Where the field is looked for first; a line whose field comes later is searched up to the line bound. */
const KEY_HEAD_BYTES = 512;
const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * issue 17: the lines of a JSONL file by one string field (a transcript's
 * `test_id`), indexed as byte ranges on first use and extended as the file
 * grows, so opening one sample of a 100,000-turn run reads its few lines, not
 * the whole file, and never blocks the event loop.
 *
 * Issue 24: memory stays bounded whatever the lines' length: indexing keeps
 * at most `maxLine` bytes of a line (where its field is looked for), and a
 * line longer than that is read back from its first `maxLine` bytes, its
 * record marked `truncated_line` with the cut string ending in a marker
 * (bounded-lines.ts). With `root`, a file reached through a symlink that
 * leaves that directory is not read.
 */
export class JsonlLineIndex {
  private indexed = 0;
  private readonly lines = new Map<string, [number, number][]>();
  private readonly pattern: RegExp;
  private building: Promise<void> | undefined;

  /** `field` must come before any model-written text in each line (RunDirWriter writes `test_id` second). */
  constructor(
    readonly file: string,
    field: string,
    private readonly root?: string,
    private readonly maxLine = MAX_LINE_BYTES,
  ) {
    this.pattern = new RegExp(`"${field}":("(?:[^"\\\\]|\\\\.)*")`);
  }

  /** The parsed lines whose field equals `key`, in file order. */
  async find(key: string): Promise<Record<string, unknown>[]> {
    const ranges = await this.update().then(() => this.lines.get(key) ?? []);
    if (!ranges.length) return [];
    const fh = await openInside(this.file, this.root);
    if (!fh) return [];
    try {
      const out: Record<string, unknown>[] = [];
      for (const [at, length] of ranges) {
        const kept = Math.min(length, this.maxLine);
        const buf = Buffer.alloc(kept);
        const { bytesRead } = await fh.read(buf, 0, kept, at);
        const truncated = length > kept;
        const text = buf.toString('utf8', 0, truncated ? utf8Boundary(buf.subarray(0, bytesRead)) : bytesRead);
        const record = parseLine({ text, bytes: length, truncated });
        // A line that no longer parses was replaced under us: skipped.
        if (record) out.push(record);
      }
      return out;
    } finally {
      await fh.close();
    }
  }

  private update(): Promise<void> {
    this.building ??= this.extend().finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  /** Indexes the complete lines appended since the last call, a slice at a time. */
  private async extend(): Promise<void> {
    let size: number;
    try {
      const st = await stat(this.file);
      if (!st.isFile()) return;
      size = st.size;
    } catch {
      return;
    }
    if (size < this.indexed) {
      this.indexed = 0;
      this.lines.clear();
    }
    if (size === this.indexed) return;
    const fh = await openInside(this.file, this.root);
    if (!fh) return;
    try {
      if (!(await fh.stat()).isFile()) return;
      const buf = Buffer.alloc(SLICE_BYTES);
      /** The line in progress: where it starts, and its first bytes (at most maxLine). */
      let lineStart = this.indexed;
      let head: Buffer[] = [];
      let headBytes = 0;
      let at = this.indexed;
      while (at < size) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - at), at);
        if (bytesRead === 0) break;
        const chunk = buf.subarray(0, bytesRead);
        let start = 0;
        for (;;) {
          const nl = chunk.indexOf(10, start);
          const end = nl === -1 ? chunk.length : nl;
          const room = this.maxLine - headBytes;
          if (room > 0 && end > start) {
            const part = Buffer.from(chunk.subarray(start, start + Math.min(room, end - start)));
            head.push(part);
            headBytes += part.length;
          }
          if (nl === -1) break;
          this.add(head.length === 1 ? head[0]! : Buffer.concat(head, headBytes), lineStart, at + nl - lineStart);
          head = [];
          headBytes = 0;
          lineStart = at + nl + 1;
          start = nl + 1;
        }
        at += bytesRead;
        // A line still being written waits for its newline: the next call reads it again from its start.
        this.indexed = lineStart;
        await yieldToLoop();
      }
    } finally {
      await fh.close();
    }
  }

  private add(head: Buffer, at: number, length: number): void {
    // The field comes early; a long value is looked for in what is kept of the line.
    const text = (n: number): string => head.toString('utf8', 0, n < head.length ? utf8Boundary(head.subarray(0, n)) : head.length);
    const m = this.pattern.exec(text(KEY_HEAD_BYTES)) ?? (head.length > KEY_HEAD_BYTES ? this.pattern.exec(text(head.length)) : null);
    if (!m) return;
    let key: unknown;
    try {
      key = JSON.parse(m[1]!);
    } catch {
      return;
    }
    if (typeof key !== 'string') return;
    let list = this.lines.get(key);
    if (!list) this.lines.set(key, (list = []));
    list.push([at, length]);
  }
}
