/**
 * The page's DOM helpers. Everything a model wrote (prompts, replies, reasons) and every
 * name from a run directory is put on the page with textContent, never as HTML.
 */

/** An element of index.html, by id. */
export function $(id: string): HTMLElement {
  return document.getElementById(id)!;
}

/** Sets an element's text, `—` for nothing; untouched when unchanged. */
export function text(id: string, value: string | number | null | undefined): void {
  const el = $(id);
  const v = value === null || value === undefined || value === '' ? '—' : String(value);
  if (el.textContent !== v) el.textContent = v;
}

/** A status pill: coloured by `status`, its title the longer story. */
export function pill(label: string, status: string, title?: string, extra?: string): HTMLSpanElement {
  const el = document.createElement('span');
  el.className = `pill pill-${status}${extra ? ' ' + extra : ''}`;
  el.textContent = label;
  el.title = title || label;
  el.dataset.status = status;
  return el;
}

/** A table row of text cells. */
export function row(cells: (string | number)[], className?: string): HTMLTableRowElement {
  const tr = document.createElement('tr');
  if (className !== undefined) tr.className = className;
  for (const v of cells) {
    const td = document.createElement('td');
    td.textContent = String(v);
    tr.append(td);
  }
  return tr;
}
