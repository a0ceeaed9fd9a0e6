import { $, row, text } from './dom.js';
import { currentRun, type MonitorState } from './state.js';
import type { QueuedTest } from './types.js';

/** What a queued test waits for: its start, its next turn, or (a GoodAI wait) tokens and clock time. */
function waitsFor(q: QueuedTest): string {
  if (q.status === 'pending') return 'its start';
  const w = q.wait;
  if (!w) return 'its next turn';
  const tokens = w.tokens_left === null ? `${w.tokens} tokens` : w.tokens_left === 0 ? `a lane (its ${w.tokens} tokens passed)` : `${w.tokens_left} of ${w.tokens} tokens`;
  return w.time_s > 0 ? `${tokens} · ${w.time_s} s of clock` : tokens;
}

/** Seeds 002/004, the LTM pending queue (issue 17): the current run's tests that wait for a lane, and for what. */
export function renderPending(state: MonitorState): void {
  const run = currentRun(state);
  const s = state.summary;
  const mine = run && !run.loading && s && s.current_job && s.current_job.key === run.key ? s : null;
  const queue = mine ? mine.queue || [] : [];
  text('pending-count', mine ? (queue.length < mine.queue_length ? `${mine.queue_length} (first ${queue.length})` : String(mine.queue_length)) : null);
  const rows = queue.map((q) => {
    const tr = row([q.task_id, q.dataset, waitsFor(q)], `queue-${q.status}`);
    tr.dataset.testId = q.task_id;
    return tr;
  });
  $('pending-rows').replaceChildren(...rows);
}
