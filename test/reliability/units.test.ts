/** Issue 4's building blocks, each against real parts (a real sim server, a real temp directory). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChatAgent } from '../../src/agents/chat-agent.js';
import { createFaultInterceptor, faultForCall } from '../../src/agents/sim/faults.js';
import { startSimServer } from '../../src/agents/sim/server.js';
import { RetriesSchema } from '../../src/config/agent.js';
import { SimFaultSchema, type SimFault } from '../../src/config/sim-faults.js';
import { CallError } from '../../src/errors.js';
import { backoffMs, describeRetry, isRetryable, type RetryInfo } from '../../src/runner/retry.js';
import type { ProgressSnapshot } from '../../src/runner/reporter.js';
import { activeMsOf } from '../../src/runner/resume.js';
import { headTruncate, sanitizeMetadata } from '../../src/runner/sanitize.js';
import type { ScheduleStep } from '../../src/runner/scheduler.js';
import { recordableHeader } from '../../src/events/secrets.js';
import { executeTurn } from '../../src/runner/turn.js';
import { StallWatchdog } from '../../src/runner/watchdog.js';
import { tempDir } from '../helpers.js';

const policy = RetriesSchema.parse({ max_attempts: 4, base_ms: 100, max_ms: 1000 });

describe('retry policy', () => {
  it('retries 429, 408, 5xx, connection resets and malformed chunks; not 4xx, timeouts or aborts', () => {
    expect(isRetryable(new CallError('http', '', { status: 429 }))).toBe(true);
    expect(isRetryable(new CallError('http', '', { status: 408 }))).toBe(true);
    expect(isRetryable(new CallError('http', '', { status: 503 }))).toBe(true);
    expect(isRetryable(new CallError('connection', ''))).toBe(true);
    expect(isRetryable(new CallError('malformed', ''))).toBe(true);
    expect(isRetryable(new CallError('http', '', { status: 401 }))).toBe(false);
    expect(isRetryable(new CallError('http', '', { status: 400 }))).toBe(false);
    expect(isRetryable(new CallError('timeout', ''))).toBe(false);
    expect(isRetryable(new CallError('aborted', ''))).toBe(false);
    expect(isRetryable(new Error('x'))).toBe(false);
  });

  it('backs off exponentially with jitter between half and all of the step, capped, and honours Retry-After', () => {
    expect(backoffMs(1, policy, undefined, () => 0)).toBe(50);
    expect(backoffMs(1, policy, undefined, () => 0.999)).toBeCloseTo(100, 0);
    expect(backoffMs(3, policy, undefined, () => 0)).toBe(200);
    expect(backoffMs(10, policy, undefined, () => 1)).toBe(1000);
    expect(backoffMs(1, policy, 4000, () => 0)).toBe(4000);
    // A Retry-After shorter than the backoff does not shorten it.
    expect(backoffMs(3, policy, 10, () => 0)).toBe(200);
  });

  it('words a retry as the progress line shows it', () => {
    const info: RetryInfo = { retry: 2, maxRetries: 5, delayMs: 4000, reason: 'http_429', status: 429, message: '' };
    expect(describeRetry(info)).toBe('backing off 429, retry 2/5 in 4 s');
    expect(describeRetry({ ...info, status: undefined, reason: 'connection', delayMs: 250 } as RetryInfo)).toBe('backing off connection, retry 2/5 in 250 ms');
  });
});

function step(message = 'Hello there'): ScheduleStep {
  return { turnId: 0, lane: 0, step: 0, kind: 'filler', testId: 'filler', dataset: 'filler', message, isQuestion: false, lineIndex: -1, beginsTest: false, endsTest: false, tokens: 3, laneTokensBefore: 0 };
}

async function withFaults<T>(faults: SimFault[], fn: (agent: ChatAgent) => Promise<T>): Promise<T> {
  const sim = await startSimServer({ intercept: createFaultInterceptor(faults.map((f) => SimFaultSchema.parse(f))) });
  try {
    const agent = new ChatAgent({ name: 'a', endpoint: { baseUrl: sim.url, model: 'sim-1', temperature: 0, maxTokens: 64 }, contextSize: 2048, systemPrompt: 'hi' });
    return await fn(agent);
  } finally {
    await sim.close();
  }
}

describe('executeTurn with retries against a faulty sim server', () => {
  it('retries until a call succeeds and tells onRetry each time; the agent history holds the turn once', async () => {
    const retries: RetryInfo[] = [];
    await withFaults([{ kind: 'status', status: 502, at: [1, 2], seed: 0 }], async (agent) => {
      const outcome = await executeTurn(agent, step(), { timeoutMs: 5000, signal: new AbortController().signal, retries: { max_attempts: 4, base_ms: 1, max_ms: 5 }, onRetry: (i) => void retries.push(i) });
      expect(outcome).toMatchObject({ status: 'success', attempts: 3 });
      expect(retries.map((r) => [r.retry, r.maxRetries, r.status])).toEqual([
        [1, 3, 502],
        [2, 3, 502],
      ]);
      expect(agent.historyLength).toBe(2);
    });
  });

  it('gives up after max_attempts with the last reason', async () => {
    await withFaults([{ kind: 'malformed', every: 1, seed: 0 }], async (agent) => {
      const outcome = await executeTurn(agent, step(), { timeoutMs: 5000, signal: new AbortController().signal, retries: { max_attempts: 3, base_ms: 1, max_ms: 5 } });
      expect(outcome).toMatchObject({ status: 'error', reason: 'malformed', attempts: 3 });
      expect(agent.historyLength).toBe(0);
    });
  });

  it('stops backing off when the run is interrupted, and calls the turn interrupted, not failed (issue 13)', async () => {
    await withFaults([{ kind: 'status', status: 429, retry_after_s: 60, every: 1, seed: 0 }], async (agent) => {
      const abort = new AbortController();
      const outcome = await executeTurn(agent, step(), {
        timeoutMs: 5000,
        signal: abort.signal,
        retries: { max_attempts: 5, base_ms: 1, max_ms: 5 },
        onRetry: () => abort.abort(new Error('interrupted')),
      });
      expect(outcome).toMatchObject({ status: 'interrupted', attempts: 1 });
    });
  });
});

describe('fault selection', () => {
  const f = (x: Partial<SimFault>): SimFault => SimFaultSchema.parse({ kind: 'hang', ...x });
  it('by call number, every Nth call, or a seeded rate that does not depend on earlier calls', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => faultForCall([f({ at: [2, 5] })], n) !== undefined)).toEqual([false, true, false, false, true, false]);
    expect([1, 2, 3, 4, 5, 6].map((n) => faultForCall([f({ every: 3 })], n) !== undefined)).toEqual([false, false, true, false, false, true]);
    const hits = (seed: number) => Array.from({ length: 400 }, (_, i) => faultForCall([f({ rate: 0.25, seed })], i + 1) !== undefined);
    expect(hits(4)).toEqual(hits(4));
    expect(hits(4)).not.toEqual(hits(5));
    const n = hits(4).filter(Boolean).length;
    expect(n).toBeGreaterThan(60);
    expect(n).toBeLessThan(140);
    expect(faultForCall([f({ rate: 0 })], 1)).toBeUndefined();
  });
});

describe('metadata sanitizer and raw-output truncation', () => {
  it('keeps metadata up to 50 KB and replaces larger metadata by {error, truncated_keys}', () => {
    const small = { a: 1, b: 'x'.repeat(1000) };
    expect(sanitizeMetadata(small)).toBe(small);
    const big = { rationale: 'x'.repeat(60 * 1024), hits: [1, 2] };
    expect(sanitizeMetadata(big)).toEqual({ error: 'Metadata exceeded 50KB limit', truncated_keys: ['rationale', 'hits'] });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(sanitizeMetadata(cyclic)).toMatchObject({ truncated_keys: ['a', 'self'] });
  });

  it('head-truncates to 4 KB on a character boundary', () => {
    const t = headTruncate('é'.repeat(3000));
    expect(t.truncated).toBe(true);
    expect(Buffer.byteLength(t.text)).toBe(4096);
    expect(headTruncate('short')).toEqual({ text: 'short', truncated: false });
  });
});

describe('secret-free header recording', () => {
  it('keeps env-var templates so a resume can expand them again, redacts literals', () => {
    expect(recordableHeader('${TEAM}')).toBe('${TEAM}');
    expect(recordableHeader('Bearer ${API_KEY}')).toBe('Bearer ${API_KEY}');
    expect(recordableHeader('sk-abc123')).toBe('[redacted]');
    expect(recordableHeader('Bearer sk-abc')).toBe('[redacted]');
    expect(recordableHeader('x${A}y')).toBe('[redacted]');
  });
});

describe('stall watchdog', () => {
  it('reports once per stall with the stalled turn and progress, then clears on activity', () => {
    const dir = tempDir();
    const notices: Array<[string, string, Record<string, unknown>]> = [];
    const out: string[] = [];
    const progress = { turnsDone: 7 } as ProgressSnapshot;
    const w = new StallWatchdog({
      thresholdMs: 60_000,
      runDir: dir,
      runId: 'r',
      snapshot: () => progress,
      notify: (k, m, d) => void notices.push([k, m, d]),
      stream: { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream,
    });
    const s = { ...step(), testId: 'Colours/0', turnId: 12, lane: 1 };
    w.onTurnStart(s);
    w.check(Date.now() + 30_000);
    expect(notices).toHaveLength(0);
    w.check(Date.now() + 61_000);
    w.check(Date.now() + 120_000);
    expect(notices.map((n) => n[0])).toEqual(['stall']);
    expect(notices[0]![1]).toMatch(/^stalled: no progress for 1 min \d+ s, waiting on Colours\/0 turn 12 \(lane 1\)$/);
    expect(out.join('')).toContain('referee: warning: stalled');
    const report = JSON.parse(readFileSync(join(dir, 'run_error.json'), 'utf8')) as Record<string, unknown>;
    expect(report).toMatchObject({ reason: 'stall', threshold_s: 60, stalled: [{ lane: 1, test_id: 'Colours/0', turn_id: 12 }], progress: { turnsDone: 7 } });
    w.onTurnEnd({ step: s });
    expect(notices.map((n) => n[0])).toEqual(['stall', 'stall_cleared']);
    expect(JSON.parse(readFileSync(join(dir, 'run_error.json'), 'utf8'))).toHaveProperty('cleared_at');
    w.onRunEnd();
  });
});

describe('the time a resumed run ran', () => {
  it('adds up each segment from its run_start to its last event, not the downtime between', () => {
    const at = (s: number): string => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
    const events = [
      { type: 'run_start', ts: at(0) },
      { type: 'turn_end', ts: at(4) },
      { type: 'telemetry', ts: at(5) },
      // killed here; resumed an hour later
      { type: 'run_start', ts: at(3605) },
      { type: 'turn_end', ts: at(3607) },
      { type: 'run_start', ts: at(7200) },
    ];
    expect(activeMsOf(events)).toBe(7000);
    expect(activeMsOf([])).toBe(0);
    expect(activeMsOf([{ type: 'turn_end', ts: 'not a date' }])).toBe(0);
  });
});
