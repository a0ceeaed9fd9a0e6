import { useEffect, useRef, useState } from 'preact/hooks';
import { LiveFeed, type ConnKind } from './live.js';
import { Series } from './series.js';
import { markAll, PANELS, type MonitorState, type Panel } from './state.js';

/** Per panel, how many times it changed: a panel's component redraws when its number moves. */
export type PanelVersions = Record<Panel, number>;

export interface Conn {
  kind: ConnKind;
  label: string;
}

/**
 * The live view's state, folded from the snapshot and the stream (fold.ts), and the versions of
 * the panels it left stale: at most one redraw a frame, however many events a frame brings.
 * rAF does not run in a hidden tab; a timer makes sure state still lands.
 */
export function useLive(): { state: MonitorState; versions: PanelVersions; conn: Conn } {
  const ref = useRef<MonitorState | null>(null);
  if (!ref.current) {
    const state: MonitorState = { current: null, runs: {}, recent: [], summary: null, clockSkew: 0, dirty: new Set(), series: new Series(() => state.dirty.add('charts')) };
    ref.current = state;
  }
  const state = ref.current;
  const [versions, setVersions] = useState<PanelVersions>(() => Object.fromEntries(PANELS.map((p) => [p, 0])) as PanelVersions);
  const [conn, setConn] = useState<Conn>({ kind: 'down', label: 'connecting' });
  useEffect(() => {
    let frame = false;
    const flush = (): void => {
      if (!frame) return;
      frame = false;
      const stale = state.dirty;
      state.dirty = new Set();
      setVersions((v) => {
        const next = { ...v };
        stale.forEach((p) => (next[p] += 1));
        return next;
      });
    };
    const schedule = (): void => {
      if (frame) return;
      frame = true;
      requestAnimationFrame(flush);
      setTimeout(flush, 250);
    };
    const feed = new LiveFeed(state, schedule, (kind, label) => {
      // Tests and user styles read the connection off the body, as the page always had it.
      document.body.dataset.conn = kind;
      setConn({ kind, label });
    });
    markAll(state);
    schedule();
    feed.connect();
    const recent = setInterval(() => void feed.refreshRecent(), 15000);
    return () => {
      feed.close();
      clearInterval(recent);
      delete document.body.dataset.conn;
    };
  }, []);
  return { state, versions, conn };
}
