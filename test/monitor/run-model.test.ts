import { describe, expect, it } from 'vitest';
import { RunModel } from '../../src/monitor/run-model.js';

let t = Date.parse('2026-01-01T00:00:00Z');
const ev = (type: string, data: Record<string, unknown> = {}, stepMs = 100): Record<string, unknown> => {
  t += stepMs;
  return { seq: 0, ts: new Date(t).toISOString(), type, run_id: 'r', ...data };
};

describe('RunModel', () => {
  it('derives Cooling, Waiting, Thinking (a <think> block), Streaming, Evaluating and Done from turn events', () => {
    const m = new RunModel('r', 'r', null);
    const stages: (string | null)[] = [];
    const apply = (e: Record<string, unknown>): void => {
      const r = m.apply(e);
      if (r.stageLane !== undefined) stages.push(m.lanes.get(r.stageLane)!.stage);
    };
    apply(ev('run_start', { tests_total: 1, turns_total: 2, tests: [{ test_id: 'T/0', dataset: 'colours' }] }));
    apply(ev('test_start', { test_id: 'T/0', dataset: 'colours', lane: 0 }));
    apply(ev('turn_start', { test_id: 'T/0', turn_id: 0, lane: 0, kind: 'test', dataset: 'colours', prompt: 'hi' }));
    apply(ev('turn_end', { test_id: 'T/0', turn_id: 0, lane: 0, status: 'success', is_question: false, response: 'ok', tokens_out: 1, llm_ms: 10, total_ms: 12, ttft_ms: 5 }));
    apply(ev('turn_start', { test_id: 'T/0', turn_id: 1, lane: 0, kind: 'test', dataset: 'colours', prompt: 'q?' }, 500));
    apply(ev('token', { test_id: 'T/0', turn_id: 1, delta: '<think>hmm', stage: 'streaming' }));
    apply(ev('token', { test_id: 'T/0', turn_id: 1, delta: '</think>', stage: 'streaming' }));
    apply(ev('token', { test_id: 'T/0', turn_id: 1, delta: 'blue', stage: 'streaming' }));
    apply(ev('turn_end', { test_id: 'T/0', turn_id: 1, lane: 0, status: 'success', is_question: true, response: '<think>hmm</think>blue', tokens_out: 3, llm_ms: 300, total_ms: 310, ttft_ms: 100 }));
    apply(ev('test_end', { test_id: 'T/0', dataset: 'colours', score: 1, max_score: 1, reasons: ['right'] }));
    expect(stages).toEqual(['waiting', 'done', 'waiting', 'thinking', 'streaming', 'evaluating', 'done']);
    const lane = m.lanes.get(0)!;
    expect(lane.stage_ms.cooling).toBe(500);
    expect(lane.stage_ms.waiting).toBe(100);
    expect(lane.stage_ms.thinking).toBe(100);
    expect(lane.stage_ms.streaming).toBe(200);
    expect(lane.stage_ms.evaluating).toBe(100);
    expect(lane.result).toContain('PASS T/0');
    expect(m.tests.get('T/0')!.status).toBe('pass');
    expect(m.summary().success_rate).toBe(1);
  });

  it('follows the run’s own stage events instead of deriving them once it writes any', () => {
    const m = new RunModel('r', 'r', null);
    m.apply(ev('turn_start', { test_id: 'T/0', turn_id: 0, lane: 0, prompt: 'p' }));
    expect(m.apply(ev('stage', { stage: 'Cooling', lane: 0 })).stageLane).toBe(0);
    expect(m.lanes.get(0)!.stage).toBe('cooling');
    m.apply(ev('turn_start', { test_id: 'T/0', turn_id: 1, lane: 0, prompt: 'p' }));
    // The call has gone out: Waiting, with the cooling that came before it kept.
    expect(m.lanes.get(0)!.stage).toBe('waiting');
    expect(m.lanes.get(0)!.stage_ms.cooling).toBe(100);
    m.apply(ev('turn_end', { test_id: 'T/0', turn_id: 1, lane: 0, status: 'success', is_question: true, llm_ms: 100 }));
    expect(m.lanes.get(0)!.stage).toBe('waiting'); // not derived any more
  });

  it('keeps a bounded window of telemetry samples', () => {
    const m = new RunModel('r', 'r', null);
    for (let i = 0; i < 200; i++) m.apply(ev('telemetry', { cpu_pct: i, mem_used_mb: 1, mem_total_mb: 2, rss_mb: 1, open_fds: 3, disk_mb_s: null }));
    const samples = m.detail()['telemetry'] as { cpu_pct: number }[];
    expect(samples).toHaveLength(60);
    expect(samples[59]!.cpu_pct).toBe(199);
    expect(samples[0]).not.toHaveProperty('gpus');
  });
});
