// The plain-http client (http1-client.ts) against a real TCP server that
// answers with hand-written HTTP/1.1 responses, delivered in awkward pieces.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpPost } from '../../src/net/http-post.js';

interface Raw {
  url: string;
  /** Requests received, as text, one entry per request. */
  requests: string[];
  /** Distinct client connections seen. */
  connections: number;
  server: Server;
}

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  // The client pools idle connections; close() alone would wait for them.
  for (const s of sockets) s.destroy();
  sockets.clear();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/**
 * A server that reads each request (head + content-length body) and answers with
 * `respond(n)` (n = 0-based request number): a list of byte pieces written with a
 * pause between them, optionally closing the socket afterwards.
 */
async function rawServer(respond: (n: number) => { pieces: (string | Buffer)[]; close?: boolean }): Promise<Raw> {
  const raw: Raw = { url: '', requests: [], connections: 0, server: createServer() };
  raw.server.on('connection', (socket: Socket) => {
    raw.connections++;
    sockets.add(socket);
    let buf = Buffer.alloc(0);
    socket.on('data', async (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.toString('latin1', 0, end);
        const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        raw.requests.push(buf.toString('utf8', 0, end + 4 + len));
        buf = buf.subarray(end + 4 + len);
        const { pieces, close } = respond(raw.requests.length - 1);
        for (const p of pieces) {
          socket.write(p);
          await new Promise((r) => setTimeout(r, 2));
        }
        if (close) socket.end();
      }
    });
    socket.on('error', () => {});
  });
  servers.push(raw.server);
  await new Promise<void>((r) => raw.server.listen(0, '127.0.0.1', r));
  raw.url = `http://127.0.0.1:${(raw.server.address() as AddressInfo).port}/v1/chat/completions`;
  return raw;
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString('utf8');
}

const post = (url: string, body = '{"x":1}', signal = new AbortController().signal) => httpPost(url, { 'content-type': 'application/json' }, body, signal);

describe('http1 client', () => {
  it('sends one well-formed request and reads a chunked body split at every awkward place', async () => {
    const body = 'data: {"a":"é"}\n\ndata: [DONE]\n\n';
    const bytes = Buffer.from(body);
    const wire = Buffer.concat([
      Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n'),
      Buffer.from(`${(10).toString(16)};ext=1\r\n`),
      bytes.subarray(0, 10),
      Buffer.from(`\r\n${(bytes.length - 10).toString(16)}\r\n`),
      bytes.subarray(10),
      Buffer.from('\r\n0\r\nx-trailer: 1\r\n\r\n'),
    ]);
    // One byte at a time: heads, chunk sizes, a UTF-8 character and CRLFs all split.
    const raw = await rawServer(() => ({ pieces: [...wire].map((b) => Buffer.from([b])) }));
    const res = await post(raw.url, '{"q":"ü"}');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(await readAll(res.body)).toBe(body);
    const req = raw.requests[0] as string;
    expect(req.startsWith('POST /v1/chat/completions HTTP/1.1\r\n')).toBe(true);
    expect(req).toMatch(/\r\nhost: 127\.0\.0\.1:\d+\r\n/);
    expect(req).toContain('content-length: 10\r\n');
    expect(req.endsWith('\r\n\r\n{"q":"ü"}')).toBe(true);
  });

  it('reuses the connection for the next call after a complete body, and not after `connection: close`', async () => {
    const raw = await rawServer((n) => ({
      pieces: [n === 1 ? 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok' : 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'],
      close: n === 1,
    }));
    for (let i = 0; i < 4; i++) expect(await readAll((await post(raw.url)).body)).toBe('ok');
    // Calls 0 and 1 share one connection; 1 asked to close, so 2 and 3 share a second.
    expect(raw.connections).toBe(2);
  });

  it('gives error responses their status, headers and text', async () => {
    const raw = await rawServer(() => ({ pieces: ['HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\ncontent-length: 9\r\n\r\n', 'slow down'] }));
    const res = await post(raw.url);
    expect(res.ok).toBe(false);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.text()).toBe('slow down');
  });

  it('skips an interim 100 response and reads a body that ends with the connection', async () => {
    const raw = await rawServer(() => ({ pieces: ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\npart one, ', 'part two'], close: true }));
    const res = await post(raw.url);
    expect(res.status).toBe(200);
    expect(await readAll(res.body)).toBe('part one, part two');
  });

  it('fails the body when the server hangs up mid-stream, and the call when it hangs up before answering', async () => {
    const mid = await rawServer(() => ({ pieces: ['HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly this'], close: true }));
    const res = await post(mid.url);
    await expect(readAll(res.body)).rejects.toThrow(/socket hang up/);
    const none = await rawServer(() => ({ pieces: [], close: true }));
    await expect(post(none.url)).rejects.toThrow(/socket hang up/);
  });

  it('rejects a malformed response and a header value with a newline', async () => {
    const raw = await rawServer(() => ({ pieces: ['SMTP ready\r\n\r\n'] }));
    await expect(post(raw.url)).rejects.toThrow(/malformed status line/);
    await expect(httpPost(raw.url, { 'x-evil': 'a\r\nx-injected: 1' }, '', new AbortController().signal)).rejects.toThrow(/invalid character/);
  });

  it('aborts a call waiting for its answer, and a body being read', async () => {
    const silent = await rawServer(() => ({ pieces: [] }));
    const a = new AbortController();
    const pending = post(silent.url, '{}', a.signal);
    setTimeout(() => a.abort(new DOMException('call timed out', 'TimeoutError')), 20);
    await expect(pending).rejects.toThrow(/call timed out/);

    const slow = await rawServer(() => ({ pieces: ['HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nstart'] }));
    const b = new AbortController();
    const res = await post(slow.url, '{}', b.signal);
    const reading = readAll(res.body);
    setTimeout(() => b.abort(), 20);
    await expect(reading).rejects.toThrow(/abort/i);
  });

  it('refuses a connection it cannot make with the system error', async () => {
    const raw = await rawServer(() => ({ pieces: [] }));
    await new Promise((r) => raw.server.close(r));
    servers.splice(servers.indexOf(raw.server), 1);
    await expect(post(raw.url)).rejects.toThrow(/ECONNREFUSED/);
  });
});
