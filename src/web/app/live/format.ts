/** How the live page writes numbers and times. */

/** What a run still being read shows in place of its partial numbers (issue 17). */
export const LOADING = 'loading…';

/** `x` to `digits` decimals; anything not a number passes through as it is. */
export function round<T>(x: T | number, digits: number): T | number {
  if (typeof x !== 'number') return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : `${Math.round(x)}%`;
}

export function fmtSeconds(s: number | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** A chart's x label: the sample's wall-clock time (now, without one). */
export function timeLabel(ts: string | number | undefined): string {
  const d = ts ? new Date(ts) : new Date();
  return d.toTimeString().slice(0, 8);
}

/** A stage's elapsed time, as its pill shows it. */
export function stageTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
