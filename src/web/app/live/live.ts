import { fetchRecent, fetchSnapshot, openStream } from './api.js';
import { applyRunEvent, applySnapshot, applyStage, applySummary } from './fold.js';
import type { MonitorState } from './state.js';
import type { RunEvent, Snapshot, StageEvent, Summary } from './types.js';

export type ConnKind = 'live' | 'down' | 'polling';

/**
 * The connection to the monitor: the SSE stream, its reconnects, a polling fallback while it
 * fails, and the snapshot refetches the folded events ask for. Each change schedules a render.
 */
export class LiveFeed {
  private es: EventSource | null = null;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private erroredSince: number | null = null;
  private snapshotTimer: ReturnType<typeof setTimeout> | null = null;
  /** issue 21: the run events that arrived while a snapshot was on its way; those it does not hold are applied again. */
  private eventsSinceFetch: RunEvent[] | null = null;

  private closed = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;

  /** `onConn` is told the connection's state: live, reconnecting, polling or down. */
  constructor(
    private readonly state: MonitorState,
    private readonly schedule: () => void,
    private readonly onConn: (kind: ConnKind, label: string) => void,
  ) {}

  private snapshot(snap: Snapshot): void {
    applySnapshot(this.state, snap);
    this.schedule();
  }

  private runEvent(ev: RunEvent): void {
    if (this.eventsSinceFetch) this.eventsSinceFetch.push(ev);
    const needs = applyRunEvent(this.state, ev);
    if (!needs) return;
    if (needs.snapshot) this.refreshSnapshotSoon();
    if (needs.recent) void this.refreshRecent();
    this.schedule();
  }

  refreshSnapshotSoon(): void {
    if (this.snapshotTimer) return;
    this.snapshotTimer = setTimeout(async () => {
      this.snapshotTimer = null;
      if (this.closed) return;
      this.eventsSinceFetch = [];
      try {
        const snap = await fetchSnapshot();
        if (snap) this.snapshot(snap);
      } catch {
        /* the stream or the poller will try again */
      } finally {
        const missed = this.eventsSinceFetch || [];
        this.eventsSinceFetch = null;
        // The snapshot replaced the runs these were applied to: each one newer than the snapshot counts again (seq decides).
        missed.forEach((ev) => this.runEvent(ev));
      }
    }, 300);
  }

  async refreshRecent(): Promise<void> {
    try {
      const runs = await fetchRecent();
      if (runs) {
        this.state.recent = runs;
        this.state.dirty.add('recent');
        this.schedule();
      }
    } catch {
      /* next time */
    }
  }

  private setConn(kind: ConnKind, label: string): void {
    if (!this.closed) this.onConn(kind, label);
  }

  /** The page left the live view: the stream, the poller and every timer stop. */
  close(): void {
    this.closed = true;
    this.es?.close();
    this.es = null;
    this.stopPolling();
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
  }

  private startPolling(): void {
    if (this.pollTimer) return;
    this.setConn('polling', 'polling');
    const poll = async (): Promise<void> => {
      try {
        const snap = await fetchSnapshot();
        if (snap) this.snapshot(snap);
      } catch {
        this.setConn('down', 'monitor unreachable');
      }
    };
    void poll();
    this.pollTimer = setInterval(poll, 2000);
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  connect(): void {
    if (this.closed) return;
    const es = (this.es = openStream());
    es.addEventListener('open', () => {
      this.erroredSince = null;
      this.stopPolling();
      this.setConn('live', 'live');
    });
    es.addEventListener('snapshot', (e) => this.snapshot(JSON.parse(e.data) as Snapshot));
    es.addEventListener('run', (e) => this.runEvent(JSON.parse(e.data) as RunEvent));
    es.addEventListener('stage', (e) => {
      if (applyStage(this.state, JSON.parse(e.data) as StageEvent)) this.schedule();
    });
    // issue 17: a run found on disk has been read to its end: its whole numbers replace "loading".
    es.addEventListener('loaded', () => this.refreshSnapshotSoon());
    es.addEventListener('message', (e) => {
      const data = JSON.parse(e.data) as { type?: string };
      if (data.type === 'summary') {
        applySummary(this.state, data as Summary);
        this.schedule();
      }
    });
    es.addEventListener('error', () => {
      this.erroredSince = this.erroredSince || Date.now();
      if (!this.pollTimer) this.setConn('down', 'reconnecting');
      // The browser retries by itself unless the stream was refused outright.
      if (this.es && this.es.readyState === EventSource.CLOSED) {
        this.es = null;
        this.reconnectTimer = setTimeout(() => this.connect(), 2000);
      }
      // SSE failing for a while (a proxy that buffers, say): poll until it comes back.
      setTimeout(() => {
        if (!this.closed && this.erroredSince && Date.now() - this.erroredSince >= 3000) this.startPolling();
      }, 3100);
    });
  }
}
