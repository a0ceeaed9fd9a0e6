/**
 * Issue 24: a match's ending is atomic. match_plan.json says `finished` only after match.json,
 * comparison_report.html and the match's history line are written; a kill -9 of the match's own
 * process at each step (after each side ends, before and after the comparison's metrics, after the
 * report, after the history line; placed by REFEREE_KILL_AT, never by timing) leaves a match that
 * `--resume` completes to the same files as a match never killed, timings aside, with one history
 * line; a second `--resume` has nothing to do.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJson, readJsonl, runCli, tempDir } from '../helpers.js';
import { smallMatchArgs, walk } from './helpers.js';

const POINTS = ['match:champion-ended', 'match:challenger-ended', 'match:marked', 'match:compared', 'match:report', 'match:history'] as const;

/** Figures that are times or speeds differ between any two matches; everything else must not. */
const TIMING = /(_at$|latency|_ms$|_per_s$|duration)/;

function normalized(value: unknown, names: Record<string, string>): unknown {
  let text = JSON.stringify(value);
  for (const [from, to] of Object.entries(names)) text = text.split(from).join(to);
  const drop = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(drop);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !TIMING.test(k)).map(([k, x]) => [k, drop(x)]));
    return v;
  };
  return drop(JSON.parse(text));
}

describe('a match killed at each step of its ending', () => {
  const dir = tempDir('referee-match-endings-');
  const out = join(dir, 'runs');
  const args = [...smallMatchArgs(dir, 2), '--runs-dir', out];

  /** What a match leaves, with its ids and times taken out: every file's name, the figures, the history lines. */
  const snapshot = (matchId: string): Record<string, unknown> => {
    const matchDir = join(out, matchId);
    const plan = readJson<{ status?: string; ending?: unknown; children: Array<{ role: string; runId: string; runDir: string }> }>(join(matchDir, 'match_plan.json'));
    const names: Record<string, string> = { [matchDir]: 'MATCH_DIR' };
    for (const c of plan.children) names[c.runId] = c.role;
    names[`"${matchId}"`] = '"MATCH_ID"';
    const report = join(matchDir, 'comparison_report.html');
    return {
      files: walk(matchDir)
        .map((f) => relative(matchDir, f))
        .map((f) => normalized(f, names))
        .sort(),
      plan: { status: plan.status, ending: plan.ending },
      match: normalized(readJson(join(matchDir, 'match.json')), names),
      report: existsSync(report) && statSync(report).size > 1000 && readFileSync(report, 'utf8').includes('</html>'),
      history: normalized(
        readJsonl(join(out, 'benchmark_history.jsonl')).filter((h) => h['match_id'] === matchId),
        names,
      ),
      sides: normalized(readJsonl(join(matchDir, 'benchmark_history.jsonl')), names),
    };
  };

  let whole: Record<string, unknown>;
  beforeAll(async () => {
    const r = await runCli([...args, '--run-id', 'whole']);
    expect(r.code, r.stderr).toBe(0);
    whole = snapshot('whole');
  }, 120_000);

  it('an uninterrupted match records its ending last: finished, no ending left under way, one history line', () => {
    expect(whole['plan']).toEqual({ status: 'finished', ending: undefined });
    expect(whole['report']).toBe(true);
    expect(whole['history']).toHaveLength(1);
    expect(whole['sides']).toHaveLength(2);
  });

  it.each(POINTS)('%s: never "finished" while incomplete; --resume completes it to the files of a match never killed', async (point) => {
    const matchId = point.replace(':', '-');
    const matchDir = join(out, matchId);
    const killed = await runCli([...args, '--run-id', matchId], { env: { REFEREE_KILL_AT: point } });
    // runCli reports a process that died of a signal (SIGKILL) with a null exit code.
    expect(killed.code, killed.stderr).toBeNull();
    expect(readJson(join(matchDir, 'match_plan.json'))['status']).not.toBe('finished');

    const resumed = await runCli(['run', '--resume', matchDir, '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout.trim()).toBe(matchDir);
    expect(snapshot(matchId)).toEqual(whole);

    // A second --resume has nothing left to do: no comparison again, no second history line.
    const again = await runCli(['run', '--resume', matchDir, '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('already finished');
    expect(snapshot(matchId)).toEqual(whole);
  }, 120_000);
});
