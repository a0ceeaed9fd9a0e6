import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Run directories whose true numbers are known (issue 17): each is the
 * events.jsonl a run of that shape writes, with timestamps chosen so every
 * figure the monitor shows can be worked out by hand.
 */

type Ev = Record<string, unknown>;
const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();

function writeRun(root: string, runId: string, meta: Ev, events: [number, string, Ev][]): void {
  const dir = join(root, runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ run_id: runId, created_at: at(0), ...meta, agent: { name: meta['agent'] ?? runId } }));
  writeFileSync(join(dir, 'events.jsonl'), events.map(([s, type, data], seq) => JSON.stringify({ seq, ts: at(s), type, run_id: runId, ...data })).join('\n') + '\n');
}

const turnEnd = (test: string, turn: number, step: number, extra: Ev): Ev => ({
  test_id: test,
  turn_id: turn,
  lane: 0,
  step,
  dataset: 'qa',
  kind: 'test',
  is_question: true,
  storage_ms: 0,
  tokens_in: 10,
  cost_usd: 0,
  ...extra,
});

/**
 * A task run, 3 tasks of 1 turn, up to 2 attempts each: `a` passes at once with a
 * one-chunk reply (30 tokens, 1500 ms call, first token at 1499.96 ms: 750,000 tok/s
 * if measured per chunk); `b` answers wrong, then errors (a failed turn); `c` errors,
 * then passes. True values: 3/3 turns, 5 attempts, 1 failed turn; 100 tokens out in
 * 5500 ms of calls = 18.18 tok/s.
 */
export function writeRetriedTaskRun(root: string): void {
  const start = (test: string, turn: number, step: number): Ev => ({ test_id: test, turn_id: turn, lane: 0, step, kind: 'test', dataset: 'qa', prompt: `task ${test}` });
  writeRun(root, 'tasks-retried', { agent: 'task-agent', status: 'finished', run_type: 'tasks' }, [
    [0, 'run_start', { tests_total: 3, turns_total: 3, tests: ['a', 'b', 'c'].map((t) => ({ test_id: t, dataset: 'qa' })) }],
    [0, 'test_start', { test_id: 'a', dataset: 'qa', lane: 0 }],
    [0, 'turn_start', start('a', 0, 0)],
    [1.49996, 'stage', { test_id: 'a', turn_id: 0, stage: 'streaming', attempt: 1 }],
    [1.5, 'turn_end', turnEnd('a', 0, 0, { status: 'success', tokens_out: 30, llm_ms: 1500, total_ms: 1500, ttft_ms: 1499.96, attempts: 1, response: 'A' })],
    [1.5, 'stage', { test_id: 'a', turn_id: 0, stage: 'evaluating', attempt: 1 }],
    [1.6, 'test_end', { test_id: 'a', dataset: 'qa', score: 1, max_score: 1, reasons: ['attempt 1: pass'] }],
    [1.6, 'stage', { test_id: 'a', turn_id: 0, stage: 'done' }],
    [1.7, 'stage', { test_id: 'b', turn_id: -1, stage: 'cooling', ms: 100 }],
    [1.8, 'test_start', { test_id: 'b', dataset: 'qa', lane: 0 }],
    [1.8, 'turn_start', start('b', 1, 1)],
    [2.0, 'stage', { test_id: 'b', turn_id: 1, stage: 'streaming', attempt: 1 }],
    [2.8, 'turn_end', turnEnd('b', 1, 1, { status: 'success', tokens_out: 20, llm_ms: 1000, total_ms: 1000, ttft_ms: 200, attempts: 1, response: 'wrong' })],
    [2.8, 'stage', { test_id: 'b', turn_id: 1, stage: 'evaluating', attempt: 1 }],
    [2.9, 'turn_start', start('b', 2, 1)],
    [3.4, 'turn_end', turnEnd('b', 2, 1, { status: 'error', reason: 'timeout', tokens_out: 0, llm_ms: 500, total_ms: 500, ttft_ms: null, attempts: 2, response: '' })],
    [3.5, 'test_end', { test_id: 'b', dataset: 'qa', score: 0, max_score: 1, reasons: ['attempt 1: fail', 'attempt 2: fail: timeout'] }],
    [3.5, 'stage', { test_id: 'b', turn_id: 2, stage: 'done' }],
    [3.6, 'test_start', { test_id: 'c', dataset: 'qa', lane: 0 }],
    [3.6, 'turn_start', start('c', 3, 2)],
    [4.1, 'turn_end', turnEnd('c', 3, 2, { status: 'error', reason: 'http 500', tokens_out: 0, llm_ms: 500, total_ms: 500, ttft_ms: null, attempts: 1, response: '' })],
    [4.2, 'turn_start', start('c', 4, 2)],
    [4.4, 'stage', { test_id: 'c', turn_id: 4, stage: 'streaming', attempt: 2 }],
    [6.2, 'turn_end', turnEnd('c', 4, 2, { status: 'success', tokens_out: 50, llm_ms: 2000, total_ms: 2000, ttft_ms: 200, attempts: 2, response: 'C' })],
    [6.2, 'stage', { test_id: 'c', turn_id: 4, stage: 'evaluating', attempt: 2 }],
    [6.3, 'test_end', { test_id: 'c', dataset: 'qa', score: 1, max_score: 1, reasons: ['attempt 2: pass'] }],
    [6.3, 'stage', { test_id: 'c', turn_id: 4, stage: 'done' }],
    [6.4, 'run_end', { status: 'finished', score: 2, max_score: 3 }],
  ]);
}

/**
 * An LTM run interrupted after 3.7 s and resumed 100 s after it started; the second
 * segment runs 19.1 s. True values: elapsed 22.8 s (not 119.1, not 3.7), 2 tests of
 * 2 datasets (1 each, not 2), avg_task_seconds 11.4.
 */
export function writeResumedRun(root: string): void {
  const tests = [
    { test_id: 'colours/0', dataset: 'colours' },
    { test_id: 'names/0', dataset: 'names' },
  ];
  const runStart = { tests_total: 2, turns_total: 4, tests };
  const turn = (test: string, id: number, dataset: string): Ev => ({ test_id: test, turn_id: id, lane: 0, step: id, kind: 'test', dataset, prompt: 'p' });
  const end = (test: string, id: number, dataset: string, q: boolean): Ev => ({
    ...turnEnd(test, id, id, { status: 'success', tokens_out: 10, llm_ms: 400, total_ms: 450, ttft_ms: 100, response: 'r' }),
    dataset,
    is_question: q,
  });
  writeRun(root, 'ltm-resumed', { agent: 'ltm-agent', status: 'finished' }, [
    [0, 'run_start', runStart],
    [0, 'test_start', { test_id: 'colours/0', dataset: 'colours', lane: 0 }],
    [0.1, 'turn_start', turn('colours/0', 0, 'colours')],
    [1, 'turn_end', end('colours/0', 0, 'colours', false)],
    [1.1, 'turn_start', turn('colours/0', 1, 'colours')],
    [3.5, 'turn_end', end('colours/0', 1, 'colours', true)],
    [3.6, 'test_end', { test_id: 'colours/0', dataset: 'colours', score: 1, max_score: 1, reasons: [] }],
    [3.7, 'run_end', { status: 'interrupted', score: 1, max_score: 1 }],
    [100, 'run_start', runStart],
    [100.1, 'test_start', { test_id: 'names/0', dataset: 'names', lane: 0 }],
    [100.2, 'turn_start', turn('names/0', 2, 'names')],
    [105, 'turn_end', end('names/0', 2, 'names', false)],
    [105.1, 'turn_start', turn('names/0', 3, 'names')],
    [118, 'turn_end', end('names/0', 3, 'names', true)],
    [119, 'test_end', { test_id: 'names/0', dataset: 'names', score: 0, max_score: 1, reasons: ['wrong'] }],
    [119.1, 'run_end', { status: 'finished', score: 1, max_score: 2 }],
  ]);
  // What the agent said, hostile markup included: the viewer shows it as text.
  const transcript = [
    { turn_id: 2, test_id: 'names/0', user: 'My name is Ana.', agent: 'Noted.', metadata: {} },
    { turn_id: 3, test_id: 'names/0', user: 'What is my name?', agent: '<img src=x onerror="document.title=\'pwned\'">Bob</script>', metadata: {} },
  ];
  writeFileSync(join(root, 'ltm-resumed', 'transcripts.jsonl'), transcript.map((t) => JSON.stringify(t)).join('\n') + '\n');
}

/**
 * A GoodAI-schedule run still going: three tests open at once, `t/0` on the lane
 * now, `t/1` between its turns (43 of its 50 tokens of wait still to pass), `t/2` not
 * begun. True queue: t/1 waiting, t/2 pending.
 */
export function writeLiveLtmRun(root: string, startedAt: number): void {
  const ts = (s: number): string => new Date(startedAt + s * 1000).toISOString();
  const dir = join(root, 'ltm-live');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ run_id: 'ltm-live', created_at: ts(0), status: 'running', agent: { name: 'live-agent' } }));
  const tests = ['t/0', 't/1', 't/2'].map((t) => ({ test_id: t, dataset: 'd' }));
  const lines: [number, string, Ev][] = [
    [0, 'run_start', { tests_total: 3, turns_total: 9, tests }],
    [0, 'test_start', { test_id: 't/1', dataset: 'd', lane: 0 }],
    [0.1, 'turn_start', { test_id: 't/1', turn_id: 0, lane: 0, step: 0, kind: 'test', dataset: 'd', prompt: 'p' }],
    [0.5, 'turn_end', { ...turnEnd('t/1', 0, 0, { status: 'success', tokens_out: 5, llm_ms: 400, total_ms: 400, ttft_ms: 50 }), dataset: 'd', is_question: false }],
    [0.6, 'test_start', { test_id: 't/0', dataset: 'd', lane: 0 }],
    [0.6, 'turn_start', { test_id: 't/0', turn_id: 1, lane: 0, step: 1, kind: 'test', dataset: 'd', prompt: 'p' }],
  ];
  writeFileSync(join(dir, 'events.jsonl'), lines.map(([s, type, data], seq) => JSON.stringify({ seq, ts: ts(s), type, run_id: 'ltm-live', ...data })).join('\n') + '\n');
  // GoodAI's log of the same: t/1 waits 50 tokens after its reply; t/0's message since is 7 (cl100k), so 43 are left.
  const master: [number, number, string, Record<string, unknown>][] = [
    [0, 1, 't - 1', { tokens: 0 }],
    [0.1, 0, 't - 1', { message: 'My favourite colour is blue.', is_question: false, turn_id: 0 }],
    [0.5, 4, 't - 1', { message: 'Noted.', is_question: false, turn_id: 0 }],
    [0.5, 6, 't - 1', { tokens: 50, time: 0 }],
    [0.6, 1, 't - 0', { tokens: 9 }],
    [0.6, 0, 't - 0', { message: 'What is the capital of France?', is_question: false, turn_id: 1 }],
  ];
  writeFileSync(join(dir, 'master_log.jsonl'), master.map(([s, type, id, data]) => JSON.stringify({ type, timestamp: (startedAt + s * 1000) / 1000, test_id: id, data })).join('\n') + '\n');
}

/**
 * A suite `demo`, 2 agents x 2 datasets of 4 tasks. True pass counts: strong 4/4 on
 * math and 3/4 on trivia, weak 1/4 on math and 2/4 on trivia.
 */
export function writeSuiteRuns(root: string): void {
  const passes: Record<string, number> = { 'strong-math': 4, 'strong-trivia': 3, 'weak-math': 1, 'weak-trivia': 2 };
  for (const [cell, passed] of Object.entries(passes)) {
    const [agent, dataset] = cell.split('-') as [string, string];
    const tests = [0, 1, 2, 3].map((i) => ({ test_id: `${dataset}/${i}`, dataset }));
    const events: [number, string, Ev][] = [[0, 'run_start', { tests_total: 4, turns_total: 4, tests }]];
    tests.forEach((t, i) => events.push([1 + i, 'test_end', { test_id: t.test_id, dataset, score: i < passed ? 1 : 0, max_score: 1, reasons: [] }]));
    events.push([6, 'run_end', { status: 'finished' }]);
    writeRun(root, `demo-${cell}`, { agent, status: 'finished', run_type: 'suite', dataset_config: { kind: 'tasks', name: dataset, suite: 'demo' } }, events);
  }
}
