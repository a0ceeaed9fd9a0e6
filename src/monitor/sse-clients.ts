import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MonitorHub, SseMessage } from './hub.js';
import { BadRequest, parseQuery, SECURITY_HEADERS, sendJson } from './http-reply.js';
import { formatSse } from './sse-format.js';
import { snapshotView, StreamQuerySchema, summaryView } from './views.js';

export interface SseClientsOptions {
  heartbeatMs: number;
  retryMs: number;
  /** Live connections at once; at the cap the client most behind makes room (issue 14). */
  maxClients: number;
  /** Bytes queued for one client before it is cut off (it reconnects with Last-Event-ID). */
  maxBufferedBytes: number;
}

interface Client {
  res: ServerResponse;
  wantsSummary: boolean;
  intervalMs: number;
  lastSummaryAt: number;
}

/**
 * The monitor's Server-Sent Events: every connected page, what each asked for (types, one run,
 * a summary interval), replay from Last-Event-ID, heartbeats, and the bound on a slow client.
 */
export class SseClients {
  private readonly clients = new Set<Client>();
  private readonly formatted = new WeakMap<SseMessage, string>();
  private readonly summaryTimer: NodeJS.Timeout;
  private lastSummaryVersion = -1;
  private lastSummaryAt = 0;
  private summaryCache = '';

  constructor(
    private readonly hub: MonitorHub,
    private readonly options: SseClientsOptions,
  ) {
    this.summaryTimer = setInterval(() => this.sendSummaries(), 1000);
    this.summaryTimer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Writes to a client, or cuts it off when it has fallen this far behind. */
  private send(res: ServerResponse, text: string): void {
    if (res.destroyed) return;
    if (res.writableLength > this.options.maxBufferedBytes) {
      res.destroy();
      return;
    }
    res.write(text);
  }

  private cacheFormatted(msg: SseMessage): string {
    const text = formatSse(msg);
    this.formatted.set(msg, text);
    return text;
  }

  private evictMostBehind(): void {
    let worst: Client | undefined;
    for (const c of this.clients) if (c.res.writableLength > 0 && (!worst || c.res.writableLength > worst.res.writableLength)) worst = c;
    if (worst) {
      worst.res.destroy();
      this.clients.delete(worst);
    }
  }

  private sendSummaries(): void {
    const wanting = [...this.clients].filter((c) => c.wantsSummary);
    if (!wanting.length) return;
    const now = Date.now();
    // Recompute when something changed, and every few seconds anyway (elapsed time and ETA move on).
    if (this.hub.version !== this.lastSummaryVersion || now - this.lastSummaryAt > 5000) {
      this.summaryCache = JSON.stringify(summaryView(this.hub, now));
      this.lastSummaryVersion = this.hub.version;
      this.lastSummaryAt = now;
    }
    const text = formatSse({ id: this.hub.lastId, data: this.summaryCache });
    for (const c of wanting) {
      if (now - c.lastSummaryAt + 50 < c.intervalMs) continue;
      c.lastSummaryAt = now;
      this.send(c.res, text);
    }
  }

  /** One page's stream: `?types=`, `?run=`, `?interval=`, replayed from Last-Event-ID or begun with a snapshot. */
  stream(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const hub = this.hub;
    const { maxClients, retryMs, heartbeatMs } = this.options;
    const q = parseQuery(StreamQuerySchema, url);
    // issue 17: a stream for a run that is not there is a 400, not a silent empty stream.
    if (q.run && !hub.find(q.run)) throw new BadRequest(`${url.pathname}: query parameter run: no run "${q.run}" under ${hub.runsDir}`);
    // At the cap, a client that has fallen behind makes room; only when none has is the newcomer refused.
    if (this.clients.size >= maxClients) this.evictMostBehind();
    if (this.clients.size >= maxClients) {
      res.setHeader('Retry-After', String(Math.ceil(retryMs / 1000)));
      sendJson(res, 503, { error: `too many live connections (${maxClients}); retry later` });
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
    this.clients.add(client);
    const unsubscribe = hub.subscribe((msg) => {
      // Formatted once per message, not once per client (issue 14: hundreds of clients).
      if (matches(msg)) this.send(res, this.formatted.get(msg) ?? this.cacheFormatted(msg));
    });
    const heartbeat = setInterval(() => this.send(res, `: ping ${Date.now()}\n\n`), heartbeatMs);
    const cleanup = (): void => {
      unsubscribe();
      clearInterval(heartbeat);
      this.clients.delete(client);
    };
    res.on('close', cleanup);
    req.on('close', cleanup);
  }

  close(): void {
    clearInterval(this.summaryTimer);
    for (const c of this.clients) c.res.destroy();
    this.clients.clear();
  }
}
