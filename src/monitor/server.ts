import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { MonitorHub } from './hub.js';
export { formatSse } from './sse-format.js';
import { allowedHostNames, bearerToken, hostAllowed, originAllowed } from './request-guard.js';
import { fail, SECURITY_HEADERS, sendJson } from './http-reply.js';
import { apiRoutes } from './routes.js';
import { SseClients } from './sse-clients.js';
import { assetDir, webBundle } from './asset-paths.js';

export interface MonitorOptions {
  /** Root holding the run directories. @default "runs" */
  runsDir?: string;
  /** TCP port; 0 picks a free one. @default 8080 */
  port?: number;
  /** Interface to bind. Anything but loopback requires `token`. @default "127.0.0.1" */
  host?: string;
  /** Required as `Authorization: Bearer <token>` or `?token=` on /api/* when set. */
  token?: string;
  /** Milliseconds between SSE heartbeat comments (keeps proxies from closing idle streams). @default 15000 */
  heartbeatMs?: number;
  /** Milliseconds between polls of growing event files (beside fs.watch). @default 250 */
  pollMs?: number;
  /** Milliseconds between scans for new run directories. @default 1000 */
  discoverMs?: number;
  /** Events kept for Last-Event-ID replay. @default 5000 */
  ringSize?: number;
  /** The reconnect delay the server suggests to EventSource clients, ms. @default 2000 */
  retryMs?: number;
  /** issue 14: live SSE connections at once; more get 503 and retry. @default 64 */
  maxSseClients?: number;
  /** issue 14: bytes queued for one SSE client before it is cut off (it reconnects with Last-Event-ID). @default 1 MiB */
  maxBufferedBytes?: number;
  /** issue 17: USD per machine hour for `/costs`' compute line. @default undefined (no rate) */
  computeHourlyUsd?: number;
  /** USD per hour of one shard worker for `/costs`' worker line. @default undefined (no rate) */
  workerHourlyUsd?: number;
  /** issue 21: the Phoenix UI the viewer links each turn's span to. @default undefined (no links) */
  phoenixUrl?: string;
  /**
   * issue 17: milliseconds to wait for the runs on disk to be read before serving;
   * the rest are read in the background, flagged `loading`. @default undefined (read everything first)
   */
  readyWithinMs?: number;
}

export interface MonitorServer {
  url: string;
  port: number;
  hub: MonitorHub;
  /** Open SSE connections right now (a closed client is gone at once). */
  readonly sseClients: number;
  close(): Promise<void>;
}

/**
 * issue 17: how long `referee monitor`, `referee view` and `run --monitor` wait for
 * the runs already on disk before serving; a bigger runs directory (a 100,000-turn
 * run) is read behind the first answer, its runs flagged `loading` until whole.
 */
export const READY_WITHIN_MS = 200;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
/**
 * A client this far behind is cut off rather than buffered without bound
 * (issue 14: 300 stalled clients with 8 MB each took the monitor to 3.9 GB).
 */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const MAX_SSE_CLIENTS = 64;

interface Asset {
  type: string;
  body: Buffer;
}

function loadAssets(): Map<string, () => Asset> {
  const dir = assetDir();
  const cache = new Map<string, Asset>();
  const lazy = (name: string, file: string, type: string) => (): Asset => {
    let a = cache.get(name);
    if (!a) {
      a = { type, body: readFileSync(file) };
      cache.set(name, a);
    }
    return a;
  };
  const page = lazy('/', resolve(dir, 'index.html'), 'text/html; charset=utf-8');
  return new Map([
    // issue 21: one page, one app: the live view (#/live, where / opens) and the viewer (#/, where /view opens).
    ['/', page],
    ['/index.html', page],
    ['/view', page],
    // Seed 004's route for the same page (its relative URLs resolve under /docs/, see handle).
    ['/docs/benchmark_monitor.html', page],
    ['/assets/app.css', lazy('app.css', resolve(dir, 'app.css'), 'text/css; charset=utf-8')],
    // The typed front end, bundled at build time into dist/web.
    ['/assets/app.js', lazy('app.js', webBundle('app.js'), 'text/javascript; charset=utf-8')],
  ]);
}

function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Starts the live monitor: REST and SSE over the run directories under
 * `runsDir`, and the live page. Resolves once it listens.
 */
export async function startMonitor(options: MonitorOptions = {}): Promise<MonitorServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token;
  if (!LOOPBACK.has(host) && !token) {
    throw new ConfigError('CONFIG_INVALID', `monitor: --host ${host} is reachable from other machines; give --token (or bind 127.0.0.1)`);
  }
  const allowedHosts = allowedHostNames(host);
  let listeningPort = 0;
  const hub = new MonitorHub({
    runsDir: resolve(options.runsDir ?? 'runs'),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.discoverMs !== undefined ? { discoverMs: options.discoverMs } : {}),
    ...(options.ringSize !== undefined ? { ringSize: options.ringSize } : {}),
    ...(options.computeHourlyUsd !== undefined ? { computeHourlyUsd: options.computeHourlyUsd } : {}),
    ...(options.workerHourlyUsd !== undefined ? { workerHourlyUsd: options.workerHourlyUsd } : {}),
    ...(options.readyWithinMs !== undefined ? { readyWithinMs: options.readyWithinMs } : {}),
  });
  await hub.start();
  const assets = loadAssets();
  const sse = new SseClients(hub, {
    heartbeatMs: options.heartbeatMs ?? 15_000,
    retryMs: options.retryMs ?? 2000,
    maxClients: options.maxSseClients ?? MAX_SSE_CLIENTS,
    maxBufferedBytes: options.maxBufferedBytes ?? MAX_BUFFERED_BYTES,
  });
  const routes = apiRoutes(hub, sse, { phoenixUrl: options.phoenixUrl });

  /** The guards every request passes (host, origin, method, token), then its asset or route. */
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://monitor.invalid');
    if (/^\/docs\/(assets|api)\//.test(url.pathname)) url.pathname = url.pathname.slice('/docs'.length);
    try {
      // issue 14: DNS rebinding (a foreign name for this address) and cross-site API calls.
      if (!hostAllowed(req.headers.host, allowedHosts)) {
        sendJson(res, 403, { error: `Host ${JSON.stringify(req.headers.host)} is not this monitor's; open it as http://127.0.0.1:${listeningPort}/ or the --host name` });
        return;
      }
      if (url.pathname.startsWith('/api/') && !originAllowed(req.headers.origin, allowedHosts, listeningPort)) {
        sendJson(res, 403, { error: 'cross-origin requests are not allowed' });
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendJson(res, 405, { error: `${req.method} not allowed` });
        return;
      }
      const asset = assets.get(url.pathname);
      if (asset) {
        const a = asset();
        res.writeHead(200, { 'Content-Type': a.type, 'Cache-Control': 'no-cache', ...SECURITY_HEADERS });
        res.end(req.method === 'HEAD' ? undefined : a.body);
        return;
      }
      if (url.pathname.startsWith('/api/') && token) {
        const bearer = bearerToken(req.headers.authorization);
        if (!tokenMatches(token, bearer) && !tokenMatches(token, url.searchParams.get('token') ?? undefined)) {
          res.setHeader('WWW-Authenticate', 'Bearer');
          sendJson(res, 401, { error: 'a valid token is required (Authorization: Bearer <token> or ?token=)' });
          return;
        }
      }
      const route = routes[url.pathname];
      if (route) return route(req, res, url);
      sendJson(res, 404, { error: `no such endpoint: ${url.pathname}` });
    } catch (err) {
      fail(res, err);
    }
  };

  const server: Server = createServer(handle);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      hub.stop();
      sse.close();
      fail(
        err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL'
          ? new ConfigError('CONFIG_INVALID', `monitor: cannot listen on ${host}:${options.port ?? 8080} (${err.code}); pick another --port or --host`)
          : err,
      );
    });
    server.listen(options.port ?? 8080, host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  listeningPort = port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    hub,
    get sseClients() {
      return sse.size;
    },
    close: () =>
      new Promise<void>((done) => {
        sse.close();
        hub.stop();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
