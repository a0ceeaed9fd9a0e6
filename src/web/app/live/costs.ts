import { $, row, text } from './dom.js';
import { LOADING } from './format.js';
import { currentRun, type MonitorState } from './state.js';

/** The costs card: tokens and dollars per provider, compute time, the total and where prices came from. */
export function renderCosts(state: MonitorState): void {
  const run = currentRun(state);
  const costs = run && run.loading ? null : state.summary && state.summary.costs;
  const rows: HTMLTableRowElement[] = [];
  if (costs) {
    for (const [provider, c] of Object.entries(costs.api_calls || {})) {
      rows.push(row([`${provider}${c.model ? ' · ' + c.model : ''}`, `${c.input_tokens} in / ${c.output_tokens} out`, `$${c.cost_usd.toFixed(4)}`]));
    }
    const rate = costs.compute.hourly_rate_usd === null ? 'no rate set' : `$${costs.compute.cost_usd.toFixed(4)}`;
    rows.push(row(['compute', `${costs.compute.hours_elapsed} h`, rate]));
  }
  $('cost-rows').replaceChildren(...rows);
  text('cost-total', costs ? `$${costs.total_cost_usd.toFixed(4)}` : run && run.loading ? LOADING : null);
  // issue 16: say when the token counts were estimated (the server sent no usage)
  text('cost-source', costs ? `pricing: ${costs.pricing_source}${costs.usage_source ? ` · tokens: ${costs.usage_source}` : ''}` : '');
}

/** Seed 002's worker panel: one row per lane of the runs in progress. */
export function renderWorkers(state: MonitorState): void {
  const w = state.summary && state.summary.workers;
  text('workers-count', w ? `${w.active_workers}/${w.total_workers} active` : null);
  const rows = ((w && w.workers) || [])
    .slice(0, 64)
    .map((x) => row([x.worker_id, x.status, x.current_task || '—', x.tasks_completed, x.turns_completed, `${x.idle_time_seconds} s`], `worker-${x.status}`));
  $('worker-rows').replaceChildren(...rows);
}
