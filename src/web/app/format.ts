/** How the viewer writes numbers: as the terminal's last line and report.html write them. */

export const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`);

/** A score to two decimals at most, never 0.3333333333333333. */
export const score2 = (x: number): number => Math.round(x * 100) / 100;

export const count = (n: number | null | undefined): string => Math.round(Number(n) || 0).toLocaleString('en-US');

export const scoreText = (score: number | null, max: number | null): string => (max === null || score === null ? '—' : `${score2(score)}/${max}`);

export const costText = (usd: number, pricing: string | null): string => (pricing === 'unknown' ? 'unknown' : `$${Number(usd || 0).toFixed(4)}`);

export const secondsText = (s: number): string => `${Number(s || 0).toFixed(1)} s`;

export const turnsText = (done: number, total: number, estimated: boolean): string => `${done}/${estimated ? '~' : ''}${total}`;

/** A value a model or a config wrote, as text (rendered with textContent by Preact, never as HTML). */
export const asText = (v: unknown): string =>
  v === undefined || v === null ? '' : typeof v === 'string' ? v : Array.isArray(v) ? v.map(asText).join('\n') : JSON.stringify(v, null, 2);

/** The status class the page's CSS colours. */
export const statusClass = (s: string): string => `status-${s === 'pass' ? 'finished' : s === 'fail' || s === 'error' || s === 'judge_error' ? 'failed' : s}`;
