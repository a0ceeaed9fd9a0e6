/**
 * A small HTTP/1.1 client for plain-`http:` model endpoints (a local or
 * loopback server): one POST per pooled keep-alive connection at a time, the
 * request head and body in one write, the response parsed here (status line,
 * headers, content-length, chunked or read-until-close bodies).
 *
 * Why not node:http: profiled on the 2,000-task bench (issue 8), node:http's
 * ClientRequest/Agent/IncomingMessage machinery (streams, event emitters,
 * abort-signal plumbing, URL options) was the largest block of the runner's
 * CPU, about a quarter of it, for what is one write and one read on a reused
 * socket. https keeps using node:https (see http-post.ts).
 */
import { connect, type Socket } from 'node:net';
import type { HttpPostResponse } from './http-post.js';

/** Idle keep-alive sockets per `host:port`, most recently used last (LIFO, like the Agent's `scheduling: 'lifo'`). */
const idle = new Map<string, Socket[]>();
/** The listener that drops a pooled socket when it closes or times out while idle. */
const dropOf = new WeakMap<Socket, () => void>();

const CRLF2 = Buffer.from('\r\n\r\n');
/** A response head larger than this is refused (node:http's default limit is 16 KiB). */
const MAX_HEAD_BYTES = 64 * 1024;
/** Reading pauses while this many body bytes wait for the consumer. */
const HIGH_WATER_BYTES = 1024 * 1024;

class HttpProtocolError extends Error {
  readonly code = 'HPE_INVALID';
}

function hangUp(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new DOMException('This operation was aborted', 'AbortError');
}

/** POSTs `body` to `url` (an `http:` URL); resolves when the response head has arrived. */
export function http1Post(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<HttpPostResponse> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port ? Number(url.port) : 80;
    const key = `${host}:${port}`;
    let head = `POST ${url.pathname}${url.search} HTTP/1.1\r\n`;
    let hasHost = false;
    for (const name in headers) {
      const value = headers[name] as string;
      // node:http refuses these too: a newline in a header would smuggle a second one.
      if (/[\r\n\0]/.test(name) || /[\r\n\0]/.test(value)) {
        reject(new TypeError(`invalid character in header "${name.replace(/[\r\n\0]/g, '?')}"`));
        return;
      }
      if (name.toLowerCase() === 'host') hasHost = true;
      head += `${name}: ${value}\r\n`;
    }
    if (!hasHost) head += `host: ${url.host}\r\n`;
    head += `content-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n`;

    const socket = takeIdle(key) ?? connect({ host, port, noDelay: true });
    const exchange = new Exchange(socket, key, signal, resolve, reject);
    exchange.start(head + body);
  });
}

function takeIdle(key: string): Socket | undefined {
  const list = idle.get(key);
  for (let s = list?.pop(); s; s = list?.pop()) {
    const drop = dropOf.get(s);
    if (drop) s.off('close', drop).off('error', drop).off('end', drop).off('timeout', drop).off('data', drop);
    s.setTimeout(0);
    // It may have been paused for a slow reader when its last response ended.
    s.resume();
    if (s.destroyed || !s.writable) continue;
    s.ref();
    return s;
  }
  return undefined;
}

function putIdle(key: string, socket: Socket, keepAliveS: number | undefined): void {
  let list = idle.get(key);
  if (!list) idle.set(key, (list = []));
  const drop = (): void => {
    const i = list.indexOf(socket);
    if (i >= 0) list.splice(i, 1);
    socket.destroy();
  };
  dropOf.set(socket, drop);
  // Bytes on an idle connection are not an answer to anything: drop it rather than misread them later.
  socket.once('close', drop).once('error', drop).once('end', drop).once('data', drop);
  // The server's `Keep-Alive: timeout=N` hint: close a second early rather than race its close (as node:http does).
  if (keepAliveS !== undefined && keepAliveS > 1) socket.setTimeout((keepAliveS - 1) * 1000, drop);
  // An idle pooled connection must not keep the process alive.
  socket.unref();
  list.push(socket);
}

type Framing = 'length' | 'chunked' | 'close' | 'none';

/** One request/response on one socket. */
class Exchange {
  private headBuf: Buffer | undefined;
  private headDone = false;
  private framing: Framing = 'none';
  private remaining = 0;
  /** Chunked decoding: 'size' (reading a size line), 'data', 'data-crlf', 'trailer'. */
  private chunkState: 'size' | 'data' | 'data-crlf' | 'trailer' = 'size';
  private line = '';
  private keepAlive = true;
  private keepAliveS: number | undefined;
  private finished = false;
  private readonly body = new BodyQueue(() => this.socket.resume(), () => this.destroy(hangUp()));

  constructor(
    private readonly socket: Socket,
    private readonly key: string,
    private readonly signal: AbortSignal,
    private readonly resolve: (r: HttpPostResponse) => void,
    private readonly reject: (e: Error) => void,
  ) {}

  start(request: string): void {
    this.socket.on('data', this.onData);
    this.socket.on('error', this.onError);
    this.socket.on('close', this.onClose);
    this.signal.addEventListener('abort', this.onAbort, { once: true });
    this.socket.write(request);
  }

  private readonly onAbort = (): void => this.destroy(abortReason(this.signal));
  private readonly onError = (err: Error): void => this.fail(err);
  private readonly onClose = (): void => {
    if (this.finished) return;
    if (this.headDone && this.framing === 'close') return this.complete(false);
    this.fail(hangUp());
  };

  private destroy(err: Error): void {
    this.fail(err);
    this.socket.destroy();
  }

  private fail(err: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.detach();
    this.socket.destroy();
    if (this.headDone) this.body.fail(err);
    else this.reject(err);
  }

  private detach(): void {
    this.socket.off('data', this.onData).off('error', this.onError).off('close', this.onClose);
    this.signal.removeEventListener('abort', this.onAbort);
  }

  private complete(reusable: boolean): void {
    if (this.finished) return;
    this.finished = true;
    this.detach();
    if (reusable && this.keepAlive && !this.socket.destroyed) putIdle(this.key, this.socket, this.keepAliveS);
    else this.socket.destroy();
    this.body.end();
  }

  private readonly onData = (chunk: Buffer): void => {
    try {
      if (!this.headDone) {
        const buf = this.headBuf ? Buffer.concat([this.headBuf, chunk]) : chunk;
        const end = buf.indexOf(CRLF2);
        if (end < 0) {
          if (buf.length > MAX_HEAD_BYTES) throw new HttpProtocolError('response head too large');
          this.headBuf = buf;
          return;
        }
        this.headBuf = undefined;
        const rest = buf.subarray(end + 4);
        if (!this.parseHead(buf.toString('latin1', 0, end))) {
          // An interim 1xx response: the real one follows.
          if (rest.length > 0) this.onData(rest);
          return;
        }
        if (this.framing === 'none' || (this.framing === 'length' && this.remaining === 0)) {
          this.complete(rest.length === 0);
          return;
        }
        if (rest.length > 0) this.onBody(rest);
        return;
      }
      this.onBody(chunk);
    } catch (err) {
      this.destroy(err as Error);
    }
  };

  /** Parses a response head; false for an interim 1xx response. */
  private parseHead(text: string): boolean {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0] ?? '');
    if (!m) throw new HttpProtocolError(`malformed status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    const status = Number(m[2]);
    if (status >= 100 && status < 200) return false;
    const pairs: [string, string][] = [];
    let length: number | undefined;
    let chunked = false;
    let connection = '';
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i] as string;
      const colon = l.indexOf(':');
      if (colon <= 0) throw new HttpProtocolError('malformed header line');
      const name = l.slice(0, colon).trim().toLowerCase();
      const value = l.slice(colon + 1).trim();
      pairs.push([name, value]);
      if (name === 'content-length') {
        if (!/^\d+$/.test(value) || (length !== undefined && length !== Number(value))) throw new HttpProtocolError('bad content-length');
        length = Number(value);
      } else if (name === 'transfer-encoding') chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
      else if (name === 'connection') connection = value.toLowerCase();
      else if (name === 'keep-alive') {
        const t = /timeout=(\d+)/i.exec(value);
        if (t) this.keepAliveS = Number(t[1]);
      }
    }
    this.keepAlive = m[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    if (status === 204 || status === 304) this.framing = 'none';
    else if (chunked) this.framing = 'chunked';
    else if (length !== undefined) {
      this.framing = 'length';
      this.remaining = length;
    } else {
      this.framing = 'close';
      this.keepAlive = false;
    }
    this.headDone = true;
    const body = this.body;
    this.resolve({
      status,
      ok: status >= 200 && status < 300,
      get headers() {
        const h = new Headers();
        for (const [k, v] of pairs) h.append(k, v);
        return h;
      },
      body,
      async text() {
        const decoder = new TextDecoder();
        let out = '';
        for await (const c of body) out += decoder.decode(c, { stream: true });
        return out + decoder.decode();
      },
    });
    return true;
  }

  private onBody(chunk: Buffer): void {
    if (this.finished) return;
    if (this.framing === 'close') return this.push(chunk);
    if (this.framing === 'length') {
      if (chunk.length >= this.remaining) {
        if (this.remaining > 0) this.push(chunk.subarray(0, this.remaining));
        const extra = chunk.length > this.remaining;
        this.remaining = 0;
        // Bytes past the body on a connection we did not ask more of: do not reuse it.
        this.complete(!extra);
        return;
      }
      this.remaining -= chunk.length;
      this.push(chunk);
      return;
    }
    this.onChunked(chunk);
  }

  private onChunked(buf: Buffer): void {
    let i = 0;
    while (i < buf.length && !this.finished) {
      if (this.chunkState === 'data') {
        const n = Math.min(this.remaining, buf.length - i);
        this.push(buf.subarray(i, i + n));
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) this.chunkState = 'data-crlf';
        continue;
      }
      // Line-oriented states: the size line, the CRLF after data, trailer lines.
      const nl = buf.indexOf(10, i);
      const piece = buf.toString('latin1', i, nl < 0 ? buf.length : nl + 1);
      i = nl < 0 ? buf.length : nl + 1;
      this.line += piece;
      if (this.line.length > 8192) throw new HttpProtocolError('chunk line too long');
      if (nl < 0) return;
      const line = this.line.replace(/\r?\n$/, '');
      this.line = '';
      if (this.chunkState === 'data-crlf') {
        if (line !== '') throw new HttpProtocolError('missing CRLF after chunk');
        this.chunkState = 'size';
      } else if (this.chunkState === 'size') {
        const size = /^([0-9a-fA-F]+)\s*(?:;.*)?$/.exec(line);
        if (!size) throw new HttpProtocolError('bad chunk size');
        this.remaining = parseInt(size[1] as string, 16);
        this.chunkState = this.remaining === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        // The blank line after the trailers ends the body.
        this.complete(i === buf.length);
        return;
      }
    }
  }

  private push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.body.push(chunk) > HIGH_WATER_BYTES) this.socket.pause();
  }
}

/** The response body as an async iterable of chunks, fed by the socket. */
class BodyQueue implements AsyncIterable<Uint8Array> {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private done = false;
  private error: Error | undefined;
  private waiter: { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (e: Error) => void } | undefined;

  constructor(
    private readonly onDrain: () => void,
    private readonly onDestroy: () => void,
  ) {}

  /** Queues a chunk; returns the bytes now waiting. */
  push(chunk: Buffer): number {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.resolve({ value: chunk, done: false });
      return this.bytes;
    }
    this.chunks.push(chunk);
    return (this.bytes += chunk.length);
  }

  end(): void {
    this.done = true;
    const w = this.waiter;
    this.waiter = undefined;
    w?.resolve({ value: undefined, done: true });
  }

  fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.error = err;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
  }

  /** The consumer gives up: the connection is dropped, never reused half-read. */
  destroy(): void {
    if (this.done && !this.error) return;
    this.onDestroy();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => {
        const c = this.chunks.shift();
        if (c) {
          const before = this.bytes;
          this.bytes -= c.length;
          if (before > HIGH_WATER_BYTES && this.bytes <= HIGH_WATER_BYTES) this.onDrain();
          return Promise.resolve({ value: c, done: false });
        }
        if (this.error) return Promise.reject(this.error);
        if (this.done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
      },
      return: () => {
        this.destroy();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
