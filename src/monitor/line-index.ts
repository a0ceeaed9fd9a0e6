import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';

const SLICE_BYTES = 1 << 20;
const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * issue 17: the lines of a JSONL file by one string field (a transcript's
 * `test_id`), indexed as byte ranges on first use and extended as the file
 * grows, so opening one sample of a 100,000-turn run reads its few lines, not
 * the whole file, and never blocks the event loop.
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
  ) {
    this.pattern = new RegExp(`"${field}":("(?:[^"\\\\]|\\\\.)*")`);
  }

  /** The parsed lines whose field equals `key`, in file order. */
  async find(key: string): Promise<Record<string, unknown>[]> {
    const ranges = await this.update().then(() => this.lines.get(key) ?? []);
    if (!ranges.length) return [];
    const fh = await open(this.file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const out: Record<string, unknown>[] = [];
      for (const [at, length] of ranges) {
        const buf = Buffer.alloc(length);
        await fh.read(buf, 0, length, at);
        try {
          out.push(JSON.parse(buf.toString('utf8')) as Record<string, unknown>);
        } catch {
          // replaced under us: skip the line
        }
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
    const fh = await open(this.file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const buf = Buffer.alloc(SLICE_BYTES);
      let carry = Buffer.alloc(0);
      let base = this.indexed;
      while (base + carry.length < size) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - base - carry.length), base + carry.length);
        if (bytesRead === 0) break;
        const bytes = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
        let start = 0;
        let nl = bytes.indexOf(10);
        while (nl !== -1) {
          this.add(bytes, start, nl, base);
          start = nl + 1;
          nl = bytes.indexOf(10, start);
        }
        // A line still being written waits for its newline.
        carry = Buffer.from(bytes.subarray(start));
        base += start;
        this.indexed = base;
        await yieldToLoop();
      }
    } finally {
      await fh.close();
    }
  }

  private add(bytes: Buffer, start: number, end: number, base: number): void {
    // The field comes early; a long value is looked for in the whole line.
    const m = this.pattern.exec(bytes.toString('utf8', start, Math.min(end, start + 512))) ?? this.pattern.exec(bytes.toString('utf8', start, end));
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
    list.push([base + start, end - start]);
  }
}
