/**
 * The monitor reads JSONL lines of bounded size. A line longer than
 * MAX_LINE_BYTES (an agent that streamed 200 MB into one event, a transcript
 * with a runaway answer) is never held whole: its first MAX_LINE_BYTES are
 * kept, the rest is counted and skipped, and the kept prefix is read as JSON
 * by closing what it left open. The record it gives carries `truncated_line`
 * ({bytes, kept}), and the string it was cut in ends with a visible marker.
 */

/** The longest line the monitor reads whole: 1 MiB. */
export const MAX_LINE_BYTES = 1 << 20;

/** One line: its text (all of it, or its first bytes) and its full length in bytes. */
export interface LinePiece {
  text: string;
  bytes: number;
  truncated: boolean;
}

/** What a record read from a cut line carries: the line's length and the bytes read of it. */
export interface TruncatedLine {
  bytes: number;
  kept: number;
}

/** Length of the prefix of `bytes` that ends on a UTF-8 character boundary. */
export function utf8Boundary(bytes: Buffer): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/**
 * Splits a byte stream into lines, holding at most `maxLine` bytes of the line
 * in progress whatever its length. Lines are cut at the newline byte, which
 * never occurs inside a multi-byte UTF-8 character, so each is decoded whole.
 */
export class LineSplitter {
  private head: Buffer[] = [];
  private headBytes = 0;
  private lineBytes = 0;

  constructor(private readonly maxLine = MAX_LINE_BYTES) {}

  /** Bytes of the line in progress (the part after the last newline fed). */
  get pendingBytes(): number {
    return this.lineBytes;
  }

  /** Feeds `chunk` (which may be reused by the caller afterwards); `onLine` gets each line it completes. */
  push(chunk: Buffer, onLine: (line: LinePiece) => void): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? chunk.length : nl;
      const n = end - start;
      this.lineBytes += n;
      const room = this.maxLine - this.headBytes;
      if (room > 0 && n > 0) {
        const part = Buffer.from(chunk.subarray(start, start + Math.min(room, n)));
        this.head.push(part);
        this.headBytes += part.length;
      }
      if (nl === -1) return;
      onLine(this.take());
      start = nl + 1;
    }
  }

  /** Hands on the line in progress as the last line (a file read to its end whose last line has no newline). */
  flush(onLine: (line: LinePiece) => void): void {
    if (this.lineBytes > 0) onLine(this.take());
  }

  /** Forgets the line in progress (the file was replaced). */
  reset(): void {
    this.head = [];
    this.headBytes = 0;
    this.lineBytes = 0;
  }

  private take(): LinePiece {
    const head = this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head, this.headBytes);
    const truncated = this.lineBytes > this.headBytes;
    const piece = { text: head.toString('utf8', 0, truncated ? utf8Boundary(head) : head.length), bytes: this.lineBytes, truncated };
    this.reset();
    return piece;
  }
}

/** The marker a cut string ends with. */
export function truncationMarker(bytes: number, kept: number): string {
  // ASCII only: a cut one-byte string stays one byte per character in V8 (half the memory of a two-byte one).
  return ` ...[line cut by the monitor: ${formatBytes(bytes)}, the first ${formatBytes(kept)} shown]`;
}

function formatBytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} bytes`;
}

const WS = new Set([' ', '\t', '\n', '\r']);

/**
 * The JSON document a cut-off JSON text begins, closed where it was cut: a
 * string value cut in the middle keeps its text (then `marker`), anything
 * else cut in the middle (a key, a number, a literal) is dropped back to the
 * last complete value. Undefined when nothing of a document survives.
 */
export function closeJsonPrefix(text: string, marker = ''): unknown {
  const stack: string[] = [];
  /** In an object, whether the next string is a key. */
  const expectKey: boolean[] = [];
  let inString = false;
  let stringIsKey = false;
  let escapeAt = -1;
  /** The text up to the last place a cut leaves valid JSON, and the depth there. */
  let safeAt = -1;
  let safeDepth = 0;
  let inScalar = false;
  const valueDone = (at: number): void => {
    safeAt = at;
    safeDepth = stack.length;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (escapeAt !== -1) {
        // \uXXXX takes four more characters; any other escape one.
        if (text[escapeAt + 1] !== 'u' || i >= escapeAt + 5) escapeAt = -1;
        continue;
      }
      if (c === '\\') escapeAt = i;
      else if (c === '"') {
        inString = false;
        if (!stringIsKey) valueDone(i + 1);
      }
      continue;
    }
    if (inScalar) {
      if (WS.has(c) || c === ',' || c === ']' || c === '}') {
        inScalar = false;
        valueDone(i);
      } else continue;
    }
    if (WS.has(c)) continue;
    const top = stack.length - 1;
    if (c === '{' || c === '[') {
      stack.push(c === '{' ? '}' : ']');
      expectKey.push(c === '{');
      valueDone(i + 1);
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey.pop();
      valueDone(i + 1);
      if (stack.length === 0) break;
    } else if (c === '"') {
      inString = true;
      stringIsKey = top >= 0 && expectKey[top] === true;
      if (stringIsKey) expectKey[top] = false;
    } else if (c === ',') {
      if (top >= 0 && stack[top] === '}') expectKey[top] = true;
    } else if (c === ':') {
      // the value follows
    } else inScalar = true;
  }
  const closers = (depth: number): string => stack.slice(0, depth).reverse().join('');
  let closed: string | undefined;
  if (inString && !stringIsKey) {
    const cut = escapeAt === -1 ? text.length : escapeAt;
    closed = `${text.slice(0, cut)}${marker.replace(/["\\]/g, '')}"${closers(stack.length)}`;
  } else if (safeAt !== -1) {
    closed = text.slice(0, safeAt) + closers(safeDepth);
  }
  if (closed === undefined) return undefined;
  try {
    return JSON.parse(closed) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A JSONL line as a record: parsed whole, or (cut) from its kept prefix with
 * `truncated_line` added (only that, when the prefix holds no object).
 * Undefined for a whole line that is not a JSON object.
 */
export function parseLine(piece: LinePiece): Record<string, unknown> | undefined {
  // A cut line keeps its end as it was cut (spaces inside the string cut included).
  const line = piece.truncated ? piece.text.trimStart() : piece.text.trim();
  if (!line) return undefined;
  let value: unknown;
  if (!piece.truncated) {
    try {
      value = JSON.parse(line);
    } catch {
      return undefined;
    }
  } else {
    const kept = Buffer.byteLength(piece.text);
    value = closeJsonPrefix(line, truncationMarker(piece.bytes, kept));
    const truncated: TruncatedLine = { bytes: piece.bytes, kept };
    // Even a prefix that holds no object stands for its line: the marker is what is seen of it.
    return value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>), truncated_line: truncated } : { truncated_line: truncated };
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
