/**
 * Issue 13: Ctrl-C (SIGINT) or kill -9 at any point, then `--resume`, ends
 * with the scores of an uninterrupted run on the same seed (a deterministic
 * sim model). An interrupted in-flight turn is never recorded as a failed
 * turn; the resume sends it again.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJsonl, runCli, tempDir } from '../helpers.js';
import { nothingLost, readRun, runAndSignal, SLOW_MEMORY_AGENT, writeFiles, type RunFiles, type TurnRecord } from './helpers.js';

const MEMORY_AGENT = SLOW_MEMORY_AGENT;

function scores(run: RunFiles): Record<string, number> {
  return Object.fromEntries(run.stats.tests.map((t) => [t.test_id, t.score]));
}

describe('LTM run: interrupted at three points, then --resume', () => {
  const dir = tempDir('referee-interrupt-');
  const files = writeFiles(dir, { 'agent.yaml': MEMORY_AGENT });
  const out = join(dir, 'runs');
  const common = ['--agent-config', files['agent.yaml']!, '--output-dir', out, '--concurrency', '4', '--quiet'];
  let straight: RunFiles;

  beforeAll(async () => {
    const r = await runCli(['run', ...common, '--run-id', 'straight']);
    expect(r.code, r.stderr).toBe(0);
    straight = readRun(join(out, 'straight'));
  }, 60_000);

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    for (const share of [0.1, 0.45, 0.85]) {
      it(`${signal} after ${share * 100}% of the turns: same scores as an uninterrupted run`, async () => {
        const runId = `${signal}-${share}`;
        const runDir = join(out, runId);
        const total = straight.turns.length;
        const sent = await runAndSignal(['run', ...common, '--run-id', runId], join(runDir, 'turn_metrics.jsonl'), Math.round(total * share), signal);
        if (signal === 'SIGINT') expect(sent.code, sent.stderr).toBe(130);
        const onDisk = readJsonl<TurnRecord>(join(runDir, 'turn_metrics.jsonl'));
        // The turns in flight at the signal are not on disk as failures; the run stopped short of the end.
        expect(onDisk.filter((t) => t.status === 'error')).toEqual([]);
        expect(onDisk.length).toBeLessThan(total);

        const resumed = await runCli(['run', '--resume', runDir, '--quiet']);
        expect(resumed.code, resumed.stderr).toBe(0);
        const run = readRun(runDir);
        expect(scores(run)).toEqual(scores(straight));
        expect(run.stats.score).toBe(straight.stats.score);
        expect(run.stats.turns_failed).toBe(0);
        nothingLost(run);
      }, 60_000);
    }
  }
});
