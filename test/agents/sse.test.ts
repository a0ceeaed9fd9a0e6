import { describe, expect, it } from 'vitest';
import { SseParser, readSseEvents } from '../../src/agents/llm/sse.js';

const STREAM = 'data: {"a":1}\r\n\r\n: keep-alive\n\nevent: note\ndata: line one\ndata: line two\nid: 7\n\ndata:no-space\r\rdata: [DONE]\n\n';
const EXPECTED = [
  { event: 'message', data: '{"a":1}' },
  { event: 'note', data: 'line one\nline two', id: '7' },
  { event: 'message', data: 'no-space', id: '7' },
  { event: 'message', data: '[DONE]', id: '7' },
];

function parseInPieces(text: string, cuts: number[]) {
  const parser = new SseParser();
  const events = [];
  let at = 0;
  for (const cut of [...cuts, text.length]) {
    events.push(...parser.push(text.slice(at, cut)));
    at = cut;
  }
  events.push(...parser.end());
  return events;
}

describe('SseParser', () => {
  it('parses a whole stream', () => {
    expect(parseInPieces(STREAM, [])).toEqual(EXPECTED);
  });

  it('gives the same events for every single split point, including inside \\r\\n', () => {
    for (let cut = 1; cut < STREAM.length; cut++) {
      expect(parseInPieces(STREAM, [cut]), `cut at ${cut}`).toEqual(EXPECTED);
    }
  });

  it('gives the same events fed one character at a time', () => {
    expect(parseInPieces(STREAM, [...STREAM].map((_, i) => i).slice(1))).toEqual(EXPECTED);
  });

  it('delivers a last event without its blank line at end()', () => {
    const parser = new SseParser();
    expect(parser.push('data: x')).toEqual([]);
    expect(parser.end()).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('reads a byte stream with multi-byte characters split across chunks', async () => {
    const bytes = new TextEncoder().encode('data: héllo 🌍\n\ndata: [DONE]\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 3) controller.enqueue(bytes.subarray(i, i + 3));
        controller.close();
      },
    });
    const events = [];
    for await (const e of readSseEvents(body)) events.push(e.data);
    expect(events).toEqual(['héllo 🌍', '[DONE]']);
  });
});
