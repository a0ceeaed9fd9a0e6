import type { ComponentChildren } from 'preact';
import { memo } from 'preact/compat';
import { Link } from 'wouter-preact';
import { scoreText } from '../format.js';
import { runPath } from '../routes.js';
import { PlainHead } from '../SortHeader.js';
import { LOADING } from './format.js';
import { currentRun, type MonitorState } from './state.js';
import type { Costs, QueuedTest } from './types.js';

/** A table body of text rows (cells are text: nothing from a run is HTML). */
function Rows({ id, rows }: { id: string; rows: { key: string; cells: ComponentChildren[]; class?: string; testId?: string }[] }) {
  return (
    <tbody id={id}>
      {rows.map((r) => (
        <tr key={r.key} class={r.class} data-test-id={r.testId}>
          {r.cells.map((c, i) => (
            <td key={i}>{c}</td>
          ))}
        </tr>
      ))}
    </tbody>
  );
}

/** The costs card: tokens and dollars per provider, compute time, the total and where prices came from. */
export const LiveCosts = memo(function LiveCosts({ state }: { state: MonitorState; version: number }) {
  const run = currentRun(state);
  const costs = run && run.loading ? null : state.summary && state.summary.costs;
  const rows = costs
    ? [
        ...Object.entries(costs.api_calls || {}).map(([provider, c]) => ({
          key: provider,
          cells: [`${provider}${c.model ? ' · ' + c.model : ''}`, `${c.input_tokens} in / ${c.output_tokens} out`, `$${c.cost_usd.toFixed(4)}`],
        })),
        { key: 'compute', cells: ['compute', `${costs.compute.hours_elapsed} h`, costs.compute.hourly_rate_usd === null ? 'no rate set' : `$${costs.compute.cost_usd.toFixed(4)}`] },
        ...(costs.workers && costs.workers.workers > 0 ? [workersCostRow(costs.workers)] : []),
      ]
    : [];
  return (
    <div class="card" id="costs">
      <h3>Running costs</h3>
      <table>
        <Rows id="cost-rows" rows={rows} />
      </table>
      <div class="cost-total">
        <strong>Total</strong> <strong id="cost-total">{costs ? `$${costs.total_cost_usd.toFixed(4)}` : run && run.loading ? LOADING : '—'}</strong>
      </div>
      {/* issue 16: say when the token counts were estimated (the server sent no usage) */}
      <div class="muted" id="cost-source">
        {costs ? `pricing: ${costs.pricing_source}${costs.usage_source ? ` · tokens: ${costs.usage_source}` : ''}` : ''}
      </div>
    </div>
  );
});

/** The shard workers' machine time: an estimate at the user's rate per worker, or hours alone without one. */
function workersCostRow(w: NonNullable<Costs['workers']>): { key: string; cells: ComponentChildren[] } {
  const label = `workers (${w.workers})`;
  return { key: 'workers', cells: [label, `${w.worker_hours} h`, w.cost_usd === null ? 'no rate set' : <span title={w.note}>≈ ${w.cost_usd.toFixed(4)}</span>] };
}

/**
 * Seed 002's worker panel: a row per shard process of a sharded run (its machine, the test in
 * flight, tests done of its share), or per lane of the runs in progress.
 */
export const LiveWorkers = memo(function LiveWorkers({ state }: { state: MonitorState; version: number }) {
  const w = state.summary && state.summary.workers;
  const rows = ((w && w.workers) || []).slice(0, 64).map((x) => ({
    key: x.worker_id,
    class: `worker-${x.status}`,
    cells: [
      x.worker_id,
      // A lost worker (its process gone, or silent on another host) says since when it was last seen.
      typeof x.silent_seconds === 'number' ? `${x.status}, silent ${x.silent_seconds} s` : x.status,
      x.current_task || '—',
      typeof x.tasks_total === 'number' ? `${x.tasks_completed}/${x.tasks_total}` : x.tasks_completed,
      x.turns_completed,
      `${x.idle_time_seconds} s`,
      x.host || '—',
    ],
  }));
  return (
    <div class="card" id="workers">
      <h3>
        Workers <span class="muted" id="workers-count">{w ? `${w.active_workers}/${w.total_workers} active` : '—'}</span>{' '}
        <span class="muted" id="workers-idle">{w ? `${w.idle_workers} idle` : ''}</span>
      </h3>
      <table>
        <PlainHead cols={['Worker', 'Status', 'Task', 'Tests', 'Turns', 'Idle', 'Host']} />
        <Rows id="worker-rows" rows={rows} />
      </table>
    </div>
  );
});

/** What a queued test waits for: its start, its next turn, or (a GoodAI wait) tokens and clock time. */
function waitsFor(q: QueuedTest): string {
  if (q.status === 'pending') return 'its start';
  const w = q.wait;
  if (!w) return 'its next turn';
  const tokens = w.tokens_left === null ? `${w.tokens} tokens` : w.tokens_left === 0 ? `a lane (its ${w.tokens} tokens passed)` : `${w.tokens_left} of ${w.tokens} tokens`;
  return w.time_s > 0 ? `${tokens} · ${w.time_s} s of clock` : tokens;
}

/** Seeds 002/004, the LTM pending queue (issue 17): the current run's tests that wait for a lane, and for what. */
export const LivePending = memo(function LivePending({ state }: { state: MonitorState; version: number }) {
  const run = currentRun(state);
  const s = state.summary;
  const mine = run && !run.loading && s && s.current_job && s.current_job.key === run.key ? s : null;
  const queue = mine ? mine.queue || [] : [];
  const count = mine ? (queue.length < mine.queue_length ? `${mine.queue_length} (first ${queue.length})` : String(mine.queue_length)) : '—';
  return (
    <div class="card" id="pending">
      <h3>
        Pending tests <span class="muted" id="pending-count">{count}</span>
      </h3>
      <div class="scroll">
        <table>
          <PlainHead cols={['Test', 'Dataset', 'Waits for']} />
          <Rows id="pending-rows" rows={queue.map((q) => ({ key: q.task_id, class: `queue-${q.status}`, testId: q.task_id, cells: [q.task_id, q.dataset, waitsFor(q)] }))} />
        </table>
      </div>
    </div>
  );
});

/** The recent runs: date, run (a link to it in the viewer), agent, status, score and success rate. */
export const LiveRecent = memo(function LiveRecent({ state }: { state: MonitorState; version: number }) {
  const rows = (state.recent || []).map((r) => ({
    key: r.key,
    cells: [
      r.created_at ? new Date(r.created_at).toLocaleString() : '—',
      <Link href={runPath(r.key)}>{r.run_id}</Link>,
      r.agent,
      <span class={`status-${r.status}`}>{r.status}</span>,
      r.loading ? LOADING : r.max_score ? scoreText(r.score, r.max_score) : '—',
      r.loading ? LOADING : r.success_rate === null || r.success_rate === undefined ? '—' : `${Math.round(r.success_rate * 100)}%`,
    ],
  }));
  return (
    <div class="card" id="recent">
      <h3>Recent runs</h3>
      <table>
        <PlainHead cols={['Date', 'Run', 'Agent', 'Status', 'Score', 'Success']} />
        <Rows id="recent-rows" rows={rows} />
      </table>
    </div>
  );
});
