/**
 * Issue 24: a match resumes only when neither side is still held, one resume at a time; and a
 * killed holder that its parent has not reaped yet (a zombie) no longer holds a run directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireRunLock, isZombie, lockHolder, LOCK_FILE } from '../../src/runner/run-lock.js';
import { runCli, tempDir } from '../helpers.js';
import { smallMatchArgs } from './helpers.js';
import { waitFor } from '../monitor/helpers.js';

const lockOf = (pid: number): string => JSON.stringify({ pid, host: hostname(), started_at: '2026-12-06T00:00:00.000Z' }) + '\n';

describe('a zombie holding a run directory', () => {
  let parent: ChildProcess;
  let zombie = 0;

  beforeAll(async () => {
    // `sleep 0.1` exits while its parent, exec'd into `sleep 60`, never reaps it: a zombie until the parent dies.
    parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    zombie = await new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    await waitFor(() => isZombie(zombie), 'the child to become a zombie', 10_000);
  });
  afterAll(() => {
    parent?.kill('SIGKILL');
  });

  it('counts as dead: its lock is taken over', () => {
    const dir = tempDir('referee-zombie-lock-');
    writeFileSync(join(dir, LOCK_FILE), lockOf(zombie));
    expect(lockHolder(dir)).toBeUndefined();
    const lock = acquireRunLock(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('while a live process still holds a lock, it is refused', () => {
    const dir = tempDir('referee-live-lock-');
    writeFileSync(join(dir, LOCK_FILE), lockOf(parent.pid!));
    expect(lockHolder(dir)?.pid).toBe(parent.pid);
    expect(() => acquireRunLock(dir)).toThrow(`in use by process ${parent.pid}`);
  });
});

describe('match --resume while a side or the match is held', () => {
  const dir = tempDir('referee-match-locks-');
  const out = join(dir, 'runs');
  const matchDir = join(out, 'held');
  let holder: ChildProcess;

  const snapshot = (): Record<string, string> =>
    Object.fromEntries(['match.json', 'comparison_report.html'].map((f) => [f, readFileSync(join(matchDir, f), 'utf8')]).concat([['history', readFileSync(join(out, 'benchmark_history.jsonl'), 'utf8')]]));

  beforeAll(async () => {
    // Killed at the last step of its ending: both sides and every file written, the match not yet finished, so --resume has work to do.
    const r = await runCli([...smallMatchArgs(dir), '--output-dir', out, '--run-id', 'held'], { env: { REFEREE_KILL_AT: 'match:history' } });
    expect(r.code, r.stderr).toBeNull();
    holder = spawn('sleep', ['60'], { stdio: 'ignore' });
  }, 90_000);
  afterAll(() => {
    holder?.kill('SIGKILL');
  });

  it('refuses in one line, exit 2, before either side starts, and writes nothing', async () => {
    const sides = JSON.parse(readFileSync(join(matchDir, 'match_plan.json'), 'utf8')) as { children: { runDir: string }[] };
    const before = snapshot();
    const side = sides.children[1]!.runDir;
    writeFileSync(join(side, LOCK_FILE), lockOf(holder.pid!));
    const r = await runCli(['run', '--resume', matchDir, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(`${join(side, LOCK_FILE)}: the run directory is in use by process ${holder.pid}`)]);
    expect(r.stderr).not.toContain('started (pid');
    expect(snapshot()).toEqual(before);
    writeFileSync(join(side, LOCK_FILE), lockOf(999_999_999));
  });

  it('refuses a second resume of the same match while the first holds it', async () => {
    const before = snapshot();
    writeFileSync(join(matchDir, LOCK_FILE), lockOf(holder.pid!));
    const r = await runCli(['run', '--resume', matchDir, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(matchDir, LOCK_FILE)}: the run directory is in use by process ${holder.pid}`);
    expect(snapshot()).toEqual(before);
  });
});

describe('a resumed match takes both sides\' locks before starting either', () => {
  const dir = tempDir('referee-match-side-locks-');
  const out = join(dir, 'runs');
  const args = smallMatchArgs(dir);
  const start = (matchId: string, killAt: string): ReturnType<typeof runCli> => runCli([...args, '--runs-dir', out, '--run-id', matchId], { env: { REFEREE_KILL_AT: killAt } });
  const sidesOf = (matchDir: string): string[] => (JSON.parse(readFileSync(join(matchDir, 'match_plan.json'), 'utf8')) as { children: { runDir: string }[] }).children.map((c) => c.runDir);
  const statusOf = (file: string): unknown => (JSON.parse(readFileSync(file, 'utf8')) as { status?: unknown }).status;

  it('each side\'s own process takes its lock from the match: both sides killed in their endings resume and finish', async () => {
    const matchDir = join(out, 'both');
    // Both children die at the same step of their endings; the match itself goes on and ends failed.
    const killed = await start('both', 'ending:marked');
    expect(killed.code, killed.stderr).toBe(1);
    expect(statusOf(join(matchDir, 'match_plan.json'))).toBe('failed');
    const sides = sidesOf(matchDir);
    expect(sides.map((s) => statusOf(join(s, 'run.json')))).toEqual(['running', 'running']);

    const resumed = await runCli(['run', '--resume', matchDir, '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(sides.map((s) => statusOf(join(s, 'run.json')))).toEqual(['finished', 'finished']);
    expect(statusOf(join(matchDir, 'match_plan.json'))).toBe('finished');
    expect([matchDir, ...sides].filter((d) => existsSync(join(d, LOCK_FILE)))).toEqual([]);
  }, 120_000);

  it('the match holds a side it does not run again: killed, it leaves that lock (stale), and the next resume takes it over', async () => {
    const matchDir = join(out, 'held-side');
    const first = await start('held-side', 'match:champion-ended');
    expect(first.code, first.stderr).toBeNull();
    const [champion, challenger] = sidesOf(matchDir) as [string, string];
    expect(existsSync(challenger)).toBe(false);

    // The resume locks the champion (finished, not run again) before it starts the challenger, and is killed once that has ended.
    const second = await runCli(['run', '--resume', matchDir, '--quiet'], { env: { REFEREE_KILL_AT: 'match:challenger-ended' } });
    expect(second.code, second.stderr).toBeNull();
    const left = JSON.parse(readFileSync(join(champion, LOCK_FILE), 'utf8')) as { pid: number };
    expect(left.pid).not.toBe(process.pid);
    expect(lockHolder(champion)).toBeUndefined();
    expect(existsSync(join(challenger, LOCK_FILE))).toBe(false);

    const third = await runCli(['run', '--resume', matchDir, '--quiet']);
    expect(third.code, third.stderr).toBe(0);
    expect(statusOf(join(matchDir, 'match_plan.json'))).toBe('finished');
    expect([matchDir, champion, challenger].filter((d) => existsSync(join(d, LOCK_FILE)))).toEqual([]);
  }, 120_000);
});
