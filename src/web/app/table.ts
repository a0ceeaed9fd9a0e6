import { createTable, getCoreRowModel, getSortedRowModel, type ColumnDef, type SortingState, type Table, type Updater } from '@tanstack/table-core';
import { useMemo } from 'preact/hooks';

/**
 * TanStack Table's headless core bound to Preact the way its React adapter binds it: one table
 * per component, its options (data, columns, state) set again on every render. Sorting is
 * the caller's state; `manualSorting` leaves the order to the server (a paged list).
 */
export function useTable<T>(options: { data: T[]; columns: ColumnDef<T, unknown>[]; sorting: SortingState; onSortingChange: (s: SortingState) => void; manualSorting?: boolean; rowId?: (row: T) => string }): Table<T> {
  const table = useMemo(
    () =>
      createTable<T>({
        data: [],
        columns: [],
        state: {},
        onStateChange: () => {},
        renderFallbackValue: null,
        getCoreRowModel: getCoreRowModel(),
      }),
    [],
  );
  const setSorting = (u: Updater<SortingState>): void => options.onSortingChange(typeof u === 'function' ? u(options.sorting) : u);
  table.setOptions((prev) => ({
    ...prev,
    data: options.data,
    columns: options.columns,
    state: { ...table.initialState, sorting: options.sorting },
    onSortingChange: setSorting,
    onStateChange: () => {},
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    manualSorting: options.manualSorting ?? false,
    enableSortingRemoval: true,
    // The first click sorts up (A→Z, low→high), the second down, the third clears: the same for every column.
    sortDescFirst: false,
    ...(options.rowId ? { getRowId: options.rowId } : {}),
  }));
  return table;
}

/** ↑/↓ move between the rows of a table body, Enter opens the focused one (its click handler). */
export function rowKeys(e: KeyboardEvent): void {
  const tr = e.currentTarget as HTMLTableRowElement;
  if (e.key === 'Enter') {
    e.preventDefault();
    tr.click();
  } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    const next = (e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling) as HTMLElement | null;
    next?.focus();
  }
}
