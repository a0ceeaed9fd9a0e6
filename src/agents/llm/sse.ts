/**
 * Incremental Server-Sent Events parser (WHATWG HTML, "event stream
 * interpretation") for fetch() bodies: chunks may split anywhere, lines may end
 * in `\n`, `\r\n` or `\r`, and `data:` lines of one event are joined by `\n`.
 * The OpenAI `[DONE]` sentinel is just an event's data here; callers check it.
 */

export interface SseEvent {
  /** The `event:` field; `message` when absent. */
  event: string;
  /** All `data:` lines of the event joined by `\n`. */
  data: string;
  /** The last `id:` field seen, if any. */
  id?: string;
}

export class SseParser {
  private buffer = '';
  /** The previous chunk ended in `\r`; a leading `\n` of the next belongs to it. */
  private pendingCr = false;
  private dataLines: string[] = [];
  private eventType = '';
  private lastId: string | undefined;

  /** Feeds decoded text; returns the events completed by it. */
  push(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    let start = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (text.charCodeAt(0) === 10) start = 1;
    }
    let buf = this.buffer;
    const scanFrom = buf.length;
    buf += start === 0 ? text : text.slice(start);
    let lineStart = 0;
    for (let i = scanFrom; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(buf.slice(lineStart, i), out);
      if (c === 13) {
        if (i + 1 < buf.length) {
          if (buf.charCodeAt(i + 1) === 10) i++;
        } else {
          this.pendingCr = true;
        }
      }
      lineStart = i + 1;
    }
    this.buffer = lineStart === 0 ? buf : buf.slice(lineStart);
    return out;
  }

  /**
   * Ends the stream. A last line without a newline, and an event without its
   * closing blank line, are still delivered: some servers omit them.
   */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.buffer.length > 0) {
      this.line(this.buffer, out);
      this.buffer = '';
    }
    this.line('', out);
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line.length === 0) {
      if (this.dataLines.length > 0) {
        const event: SseEvent = { event: this.eventType || 'message', data: this.dataLines.join('\n') };
        if (this.lastId !== undefined) event.id = this.lastId;
        out.push(event);
      }
      this.dataLines = [];
      this.eventType = '';
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data':
        this.dataLines.push(value);
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      default:
        break; // `retry` and unknown fields are ignored
    }
  }
}

/**
 * Reads a response body as SSE events: a fetch() ReadableStream, or a
 * node:http response (any async iterable of bytes with `destroy()`).
 * Rejections of the reader propagate unchanged.
 */
export async function* readSseEvents(
  body: ReadableStream<Uint8Array> | (AsyncIterable<Uint8Array> & { destroy(): void }),
): AsyncGenerator<SseEvent, void, undefined> {
  for await (const events of readSseBatches(body)) for (const event of events) yield event;
}

/**
 * As readSseEvents, but one array per chunk read: a consumer iterating
 * events one by one pays an async-generator round trip per event (several
 * microtasks), which profiled at a few percent of a task run's CPU (issue 8);
 * a whole short reply usually arrives in one chunk. Never yields an empty array.
 */
export async function* readSseBatches(
  body: ReadableStream<Uint8Array> | (AsyncIterable<Uint8Array> & { destroy(): void }),
): AsyncGenerator<SseEvent[], void, undefined> {
  if (!('getReader' in body)) {
    yield* readIterable(body);
    return;
  }
  const parser = new SseParser();
  const decoder = new TextDecoder('utf-8');
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const events = parser.push(decoder.decode(value, { stream: true }));
      if (events.length > 0) yield events;
    }
    finished = true;
    yield* finish(parser, decoder);
  } finally {
    if (!finished) {
      // The consumer stopped early (e.g. after `[DONE]`) or the read failed: release the connection.
      reader.cancel().catch(() => undefined);
    } else {
      reader.releaseLock();
    }
  }
}

/** The events the end of the stream completes, as at most one batch. */
function* finish(parser: SseParser, decoder: InstanceType<typeof TextDecoder>): Generator<SseEvent[], void, undefined> {
  const tail = decoder.decode();
  const events = tail.length > 0 ? parser.push(tail) : [];
  events.push(...parser.end());
  if (events.length > 0) yield events;
}

async function* readIterable(body: AsyncIterable<Uint8Array> & { destroy(): void }): AsyncGenerator<SseEvent[], void, undefined> {
  const parser = new SseParser();
  const decoder = new TextDecoder('utf-8');
  let finished = false;
  try {
    for await (const chunk of body) {
      const events = parser.push(decoder.decode(chunk, { stream: true }));
      if (events.length > 0) yield events;
    }
    finished = true;
    yield* finish(parser, decoder);
  } finally {
    // The consumer stopped early or the read failed: drop the connection rather than reuse a half-read one.
    if (!finished) body.destroy();
  }
}
