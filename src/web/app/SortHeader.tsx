import type { Cell, Header, Table } from '@tanstack/table-core';

/** A column header: a button that sorts by it (click or keyboard), with the order shown and announced. */
export function SortHeader<T>({ header }: { header: Header<T, unknown> }) {
  const label = String(header.column.columnDef.header ?? header.id);
  if (!header.column.getCanSort()) return <th>{label}</th>;
  const dir = header.column.getIsSorted();
  return (
    <th aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none'} data-col={header.id}>
      <button type="button" class="sort" onClick={header.column.getToggleSortingHandler()}>
        {label}
        <span class="sort-mark">{dir === 'asc' ? ' ▲' : dir === 'desc' ? ' ▼' : ''}</span>
      </button>
    </th>
  );
}

/** A table's head: one sortable header per column. */
export function TableHead<T>({ table }: { table: Table<T> }) {
  return (
    <thead>
      {table.getHeaderGroups().map((g) => (
        <tr key={g.id}>
          {g.headers.map((h) => (
            <SortHeader key={h.id} header={h} />
          ))}
        </tr>
      ))}
    </thead>
  );
}

/** A cell's text: its column's `cell` formatter, else its value; `—` for nothing. */
export function cellText<T>(c: Cell<T, unknown>): string {
  const def = c.column.columnDef.cell;
  const v = typeof def === 'function' ? def(c.getContext()) : c.getValue();
  return v === null || v === undefined || v === '' ? '—' : String(v);
}

/** A table head of plain column names, for the tables that do not sort. */
export function PlainHead({ cols }: { cols: string[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c, i) => (
          <th key={i}>{c}</th>
        ))}
      </tr>
    </thead>
  );
}
