import { afterAll, beforeAll } from 'vitest';
import { stackLayout } from '../../src/stack/config.js';
import { phoenixUrl, stackDown, stackStatus, stackUp, type ServiceName } from '../../src/stack/services.js';
import { ROOT } from '../helpers.js';

/** The native stack of this checkout, for the stack tests (test/stack/). */
export const layout = stackLayout({ root: ROOT });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts what of the stack is not running before the file's tests, and stops only that after them. */
export function useStack(): void {
  const startedHere: ServiceName[] = [];
  beforeAll(async () => {
    const before = await stackStatus(layout);
    await stackUp(layout);
    for (const s of before) if (!s.healthy) startedHere.push(s.name);
  });
  afterAll(async () => {
    // Only what this file started; a stack the developer had up stays up.
    await stackDown(layout, startedHere);
  });
}

/** A span as Phoenix's REST API (`/v1/projects/{project}/spans`) returns it. */
export interface PhoenixSpan {
  name: string;
  context: { trace_id: string; span_id: string };
  span_kind: string;
  parent_id: string | null;
  attributes: Record<string, unknown>;
}

/** Every span of the project that Phoenix holds (none while the project does not exist). */
export async function phoenixSpans(project: string): Promise<PhoenixSpan[]> {
  const all: PhoenixSpan[] = [];
  let cursor: string | null = null;
  do {
    const url = `${phoenixUrl(layout)}/v1/projects/${encodeURIComponent(project)}/spans?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await fetch(url).catch(() => undefined);
    if (!res?.ok) return all;
    const page = (await res.json()) as { data: PhoenixSpan[]; next_cursor: string | null };
    all.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return all;
}

/**
 * Waits until Phoenix holds as many spans of the project as were written, or has taken no more for
 * `stallMs`: how fast Phoenix inserts 10,000 spans depends on the machine's load, not on a deadline.
 */
export async function waitForPhoenix(project: string, expected: number, stallMs = 120_000): Promise<PhoenixSpan[]> {
  let seen = -1;
  let grewAt = Date.now();
  for (;;) {
    const spans = await phoenixSpans(project);
    if (spans.length >= expected) return spans;
    if (spans.length > seen) {
      seen = spans.length;
      grewAt = Date.now();
    } else if (Date.now() - grewAt > stallMs) return spans;
    await sleep(2000);
  }
}
