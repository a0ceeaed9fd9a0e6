import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonlLineIndex } from '../../src/monitor/line-index.js';
import { tempDir } from '../helpers.js';

const line = (turn: number, test: string, agent: string): string => JSON.stringify({ turn_id: turn, test_id: test, user: 'u', agent, metadata: {} }) + '\n';

// issue 17: one sample's messages out of a large transcripts.jsonl without reading it all again.
describe('JsonlLineIndex', () => {
  it('finds a test’s lines, not lines whose text only mentions it, and follows the file as it grows', async () => {
    const file = join(tempDir('referee-line-index-'), 'transcripts.jsonl');
    writeFileSync(file, line(0, 'a/0', 'x') + line(1, 'b/0', 'I said "test_id":"a/0" here') + line(2, 'a/0', 'y'));
    const index = new JsonlLineIndex(file, 'test_id');
    expect((await index.find('a/0')).map((t) => [t['turn_id'], t['agent']])).toEqual([[0, 'x'], [2, 'y']]);
    // A torn last line waits for its newline.
    const next = line(3, 'a/0', 'z');
    appendFileSync(file, next.slice(0, 20));
    expect((await index.find('a/0')).map((t) => t['turn_id'])).toEqual([0, 2]);
    appendFileSync(file, next.slice(20));
    expect((await index.find('a/0')).map((t) => t['turn_id'])).toEqual([0, 2, 3]);
    expect(await index.find('nope')).toEqual([]);
    // Replaced by a shorter file: indexed again from the start.
    writeFileSync(file, line(9, 'a/0', 'new'));
    expect((await index.find('a/0')).map((t) => t['agent'])).toEqual(['new']);
  });

  it('indexes a file larger than one read slice', async () => {
    const file = join(tempDir('referee-line-index-'), 'transcripts.jsonl');
    const long = 'w'.repeat(3000);
    writeFileSync(file, Array.from({ length: 1000 }, (_, i) => line(i, `t/${i % 7}`, long)).join(''));
    const found = await new JsonlLineIndex(file, 'test_id').find('t/3');
    expect(found.map((t) => t['turn_id'])).toEqual(Array.from({ length: 1000 }, (_, i) => i).filter((i) => i % 7 === 3));
  });
});
