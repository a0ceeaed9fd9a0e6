/**
 * Issue 4: every fault the sim server can inject, end to end through a real
 * `referee run` child process. Each asserts what a user relies on: the run
 * completes, the faulty turn has the right status and reason in
 * turn_metrics.jsonl, and nothing is lost.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, runCli, tempDir, type CliResult } from '../helpers.js';
import { agentYaml, metricNames, nothingLost, readRun, runDirsIn, SMALL_DATASET, spansOf, writeFiles, type RunFiles } from './helpers.js';

async function runWith(extra: string): Promise<{ r: CliResult; run: RunFiles }> {
  const dir = tempDir('referee-fault-');
  const files = writeFiles(dir, { 'agent.yaml': agentYaml(extra), 'dataset.yaml': SMALL_DATASET });
  const r = await runCli(['run', '--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', join(dir, 'runs'), '--progress-interval', '60'], {
    timeoutMs: 90_000,
  });
  const [runDir] = runDirsIn(join(dir, 'runs'));
  return { r, run: readRun(runDir!) };
}

const FAST_RETRIES = 'retries: { max_attempts: 5, base_ms: 5, max_ms: 50 }\n';

describe('fault injection through a real run', () => {
  it('429 with Retry-After: backs off as told, retries, the turn succeeds; visible as event, span event, counter and progress line', async () => {
    const { r, run } = await runWith(`${FAST_RETRIES}sim:\n  faults:\n    - { kind: status, status: 429, retry_after_s: 1, at: [2] }\n`);
    expect(r.code, r.stderr).toBe(0);
    nothingLost(run);
    const turn = run.turns.find((t) => t.turn_id === 1)!;
    expect(turn).toMatchObject({ status: 'success', attempts: 2 });
    expect(run.turns.filter((t) => t.attempts !== undefined)).toHaveLength(1);
    const retry = run.events.find((e) => e.type === 'retry')!;
    expect(retry).toMatchObject({ turn_id: 1, retry: 1, max_retries: 4, status: 429, reason: 'http_429', retry_after_ms: 1000 });
    // Retry-After wins over the 5 ms backoff.
    expect(retry['delay_ms']).toBeGreaterThanOrEqual(1000);
    expect(r.stderr).toContain('backing off 429, retry 1/4 in 1 s');
    expect(metricNames(run.dir)).toContain('referee.retries');
    const turnSpans = spansOf(run.dir).filter((s) => s.name === 'benchmark.turn' && s.events?.some((e) => e.name === 'retry'));
    expect(turnSpans).toHaveLength(1);
  });

  it('5xx on every try: attempts are bounded, the turn is an error with reason http_503, the run goes on', async () => {
    const { r, run } = await runWith('retries: { max_attempts: 3, base_ms: 5, max_ms: 50 }\nsim:\n  faults:\n    - { kind: status, status: 503, at: [2, 3, 4] }\n');
    expect(r.code, r.stderr).toBe(0);
    nothingLost(run);
    expect(run.turns.find((t) => t.turn_id === 1)).toMatchObject({ status: 'error', reason: 'http_503', attempts: 3 });
    expect(run.turns.filter((t) => t.status === 'error')).toHaveLength(1);
    expect(run.events.filter((e) => e.type === 'retry')).toHaveLength(2);
    expect(run.stats.turns_failed).toBe(1);
    expect(r.stderr).toMatch(/finished: .*\(1 failed\)/);
  });

  it.each([
    ['malformed', 'malformed'],
    ['cut', 'connection'],
    ['reset', 'connection'],
  ])('%s stream: retried, the turn succeeds (retry reason %s)', async (kind, reason) => {
    const { r, run } = await runWith(`${FAST_RETRIES}sim:\n  faults:\n    - { kind: ${kind}, at: [2] }\n`);
    expect(r.code, r.stderr).toBe(0);
    nothingLost(run);
    expect(run.turns.find((t) => t.turn_id === 1)).toMatchObject({ status: 'success', attempts: 2 });
    expect(run.turns.every((t) => t.status === 'success')).toBe(true);
    expect(run.events.filter((e) => e.type === 'retry').map((e) => e['reason'])).toEqual([reason]);
  });

  it('a rate of faults, seeded: every retried turn still succeeds and each retry is an event', async () => {
    const { r, run } = await runWith(`${FAST_RETRIES}sim:\n  faults:\n    - { kind: status, status: 500, rate: 0.25, seed: 5 }\n`);
    expect(r.code, r.stderr).toBe(0);
    nothingLost(run);
    expect(run.turns.every((t) => t.status === 'success')).toBe(true);
    const retried = run.turns.filter((t) => (t.attempts ?? 1) > 1);
    expect(retried.length).toBeGreaterThan(0);
    const retries = run.events.filter((e) => e.type === 'retry');
    expect(retries).toHaveLength(retried.reduce((n, t) => n + (t.attempts! - 1), 0));
  });

  it('hang: the call is abandoned at timeouts.call_s (reason timeout), the watchdog reports the stall, the run goes on', async () => {
    const { r, run } = await runWith(`timeouts: { call_s: 3, stall_s: 1 }\n${FAST_RETRIES}sim:\n  faults:\n    - { kind: hang, at: [2] }\n`);
    expect(r.code, r.stderr).toBe(0);
    nothingLost(run);
    const hung = run.turns.find((t) => t.turn_id === 1)!;
    expect(hung).toMatchObject({ status: 'error', reason: 'timeout' });
    expect(hung.attempts).toBeUndefined(); // a timeout is not retried
    expect(run.turns.filter((t) => t.status === 'error')).toHaveLength(1);
    // The watchdog: a warning, run_error.json naming the stalled test and turn with the last progress, a stall event and metric.
    expect(r.stderr).toMatch(/referee: warning: stalled: no progress for [\d.]+ s, waiting on \S+ turn 1 \(lane 0\)/);
    const report = readJson<Record<string, unknown>>(join(run.dir, 'run_error.json'));
    expect(report).toMatchObject({ reason: 'stall', threshold_s: 1, stalled: [{ lane: 0, turn_id: 1, test_id: hung.test_id }] });
    expect(report['progress']).toMatchObject({ turnsDone: 1 });
    expect(report['cleared_at']).toEqual(expect.any(String));
    const kinds = run.events.map((e) => e.type);
    expect(kinds).toContain('stall');
    expect(kinds.indexOf('stall_cleared')).toBeGreaterThan(kinds.indexOf('stall'));
    expect(metricNames(run.dir)).toContain('referee.stalls');
    expect(run.meta['status']).toBe('finished');
  });

  it('slow drip: tokens keep coming, so no stall and no timeout; the turn succeeds', async () => {
    const { r, run } = await runWith(`timeouts: { call_s: 30, stall_s: 1.5 }\nsim:\n  faults:\n    - { kind: drip, tokens_per_s: 10, every: 1 }\n`);
    expect(r.code, r.stderr).toBe(0);
    nothingLost(run);
    expect(run.turns.every((t) => t.status === 'success')).toBe(true);
    // The reply arrived in pieces (several batched token events for some turn), yet no stall was reported.
    const perTurn = new Map<unknown, number>();
    for (const e of run.events) if (e.type === 'token') perTurn.set(e['turn_id'], (perTurn.get(e['turn_id']) ?? 0) + 1);
    expect(Math.max(...perTurn.values())).toBeGreaterThan(1);
    expect(run.events.some((e) => e.type === 'stall')).toBe(false);
    expect(existsSync(join(run.dir, 'run_error.json'))).toBe(false);
  });
});
