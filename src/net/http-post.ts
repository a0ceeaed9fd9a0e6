/**
 * A POST over node:http(s) with keep-alive, in the shape the OpenAI client
 * reads. It replaces fetch() because, profiled on the 2,000-task bench
 * (issue 8), undici's fetch and its WHATWG streams were the largest single
 * cost per call (about a quarter of the CPU time); node:http streams the
 * same bytes for a fraction of it; plain `http:` goes further, through the
 * small client of http1-client.ts (node:http's own machinery was then the
 * largest cost). A request that HTTP(S)_PROXY sends through a proxy (and
 * NO_PROXY does not exempt) goes over node:http(s) with the proxy's agent
 * (src/net/proxy.ts, issue 22).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { proxyAgentFor } from './proxy.js';
import { http1Post } from './http1-client.js';

export interface HttpPostResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  /** The body as it arrives. */
  body: AsyncIterable<Uint8Array> & { destroy(): void };
  /** The whole body as text (error responses). */
  text(): Promise<string>;
}

// One pool per process: calls to the same endpoint reuse their connections (http1-client.ts keeps its own for http:).
const httpsAgent = new HttpsAgent({ keepAlive: true, scheduling: 'lifo' });

/** POSTs `body`; resolves when the response head arrives. Rejects on a network error or abort. */
export function httpPost(url: string, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<HttpPostResponse> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch (err) {
      reject(err as Error);
      return;
    }
    const secure = u.protocol === 'https:';
    if (!secure && u.protocol !== 'http:') {
      reject(new Error(`unsupported protocol ${u.protocol}`));
      return;
    }
    let proxyAgent;
    try {
      proxyAgent = proxyAgentFor(u);
    } catch (err) {
      reject(err as Error);
      return;
    }
    if (!secure && !proxyAgent) {
      http1Post(u, headers, body, signal).then(resolve, reject);
      return;
    }
    const req = (secure ? httpsRequest : httpRequest)(
      u,
      {
        method: 'POST',
        agent: proxyAgent ?? httpsAgent,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal,
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        resolve({
          status,
          ok: status >= 200 && status < 300,
          get headers() {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              if (v === undefined) continue;
              for (const one of Array.isArray(v) ? v : [v]) h.append(k, one);
            }
            return h;
          },
          body: res,
          async text() {
            let out = '';
            res.setEncoding('utf8');
            for await (const chunk of res) out += chunk as string;
            return out;
          },
        });
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}
