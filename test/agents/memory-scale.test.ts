/**
 * Issue 13: the memory store's search costs the same on a long run as on a
 * short one: a term's newest `maxPostings` documents are scored, and the best
 * k are selected without sorting every scored document.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore, topK } from '../../src/agents/memory/store.js';
import { tempDir } from '../helpers.js';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

describe('topK', () => {
  it('selects what a full sort would, ties newest first', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 20; round++) {
      const scores = new Map<number, number>();
      for (let d = 0; d < 300; d++) if (rand() < 0.7) scores.set(d, Math.round(rand() * 20) / 4);
      const sorted = [...scores.entries()].sort((x, y) => y[1] - x[1] || y[0] - x[0]);
      for (const k of [1, 5, 16, 1000]) expect(topK(scores, k)).toEqual(sorted.slice(0, k));
    }
  });
});

describe('memory store with a capped posting scan', () => {
  it('finds a rare term however old, and scores only the newest documents of a common one', () => {
    const store = MemoryStore.open(tempDir('referee-mem-'), { maxPostings: 8 });
    store.write([{ role: 'user', text: 'my favourite colour is zebra striped' }]);
    for (let i = 0; i < 200; i++) store.write([{ role: 'user', text: `the colour of item ${i} is plain` }]);
    const rare = store.search('what colour is zebra', 3).hits;
    expect(rare[0]!.record.id).toBe(0);
    // "colour" is in every document; only its 8 newest are scored.
    const common = store.search('colour', 50).hits.map((h) => h.record.id);
    expect(common).toEqual([200, 199, 198, 197, 196, 195, 194, 193]);
    store.close();
  });

  it('reopens from disk with the same answers', () => {
    const dir = tempDir('referee-mem-');
    const a = MemoryStore.open(dir, { maxPostings: 8 });
    for (let i = 0; i < 100; i++) a.write([{ role: 'user', text: `note ${i} about apples` }]);
    const before = a.search('apples', 5).hits.map((h) => h.record.id);
    a.close();
    const b = MemoryStore.open(dir, { maxPostings: 8 });
    expect(b.search('apples', 5).hits.map((h) => h.record.id)).toEqual(before);
    expect(before).toEqual([99, 98, 97, 96, 95]);
    b.close();
  });

  it('reads old records back from the file, after a torn last line too', () => {
    const dir = tempDir('referee-mem-');
    const a = MemoryStore.open(dir);
    for (let i = 0; i < 1000; i++) a.write([{ role: i % 2 ? 'assistant' : 'user', text: `line ${i} ${i === 3 ? 'platypus' : 'filler'} text é` }]);
    a.close();
    appendFileSync(join(dir, 'memory.jsonl'), '{"id":1000,"ts":"x","role":"us');
    const b = MemoryStore.open(dir);
    expect(b.skippedLines).toBe(1);
    b.write([{ role: 'user', text: 'line after the tear, wombat' }]);
    expect(b.search('platypus', 1).hits[0]!.record).toMatchObject({ id: 3, role: 'assistant', text: 'line 3 platypus text é' });
    expect(b.search('wombat', 1).hits[0]!.record).toMatchObject({ id: 1000, text: 'line after the tear, wombat' });
    expect(b.recordAt(0)).toMatchObject({ id: 0, text: 'line 0 filler text é' });
    expect(b.size).toBe(1001);
    b.close();
  });
});
