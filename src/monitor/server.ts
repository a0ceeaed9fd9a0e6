import { timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { MonitorHub, type SseMessage } from './hub.js';
import { allowedHostNames, bearerToken, hostAllowed, originAllowed } from './request-guard.js';
import {
  CompareQuerySchema,
  CostsQuerySchema,
  MetricsQuerySchema,
  NotFound,
  RunsQuerySchema,
  StatusQuerySchema,
  StreamQuerySchema,
  WorkersQuerySchema,
  compareView,
  costsView,
  metricsView,
  runsView,
  snapshotView,
  statusView,
  summaryView,
  workersView,
} from './views.js';
import {
  ViewExportQuerySchema,
  ViewMatrixQuerySchema,
  ViewRunsQuerySchema,
  ViewSampleQuerySchema,
  ViewSamplesQuerySchema,
  viewExport,
  viewReport,
  ViewReportQuerySchema,
  viewMatrix,
  viewRuns,
  viewSample,
  viewSamples,
} from './viewer.js';

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

/** Formats one SSE message; every line of multi-line data gets its own `data:` field. */
export function formatSse(msg: { id?: string; event?: string; data: string }): string {
  let out = '';
  if (msg.id !== undefined) out += `id: ${msg.id}\n`;
  if (msg.event) out += `event: ${msg.event}\n`;
  for (const line of msg.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return out + '\n';
}

function assetDir(): string {
  // src/monitor/assets, from src/monitor (tests) and dist/monitor (the bin) alike.
  return fileURLToPath(new URL('../../src/monitor/assets/', import.meta.url));
}

/** A file of the front-end bundle: dist/web, from dist/monitor (the bin) and src/monitor (tests) alike. */
function webBundle(name: string): string {
  const beside = fileURLToPath(new URL(`../web/${name}`, import.meta.url));
  return existsSync(beside) ? beside : fileURLToPath(new URL(`../../dist/web/${name}`, import.meta.url));
}

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
  const echarts = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
  return new Map([
    ['/', lazy('/', resolve(dir, 'index.html'), 'text/html; charset=utf-8')],
    ['/index.html', lazy('/', resolve(dir, 'index.html'), 'text/html; charset=utf-8')],
    // Seed 004's route for the same page (its relative URLs resolve under /docs/, see handle).
    ['/docs/benchmark_monitor.html', lazy('/', resolve(dir, 'index.html'), 'text/html; charset=utf-8')],
    ['/assets/app.css', lazy('app.css', resolve(dir, 'app.css'), 'text/css; charset=utf-8')],
    // issue 17: `referee view`, the viewer of finished runs on the same server.
    ['/view', lazy('view.html', resolve(dir, 'view.html'), 'text/html; charset=utf-8')],
    // issue 21: the typed viewer and live page, bundled at build time into dist/web.
    ['/assets/viewer.js', lazy('viewer.js', webBundle('viewer.js'), 'text/javascript; charset=utf-8')],
    ['/assets/monitor.js', lazy('monitor.js', webBundle('monitor.js'), 'text/javascript; charset=utf-8')],
    ['/assets/echarts.min.js', lazy('echarts', echarts, 'text/javascript; charset=utf-8')],
  ]);
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // Defence in depth: the page renders model text with textContent; even so no inline script may run.
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS });
  res.end(text);
}

function queryOf(url: URL): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of url.searchParams) q[k] = v;
  return q;
}

function parseQuery<S extends z.ZodType>(schema: S, url: URL): z.infer<S> {
  const r = schema.safeParse(queryOf(url));
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.length ? issue.path.join('.') : (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : 'query');
    throw new BadRequest(`${url.pathname}: query parameter ${field}: ${issue.message}`);
  }
  return r.data;
}

class BadRequest extends Error {}

/** The one place a failed request becomes its status: 400, 404 or 500. */
function fail(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof BadRequest) sendJson(res, 400, { error: err.message });
  else if (err instanceof NotFound) sendJson(res, 404, { error: err.message });
  else sendJson(res, 500, { error: (err as Error).message });
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
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const retryMs = options.retryMs ?? 2000;
  const maxSseClients = options.maxSseClients ?? MAX_SSE_CLIENTS;
  const maxBuffered = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  const allowedHosts = allowedHostNames(host);
  let listeningPort = 0;
  /** Writes to a client, or cuts it off when it has fallen this far behind. */
  const send = (res: ServerResponse, text: string): void => {
    if (res.destroyed) return;
    if (res.writableLength > maxBuffered) {
      res.destroy();
      return;
    }
    res.write(text);
  };
  const hub = new MonitorHub({
    runsDir: resolve(options.runsDir ?? 'runs'),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.discoverMs !== undefined ? { discoverMs: options.discoverMs } : {}),
    ...(options.ringSize !== undefined ? { ringSize: options.ringSize } : {}),
    ...(options.computeHourlyUsd !== undefined ? { computeHourlyUsd: options.computeHourlyUsd } : {}),
    ...(options.readyWithinMs !== undefined ? { readyWithinMs: options.readyWithinMs } : {}),
  });
  await hub.start();
  const assets = loadAssets();

  interface Client {
    res: ServerResponse;
    wantsSummary: boolean;
    intervalMs: number;
    lastSummaryAt: number;
  }
  const clients = new Set<Client>();
  const formatted = new WeakMap<SseMessage, string>();
  const cacheFormatted = (msg: SseMessage): string => {
    const text = formatSse(msg);
    formatted.set(msg, text);
    return text;
  };
  const evictMostBehind = (): void => {
    let worst: Client | undefined;
    for (const c of clients) if (c.res.writableLength > 0 && (!worst || c.res.writableLength > worst.res.writableLength)) worst = c;
    if (worst) {
      worst.res.destroy();
      clients.delete(worst);
    }
  };
  let lastSummaryVersion = -1;
  let lastSummaryAt = 0;
  let summaryCache = '';
  const summaryTimer = setInterval(() => {
    const wanting = [...clients].filter((c) => c.wantsSummary);
    if (!wanting.length) return;
    const now = Date.now();
    // Recompute when something changed, and every few seconds anyway (elapsed time and ETA move on).
    if (hub.version !== lastSummaryVersion || now - lastSummaryAt > 5000) {
      summaryCache = JSON.stringify(summaryView(hub, now));
      lastSummaryVersion = hub.version;
      lastSummaryAt = now;
    }
    const text = formatSse({ id: hub.lastId, data: summaryCache });
    for (const c of wanting) {
      if (now - c.lastSummaryAt + 50 < c.intervalMs) continue;
      c.lastSummaryAt = now;
      send(c.res, text);
    }
  }, 1000);
  summaryTimer.unref();

  const stream = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const q = parseQuery(StreamQuerySchema, url);
    // issue 17: a stream for a run that is not there is a 400, not a silent empty stream.
    if (q.run && !hub.find(q.run)) throw new BadRequest(`${url.pathname}: query parameter run: no run "${q.run}" under ${hub.runsDir}`);
    // At the cap, a client that has fallen behind makes room; only when none has is the newcomer refused.
    if (clients.size >= maxSseClients) evictMostBehind();
    if (clients.size >= maxSseClients) {
      res.setHeader('Retry-After', String(Math.ceil(retryMs / 1000)));
      sendJson(res, 503, { error: `too many live connections (${maxSseClients}); retry later` });
      return;
    }
    let runKey: string | undefined;
    const matches = (msg: SseMessage): boolean => {
      if (q.types && !q.types.has(msg.type ?? '')) return false;
      if (q.run) {
        runKey ??= hub.find(q.run)?.key;
        if (msg.key !== runKey) return false;
      }
      return true;
    };
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      ...SECURITY_HEADERS,
    });
    res.write(`retry: ${retryMs}\n\n`);
    const lastEventId = req.headers['last-event-id'];
    const replay = typeof lastEventId === 'string' && lastEventId ? hub.replaySince(lastEventId) : null;
    if (replay) {
      for (const msg of replay) if (matches(msg)) res.write(formatSse(msg));
    } else if (!q.types || q.types.has('snapshot')) {
      res.write(formatSse({ id: hub.lastId, event: 'snapshot', data: JSON.stringify(snapshotView(hub)) }));
    }
    const client: Client = { res, wantsSummary: q.interval > 0 && (!q.types || q.types.has('summary')), intervalMs: q.interval * 1000, lastSummaryAt: 0 };
    clients.add(client);
    const unsubscribe = hub.subscribe((msg) => {
      // Formatted once per message, not once per client (issue 14: hundreds of clients).
      if (matches(msg)) send(res, (formatted.get(msg) ?? cacheFormatted(msg)));
    });
    const heartbeat = setInterval(() => send(res, `: ping ${Date.now()}\n\n`), heartbeatMs);
    const cleanup = (): void => {
      unsubscribe();
      clearInterval(heartbeat);
      clients.delete(client);
    };
    res.on('close', cleanup);
    req.on('close', cleanup);
  };

  const api: Record<string, (url: URL) => unknown> = {
    '/api/benchmark/status': (url) => statusView(hub, parseQuery(StatusQuerySchema, url)),
    '/api/benchmark/costs': (url) => costsView(hub, parseQuery(CostsQuerySchema, url)),
    '/api/benchmark/metrics': (url) => metricsView(hub, parseQuery(MetricsQuerySchema, url)),
    '/api/benchmark/workers': (url) => workersView(hub, parseQuery(WorkersQuerySchema, url)),
    '/api/benchmark/runs': (url) => runsView(hub, parseQuery(RunsQuerySchema, url)),
    '/api/benchmark/compare': (url) => compareView(hub, parseQuery(CompareQuerySchema, url)),
    '/api/benchmark/snapshot': () => snapshotView(hub),
    '/api/view/runs': (url) => viewRuns(hub, parseQuery(ViewRunsQuerySchema, url)),
    '/api/view/samples': (url) => viewSamples(hub, parseQuery(ViewSamplesQuerySchema, url)),
    '/api/view/sample': (url) => viewSample(hub, parseQuery(ViewSampleQuerySchema, url)),
    '/api/view/matrix': (url) => viewMatrix(hub, parseQuery(ViewMatrixQuerySchema, url)),
    '/api/view/config': () => ({ phoenix_url: options.phoenixUrl ?? null }),
  };

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
      if (url.pathname === '/api/benchmark/telemetry/stream' || url.pathname === '/api/benchmark-sse') {
        stream(req, res, url);
        return;
      }
      if (url.pathname === '/api/view/report') {
        const report = viewReport(hub, parseQuery(ViewReportQuerySchema, url));
        // A report inlines its own scripts: it runs sandboxed (an opaque origin: no API, no cookies).
        res.writeHead(200, {
          'Content-Type': 'text/html; charset=utf-8',
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
          'Referrer-Policy': 'no-referrer',
          'Content-Security-Policy': "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:",
        });
        res.end(report);
        return;
      }
      if (url.pathname === '/api/view/export') {
        viewExport(hub, parseQuery(ViewExportQuerySchema, url)).then((file) => {
          res.writeHead(200, { 'Content-Type': file.type, 'Content-Disposition': `attachment; filename="${file.filename.replace(/[^\w.-]/g, '_')}"`, 'Cache-Control': 'no-store', ...SECURITY_HEADERS });
          res.end(file.body);
        }, (err: unknown) => fail(res, err));
        return;
      }
      const route = api[url.pathname];
      if (route) {
        const body = route(url);
        // issue 17: a sample's messages are read from disk without blocking the other requests.
        if (body instanceof Promise) body.then((b) => sendJson(res, 200, b), (err: unknown) => fail(res, err));
        else sendJson(res, 200, body);
        return;
      }
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
      clearInterval(summaryTimer);
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
      return clients.size;
    },
    close: () =>
      new Promise<void>((done) => {
        clearInterval(summaryTimer);
        hub.stop();
        for (const c of clients) c.res.destroy();
        clients.clear();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
