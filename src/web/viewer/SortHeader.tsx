import type { Header } from '@tanstack/table-core';

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
