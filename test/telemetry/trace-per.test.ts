/**
 * One trace per test: each test (a GoodAI conversation, a task) is the root of its own trace,
 * linked to the run span by a span link and `referee.run_trace_id`, every span of it in the
 * test's Phoenix session (`session.id`); filler turns gather in blocks of their own. A long run
 * splits by itself (`auto`), a short one stays one trace. Real CLI runs, their spans.jsonl.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILLER_BLOCK_TURNS, TRACE_PER_TEST_ABOVE_TURNS } from '../../src/telemetry/trace-per.js';
import { readJson, readJsonl, ROOT, runCli, tempDir } from '../helpers.js';
import { recordedSpans, type RecordedSpan } from './otlp-receivers.js';

const attr = (s: RecordedSpan, key: string): unknown => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
};
function byTrace(spans: RecordedSpan[]): Map<string, RecordedSpan[]> {
  const out = new Map<string, RecordedSpan[]>();
  for (const s of spans) out.set(s.traceId, [...(out.get(s.traceId) ?? []), s]);
  return out;
}
const rootOf = (spans: RecordedSpan[]): RecordedSpan[] => spans.filter((s) => !s.parentSpanId);

/** Every test trace and filler block: one root, linked to the run span, with its trace id beside. */
function checkLinked(traces: Map<string, RecordedSpan[]>, run: RecordedSpan): void {
  for (const [traceId, spans] of traces) {
    const ids = new Set(spans.map((s) => s.spanId));
    // Parentage intact inside each trace: the record replays as the same traces.
    expect(spans.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId)).map((s) => s.name)).toEqual([]);
    if (traceId === run.traceId) continue;
    const [root, ...more] = rootOf(spans);
    expect(more).toEqual([]);
    expect(root!.links?.map((l) => [l.traceId, l.spanId])).toEqual([[run.traceId, run.spanId]]);
    expect(attr(root!, 'referee.run_trace_id')).toBe(run.traceId);
    expect(attr(root!, 'referee.run_span_id')).toBe(run.spanId);
  }
}

describe('--trace-per test, an LTM run', () => {
  it('makes each test a trace of its own in its own session, every turn of the test in it, linked to the run', async () => {
    const out = tempDir('referee-trace-per-');
    const r = await runCli(['run', '--runs-dir', out, '--run-id', 'p', '--quiet', '--trace-per', 'test']);
    expect(r.code, r.stderr).toBe(0);
    const runDir = join(out, 'p');
    const spans = recordedSpans(runDir);
    const traces = byTrace(spans);
    const [run] = spans.filter((s) => s.name === 'benchmark.run');
    expect(attr(run!, 'referee.trace_per')).toBe('test');
    // The run's own trace keeps the run span and the conversation's opening (storage open).
    expect(traces.get(run!.traceId)!.map((s) => s.name).sort()).toEqual(['benchmark.run', 'storage open']);
    checkLinked(traces, run!);

    const stats = readJson<{ tests: { test_id: string }[] }>(join(runDir, 'runstats.json'));
    const turns = readJsonl<{ test_id: string }>(join(runDir, 'turn_metrics.jsonl'));
    const testRoots = spans.filter((s) => s.name === 'benchmark.test');
    expect(testRoots.map((s) => attr(s, 'referee.test_id')).sort()).toEqual(stats.tests.map((t) => t.test_id).sort());
    for (const root of testRoots) {
      const testId = attr(root, 'referee.test_id') as string;
      const own = traces.get(root.traceId)!;
      expect(rootOf(own)).toEqual([root]);
      expect(own.filter((s) => s.name === 'benchmark.turn').length).toBe(turns.filter((t) => t.test_id === testId).length);
      expect(own.filter((s) => s.name.startsWith('evaluate ')).length).toBe(1);
      // What Phoenix's Sessions view shows of the test: its messages in, the agent's answers out.
      expect(String(attr(root, 'input.value')).split('\n').length).toBeGreaterThanOrEqual(own.filter((s) => s.name === 'benchmark.turn').length);
      expect(attr(root, 'output.value')).toEqual(expect.any(String));
      // Phoenix reads gen_ai.conversation.id as session.id too (the chat span's included): all name the test.
      const sessions = new Set(own.flatMap((s) => [attr(s, 'session.id'), attr(s, 'gen_ai.conversation.id')]).filter((v) => v !== undefined));
      expect([...sessions]).toEqual([`p/${testId}`]);
      expect(new Set(own.map((s) => attr(s, 'referee.agent.session_id')).filter(Boolean))).toEqual(new Set(['p/lane-0']));
    }
    // Filler turns (no test's) in blocks, each a trace in the lane's filler session.
    const blocks = spans.filter((s) => s.name === 'benchmark.filler');
    const fillerTurns = turns.filter((t) => t.test_id === 'filler').length;
    expect(fillerTurns).toBeGreaterThan(0);
    expect(blocks.length).toBe(Math.ceil(fillerTurns / FILLER_BLOCK_TURNS));
    expect(blocks.reduce((n, b) => n + Number(attr(b, 'referee.filler.turns')), 0)).toBe(fillerTurns);
    for (const b of blocks) expect(new Set(traces.get(b.traceId)!.map((s) => attr(s, 'session.id')).filter(Boolean))).toEqual(new Set(['p/filler-lane-0']));
    expect(traces.size).toBe(1 + testRoots.length + blocks.length);
  });

  it(`auto: a run of more than ${TRACE_PER_TEST_ABOVE_TURNS} planned turns splits by itself, every trace far under its whole`, async () => {
    const out = tempDir('referee-trace-auto-');
    const dataset = join(out, 'long.yaml');
    writeFileSync(dataset, readFileSync(join(ROOT, 'configs/datasets/default.yaml'), 'utf8').replace('memory_span: 1500', 'memory_span: 8000').replace('dataset_examples: 2', 'dataset_examples: 10'));
    const r = await runCli(['run', '--runs-dir', out, '--run-id', 'a', '--quiet', '--dataset-config', dataset, '--overrides', 'agent.max_message_size=200'], { timeoutMs: 180_000 });
    expect(r.code, r.stderr).toBe(0);
    const turns = readJsonl(join(out, 'a', 'turn_metrics.jsonl')).length;
    expect(turns).toBeGreaterThan(TRACE_PER_TEST_ABOVE_TURNS);
    const spans = recordedSpans(join(out, 'a'));
    const traces = byTrace(spans);
    const [run] = spans.filter((s) => s.name === 'benchmark.run');
    expect(attr(run!, 'referee.trace_per')).toBe('test');
    checkLinked(traces, run!);
    expect(spans.length).toBeGreaterThan(1000);
    expect(Math.max(...[...traces.values()].map((t) => t.length))).toBeLessThan(FILLER_BLOCK_TURNS * 3);
  });
});

describe('--trace-per test, a task run', () => {
  it('makes each task a trace and a session of its own, its attempts in it', async () => {
    const out = tempDir('referee-trace-tasks-');
    const args = ['--tasks', join(ROOT, 'configs/tasks/basics.jsonl'), '--agent-config', join(ROOT, 'configs/agents/sim-mini.yaml')];
    const r = await runCli(['run', ...args, '--runs-dir', out, '--run-id', 'k', '--quiet', '--trace-per', 'test', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const runDir = (JSON.parse(r.stdout) as { path: string }).path;
    const spans = recordedSpans(runDir);
    const traces = byTrace(spans);
    const [run] = spans.filter((s) => s.name === 'benchmark.run');
    checkLinked(traces, run!);
    const tasks = readJson<{ tests: { test_id: string }[] }>(join(runDir, 'runstats.json')).tests;
    expect(traces.size).toBe(1 + tasks.length);
    for (const root of spans.filter((s) => s.name === 'benchmark.test')) {
      const own = traces.get(root.traceId)!;
      const sessions = own.flatMap((s) => [attr(s, 'session.id'), attr(s, 'gen_ai.conversation.id')]).filter(Boolean);
      expect(new Set(sessions)).toEqual(new Set([`${attr(run!, 'referee.run_id')}/${attr(root, 'referee.test_id')}`]));
      expect(own.filter((s) => s.name === 'benchmark.turn').length).toBeGreaterThan(0);
      // The task as asked and its last answer, what Phoenix's Sessions view shows of it.
      const lastTurn = own.filter((s) => s.name === 'benchmark.turn').at(-1)!;
      expect(attr(root, 'input.value')).toBe(attr(lastTurn, 'input.value'));
      expect(attr(root, 'output.value')).toEqual(expect.any(String));
    }
  });
});
