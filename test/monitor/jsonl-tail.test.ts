import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonlTail } from '../../src/monitor/jsonl-tail.js';
import { tempDir } from '../helpers.js';

describe('JsonlTail', () => {
  it('reads only what was appended, holding a torn last line until it is complete', async () => {
    const file = join(tempDir(), 'events.jsonl');
    const tail = new JsonlTail(file);
    expect(await tail.readNew()).toEqual([]); // not there yet
    writeFileSync(file, '{"a":1}\n{"a":2}\n{"a":');
    expect(await tail.readNew()).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await tail.readNew()).toEqual([]);
    appendFileSync(file, '3}\n');
    expect(await tail.readNew()).toEqual([{ a: 3 }]);
    expect(tail.position).toBe(24);
  });

  it('keeps a multi-byte character split across writes intact', async () => {
    const file = join(tempDir(), 'events.jsonl');
    const tail = new JsonlTail(file);
    const line = Buffer.from('{"t":"héllo → 🌍"}\n');
    const cut = line.indexOf(0xf0) + 2; // in the middle of the emoji
    writeFileSync(file, line.subarray(0, cut));
    expect(await tail.readNew()).toEqual([]);
    appendFileSync(file, line.subarray(cut));
    expect(await tail.readNew()).toEqual([{ t: 'héllo → 🌍' }]);
  });

  it('skips a corrupt complete line and starts over when the file is replaced', async () => {
    const file = join(tempDir(), 'events.jsonl');
    const tail = new JsonlTail(file);
    writeFileSync(file, '{"a":1}\nnot json\n{"a":2}\n');
    expect(await tail.readNew()).toEqual([{ a: 1 }, { a: 2 }]);
    expect(tail.corruptLines).toBe(1);
    writeFileSync(file, '{"b":1}\n');
    expect(await tail.readNew()).toEqual([{ b: 1 }]);
  });
});
