import type { ColumnDef, SortingState } from '@tanstack/table-core';
import { useRef, useState } from 'preact/hooks';
import { useLocation } from 'wouter-preact';
import type { RunFilters, RunRow } from './api.js';
import { api } from './api.js';
import { costText, count, pct, scoreText, secondsText, turnsText } from './format.js';
import { cellText, TableHead } from './SortHeader.js';
import { useTable } from './table.js';
import { runPath } from './routes.js';
import { padding, useVirtualRows } from './virtual.js';

/** The kind of a run imported from GoodAI's published results (`referee import goodai`): marked on its row. */
const GOODAI_KIND = 'goodai';
const imported = (r: RunRow): boolean => r.kind === GOODAI_KIND;

const rate = (r: RunRow): number | null => (r.max_score ? r.score / r.max_score : null);

/** The columns, in the order the page has always shown them; each sorts by the value it shows. */
const COLUMNS: ColumnDef<RunRow, unknown>[] = [
  { id: 'date', header: 'Date', accessorFn: (r) => r.created_at ?? '', cell: (c) => (c.row.original.created_at ? new Date(c.row.original.created_at).toLocaleString() : '—') },
  { id: 'run', header: 'Run', accessorKey: 'run_id' },
  { id: 'kind', header: 'Kind', accessorKey: 'kind' },
  { id: 'agent', header: 'Agent', accessorKey: 'agent' },
  { id: 'datasets', header: 'Datasets', accessorFn: (r) => r.datasets.join(', ') },
  { id: 'status', header: 'Status', accessorKey: 'status' },
  { id: 'score', header: 'Score', accessorFn: (r) => rate(r) ?? -1, cell: (c) => (c.row.original.loading ? 'loading…' : c.row.original.max_score ? scoreText(c.row.original.score, c.row.original.max_score) : '—') },
  { id: 'success', header: 'Success', accessorFn: (r) => r.success_rate ?? -1, cell: (c) => pct(c.row.original.success_rate) },
  { id: 'tests', header: 'Tests', accessorKey: 'tests_total', cell: (c) => (c.row.original.tests_total ? `${c.row.original.tests_done}/${c.row.original.tests_total}` : '—') },
  { id: 'turns', header: 'Turns', accessorKey: 'turns_done', cell: (c) => (c.row.original.loading ? '—' : turnsText(c.row.original.turns_done, c.row.original.turns_total, c.row.original.turns_total_estimated)) },
  {
    id: 'tokens',
    header: 'Tokens in / out',
    accessorFn: (r) => r.tokens_in + r.tokens_out,
    // An imported run's results record no usage: its 0 is no count, so it is not shown as one.
    cell: (c) => (c.row.original.loading ? '—' : c.row.original.usage_source === 'unrecorded' ? 'not recorded' : `${count(c.row.original.tokens_in)} / ${count(c.row.original.tokens_out)}`),
  },
  { id: 'cost', header: 'Cost', accessorKey: 'cost_usd', cell: (c) => (c.row.original.loading ? '—' : costText(c.row.original.cost_usd, c.row.original.pricing_source)) },
  { id: 'duration', header: 'Duration', accessorKey: 'elapsed_seconds', cell: (c) => (c.row.original.loading ? '—' : secondsText(c.row.original.elapsed_seconds)) },
];

/** A row's height in px, as app.css draws it: what the virtualiser counts with before it has measured. */
const ROW_PX = 27;

const CLASSES: Record<string, string> = { datasets: 'run-datasets', tests: 'run-done', turns: 'run-turns', tokens: 'run-tokens', cost: 'run-cost', duration: 'run-duration' };

interface Props {
  runs: RunRow[];
  total: number;
  filters: RunFilters & { kind: string };
  onFilters: (f: RunFilters & { kind: string }) => void;
}

/**
 * The run list: filtered on the server (search, status, score) and by kind here, sorted by any
 * column (TanStack Table), keyboard-navigable, a match's two sides under one entry that links
 * its comparison report.
 */
export function RunList({ runs, total, filters, onFilters }: Props) {
  const [sorting, setSorting] = useState<SortingState>([{ id: 'date', desc: true }]);
  const [, navigate] = useLocation();
  const shown = runs.filter((r) => !filters.kind || r.kind === filters.kind);
  const table = useTable({ data: shown, columns: COLUMNS, sorting, onSortingChange: setSorting, rowId: (r) => r.key });
  const set = (k: keyof Props['filters']) => (e: Event) => onFilters({ ...filters, [k]: (e.currentTarget as HTMLInputElement).value });
  const rows = table.getRowModel().rows;
  // A match is one entry: its sides follow one header row naming the match and linking its report.
  const matchOf = (r: RunRow): string | null => (r.kind === 'match' && r.group ? r.group : null);
  type Line = { match: string; sides: typeof rows } | { row: (typeof rows)[number] };
  const lines: Line[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const group = matchOf(row.original);
    if (!group) lines.push({ row });
    else if (!seen.has(group)) {
      seen.add(group);
      const sides = rows.filter((x) => matchOf(x.original) === group);
      lines.push({ match: group, sides }, ...sides.map((row) => ({ row })));
    }
  }
  const scroller = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLTableSectionElement>(null);
  const virtual = useVirtualRows(lines.length, scroller, ROW_PX);
  const items = virtual.getVirtualItems();
  const pad = padding(items, virtual.getTotalSize());
  // ↑/↓ move between runs (a run not drawn yet is scrolled into view first), Enter opens the focused one.
  const keys = (index: number) => (e: KeyboardEvent) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      (e.currentTarget as HTMLElement).click();
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    let j = index;
    do j += e.key === 'ArrowDown' ? 1 : -1;
    while (j >= 0 && j < lines.length && !('row' in lines[j]!));
    if (j < 0 || j >= lines.length) return;
    const drawn = body.current?.querySelector<HTMLElement>(`tr[data-index="${j}"]`);
    if (drawn) return drawn.focus();
    // Not drawn yet: bring it into view, then focus it once it is.
    virtual.scrollToIndex(j, { align: 'auto' });
    requestAnimationFrame(() => body.current?.querySelector<HTMLElement>(`tr[data-index="${j}"]`)?.focus());
  };
  const runRow = (row: (typeof rows)[number], index: number) => {
    const r = row.original;
    return (
      <tr key={r.key} class={`run-row${matchOf(r) ? ' match-side' : ''}${imported(r) ? ' imported' : ''}`} data-key={r.key} data-index={index} tabIndex={0} onKeyDown={keys(index)} onClick={() => navigate(runPath(r.key))}>
        {row.getVisibleCells().map((c) => (
          <td key={c.id} class={c.column.id === 'status' ? `status-${r.status}` : CLASSES[c.column.id]}>
            {cellText(c)}
            {c.column.id === 'kind' && imported(r) ? (
              <span class="badge imported-badge" title="GoodAI's published results, imported with referee import goodai: not a run of yours">
                imported
              </span>
            ) : null}
          </td>
        ))}
      </tr>
    );
  };
  const matchRow = (group: string, sides: typeof rows, index: number) => (
    <tr key={`match:${group}`} class="match-row" data-match={group} data-index={index}>
      <td colSpan={COLUMNS.length}>
        {`match ${group}: ${sides.map((x) => `${x.original.agent} (${x.original.role})`).join(' vs ')} · `}
        {api.reportUrl(group) ? (
          <a href={api.reportUrl(group)!} target="_blank" rel="noopener">
            comparison report
          </a>
        ) : (
          'no comparison report'
        )}
      </td>
    </tr>
  );
  return (
    <section class="card" id="run-list">
      <h3>
        Runs <span class="muted" id="runs-count">{`${shown.length} of ${total}`}</span>
      </h3>
      <div class="toolbar">
        <input id="q" type="search" placeholder="search run, agent, model, dataset" size={40} value={filters.q} onInput={set('q')} aria-label="search runs" />
        <select id="status" value={filters.status} onChange={set('status')} aria-label="status">
          <option value="">any status</option>
          {['running', 'finished', 'failed', 'interrupted', 'stale'].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <select id="kind" value={filters.kind} onChange={set('kind')} aria-label="kind">
          <option value="">any kind</option>
          {['ltm', 'tasks', 'suite', 'match', GOODAI_KIND].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <select id="min-score" value={filters.min_score} onChange={set('min_score')} aria-label="lowest score">
          <option value="">any score</option>
          <option value="0.5">score ≥ 50%</option>
          <option value="0.9">score ≥ 90%</option>
        </select>
      </div>
      <div class="table-scroll" ref={scroller}>
        <table>
          <TableHead table={table} />
          <tbody id="runs" ref={body}>
            {pad.top ? <tr class="virtual-pad" style={{ height: `${pad.top}px` }} aria-hidden="true" /> : null}
            {items.map((it) => {
              const line = lines[it.index]!;
              return 'row' in line ? runRow(line.row, it.index) : matchRow(line.match, line.sides, it.index);
            })}
            {pad.bottom ? <tr class="virtual-pad" style={{ height: `${pad.bottom}px` }} aria-hidden="true" /> : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
