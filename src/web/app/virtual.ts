import { elementScroll, observeElementOffset, observeElementRect, Virtualizer, type VirtualItem } from '@tanstack/virtual-core';
import { useLayoutEffect, useReducer, useState, type MutableRef } from 'preact/hooks';

/**
 * TanStack Virtual's core bound to Preact the way its React adapter binds it: one virtualizer
 * per component, its options set again on every render, a redraw whenever the range in view moves.
 * Only the rows in view (and `overscan` on each side) are in the DOM, however many the list holds.
 */
export function useVirtualRows(count: number, scroller: MutableRef<HTMLElement | null>, rowHeight: number, overscan = 20): Virtualizer<HTMLElement, Element> {
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const options = {
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan,
    observeElementRect,
    observeElementOffset,
    scrollToFn: elementScroll,
    onChange: () => redraw(undefined),
  };
  const [v] = useState(() => new Virtualizer<HTMLElement, Element>(options));
  v.setOptions(options);
  useLayoutEffect(() => v._didMount(), []);
  useLayoutEffect(() => v._willUpdate());
  return v;
}

/** The heights of the empty rows that stand for the rows above and below those drawn, so the scrollbar is the whole list's. */
export function padding(items: VirtualItem[], total: number): { top: number; bottom: number } {
  if (!items.length) return { top: 0, bottom: 0 };
  return { top: items[0]!.start, bottom: Math.max(0, total - items[items.length - 1]!.end) };
}
