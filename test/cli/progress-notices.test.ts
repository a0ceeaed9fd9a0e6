import { describe, expect, it } from 'vitest';
import { ProgressReporter } from '../../src/cli/progress.js';
import type { ProgressSnapshot } from '../../src/events/reporter.js';

const snapshot: ProgressSnapshot = {
  testsDone: 0,
  testsTotal: 2,
  turnsDone: 0,
  turnsTotal: 4,
  turnsTotalEstimated: false,
  turnsFailed: 0,
  attempts: 0,
  tokensIn: 0,
  tokensOut: 0,
  costUsd: 0,
  startedAtMs: 0,
  elapsedMs: 0,
  etaMs: null,
  currentTestId: null,
  currentTestIndex: 0,
  notice: null,
};

/** What a piped (non-TTY) terminal shows of a run's notices. */
function piped(): { reporter: ProgressReporter; lines: () => string[] } {
  let text = '';
  const stream = { isTTY: false, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  return { reporter: new ProgressReporter({ stream, intervalS: 3600 }), lines: () => text.trim().split('\n') };
}

// issue 21: a notice that recurs on every test is printed once and counted; a stall is printed every time.
describe('notices on a piped terminal', () => {
  it('prints a recurring notice once, then counts the rest', () => {
    const { reporter, lines } = piped();
    for (const [id, tokens] of [['A/0', 1539], ['B/0', 1504], ['C/0', 1600]] as const) {
      reporter.onNotice('memory_span_overrun', `${id} spanned ${tokens} tokens`, { test_id: id, tokens, memory_span: 1500 }, snapshot);
    }
    expect(lines()).toEqual(['[referee] A/0 spanned 1539 tokens (more like it are counted at the end)']);
  });

  it('prints every stall and every recovery as it happens', () => {
    const { reporter, lines } = piped();
    reporter.onNotice('stall', 'no progress for 60 s', {}, snapshot);
    reporter.onNotice('stall_cleared', 'progress again', {}, snapshot);
    reporter.onNotice('stall', 'no progress for 60 s', {}, snapshot);
    expect(lines()).toEqual(['[referee] no progress for 60 s', '[referee] progress again', '[referee] no progress for 60 s']);
  });
});
