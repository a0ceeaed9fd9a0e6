import type { RecentRun, Snapshot } from './types.js';

/**
 * The live page's requests, in one place. URLs are relative to the page (the monitor may sit
 * under /docs/); the access token (when the server asks for one) rides along here.
 */
const token = new URLSearchParams(location.search).get('token');

const withToken = (path: string): string => (token ? `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : path);

/** Everything the page needs to draw from scratch; null on an HTTP error (a network error throws). */
export async function fetchSnapshot(): Promise<Snapshot | null> {
  const r = await fetch(withToken('api/benchmark/snapshot'));
  return r.ok ? ((await r.json()) as Snapshot) : null;
}

/** The recent runs; null on an HTTP error (a network error throws). */
export async function fetchRecent(): Promise<RecentRun[] | null> {
  const r = await fetch(withToken('api/benchmark/runs?limit=20'));
  return r.ok ? ((await r.json()) as { runs: RecentRun[] }).runs : null;
}

/** The server's event stream: snapshots, run events, stages, `loaded` and summaries. */
export function openStream(): EventSource {
  return new EventSource(withToken('api/benchmark/telemetry/stream'));
}
