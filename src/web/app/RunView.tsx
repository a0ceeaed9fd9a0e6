import type { ColumnDef, SortingState } from '@tanstack/table-core';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'wouter-preact';
import { api, type RunRow, type SampleRow, type SamplesPage } from './api.js';
import { costText, pct, scoreText, statusClass, turnsText } from './format.js';
import { TurnCounter, type RunEvent } from './live.js';
import { samplePath } from './routes.js';
import { ScoreChart } from './ScoreChart.js';
import { cellText, TableHead } from './SortHeader.js';
import { rowKeys, useTable } from './table.js';

export const PAGE = 50;

const COLUMNS: ColumnDef<SampleRow, unknown>[] = [
  { id: 'test_id', header: 'Test', accessorKey: 'test_id' },
  { id: 'dataset', header: 'Dataset', accessorKey: 'dataset' },
  { id: 'status', header: 'Status', accessorKey: 'status' },
  { id: 'score', header: 'Score', accessorFn: (s) => s.score, cell: (c) => scoreText(c.row.original.score, c.row.original.max_score) },
  { id: 'turns', header: 'Turns', accessorKey: 'turns' },
];

/** The run's summary line: the figures of the run list, for the run that is open. */
function summaryText(run: RunRow): string {
  const turns = run.turns_total ? ` · ${turnsText(run.turns_done, run.turns_total, run.turns_total_estimated)} turns` : '';
  return `${run.agent} · ${run.tests_done}/${run.tests_total} tests · ${pct(run.success_rate)} pass${turns} · ${costText(run.cost_usd, run.pricing_source)}`;
}

/**
 * One run: its summary, a page of its samples (filtered, searched and sorted on the server, so a
 * sort covers every page), the score distribution, exports, and, while it runs, its turns live.
 * Keyed by the run: another run mounts afresh, its filters starting over.
 */
export function RunView({ run, onLive }: { run: RunRow; onLive: (key: string, ev: RunEvent) => void }) {
  const [, navigate] = useLocation();
  const [status, setStatus] = useState('');
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const [sorting, setSorting] = useState<SortingState>([]);
  const [page, setPage] = useState<SamplesPage | null>(null);
  const counter = useRef<TurnCounter | null>(null);
  const updateSample = (testId: string, change: (s: SampleRow) => Partial<SampleRow>): void =>
    setPage((p) => (p ? { ...p, samples: p.samples.map((s) => (s.test_id === testId ? { ...s, ...change(s) } : s)) } : p));
  const load = async (): Promise<void> => {
    const sort = sorting[0];
    const body = await api.samples({ run: run.key, status, q: q.trim(), offset, limit: PAGE, ...(sort ? { sort: sort.id, desc: sort.desc ? '1' : '0' } : {}) });
    if (!body || body.run_id !== run.run_id) return;
    setPage(body);
    counter.current?.rebase(body);
  };
  useEffect(() => {
    const t = setTimeout(() => void load(), q ? 200 : 0);
    return () => clearTimeout(t);
  }, [run.key, status, q, offset, sorting, run.status === 'running' ? 0 : run.last_seq]);

  // A run still going is followed over the stream until its run_end (issue 17).
  const live = run.status === 'running' && !run.loading;
  useEffect(() => {
    if (!live) return;
    const c = new TurnCounter(run.last_seq, (id, change) => updateSample(id, (s) => change({ turns: s.turns, status: s.status })));
    counter.current = c;
    const es = api.stream({ run: run.key, types: 'test_start,turn_start,turn_end,test_end,run_end' });
    if (!es) return;
    document.body.dataset['following'] = run.key;
    es.addEventListener('run', (e) => {
      const ev = JSON.parse((e as MessageEvent<string>).data) as RunEvent;
      if (ev.type === 'test_end' && ev.test_id) {
        const max = typeof ev.max_score === 'number' ? ev.max_score : 1;
        const score = typeof ev.score === 'number' ? ev.score : 0;
        updateSample(ev.test_id, () => ({ status: max > 0 && score >= max ? 'pass' : 'fail', score, max_score: max }));
        return;
      }
      c.take(ev);
      onLive(run.key, ev);
    });
    return () => {
      es.close();
      counter.current = null;
      document.body.dataset['following'] = '';
    };
  }, [run.key, live]);

  const table = useTable({ data: page?.samples ?? [], columns: COLUMNS, sorting, onSortingChange: (s) => (setSorting(s), setOffset(0)), manualSorting: true, rowId: (s) => s.test_id });
  const total = page?.total ?? 0;
  return (
    <section class="card" id="run">
      <h3>
        Run <span id="run-id">{run.run_id}</span> <span id="run-status" class={`status-${run.status}`}>{run.loading ? 'loading' : run.status}</span>{' '}
        <span class="muted" id="run-summary">
          {summaryText(run)}
        </span>
      </h3>
      <div class="toolbar">
        <a id="export-csv" href={api.exportUrl(run.key, 'csv')} download>
          Export CSV
        </a>
        <a id="export-json" href={api.exportUrl(run.key, 'json')} download>
          Export JSON
        </a>
        <span class="sep"></span>
        <select id="sample-status" value={status} onChange={(e) => (setStatus((e.currentTarget as HTMLSelectElement).value), setOffset(0))} aria-label="sample status">
          <option value="">all samples</option>
          {['pass', 'fail', 'error', 'judge_error', 'unscored', 'running', 'pending'].map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <input id="sample-q" type="search" placeholder="search test id or dataset" size={30} value={q} onInput={(e) => (setQ((e.currentTarget as HTMLInputElement).value), setOffset(0))} aria-label="search samples" />
        <button id="prev" type="button" onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          ‹ prev
        </button>
        <span id="page-info" class="muted">
          {page ? (total ? `${page.offset + 1}–${Math.min(page.offset + PAGE, total)} of ${total}` : 'no samples') : ''}
        </span>
        <button id="next" type="button" onClick={() => offset + PAGE < total && setOffset(offset + PAGE)}>
          next ›
        </button>
      </div>
      {page ? <ScoreChart distribution={page.distribution} /> : null}
      <table>
        <TableHead table={table} />
        <tbody id="samples" data-run={page?.run_id}>
          {table.getRowModel().rows.map((row) => {
            const s = row.original;
            return (
              <tr key={s.test_id} class="sample-row" tabIndex={0} onKeyDown={rowKeys} onClick={() => navigate(samplePath(run.key, s.test_id))}>
                {row.getVisibleCells().map((c) => (
                  <td key={c.id} class={c.column.id === 'status' ? statusClass(s.status) : undefined}>
                    {cellText(c)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
