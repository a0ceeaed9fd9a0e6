import { $, row } from './dom.js';
import { LOADING, round } from './format.js';
import type { MonitorState } from './state.js';

/** The recent runs table: date, run, agent, status, score and success rate. */
export function renderRecent(state: MonitorState): void {
  const rows = (state.recent || []).map((r) => {
    const tr = row([
      r.created_at ? new Date(r.created_at).toLocaleString() : '—',
      r.run_id,
      r.agent,
      r.status,
      r.loading ? LOADING : r.max_score ? `${round(r.score, 2)}/${r.max_score}` : '—',
      r.loading ? LOADING : r.success_rate === null || r.success_rate === undefined ? '—' : `${Math.round(r.success_rate * 100)}%`,
    ]);
    tr.cells[3]!.className = `status-${r.status}`;
    return tr;
  });
  $('recent-rows').replaceChildren(...rows);
}
