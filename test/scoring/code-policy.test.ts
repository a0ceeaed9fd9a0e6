/**
 * issue 14: without bubblewrap, a task run with code tasks is refused with one
 * line and exit 2 before it writes anything, unless --unsafe-code-exec is given
 * (then it warns); runs that execute no code refuse the flag.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bwrapStatus } from '../../src/scoring/code-exec.js';
import { reachableByOthers } from '../../src/scoring/sandbox/bwrap.js';
import { CLI, ROOT, runCli, tempDir } from '../helpers.js';

// A PATH with what the runner needs but no bwrap: what a machine without bubblewrap looks like.
const noBwrap = tempDir('referee-nobwrap-');
beforeAll(() => {
  const bin = join(noBwrap, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['setpriv', 'prlimit', 'unshare', 'python3', 'sh', 'git', 'node']) {
    for (const dir of ['/usr/bin', '/bin', '/usr/local/bin']) {
      if (existsSync(join(dir, tool)) && !existsSync(join(bin, tool))) symlinkSync(join(dir, tool), join(bin, tool));
    }
  }
});
const env = (): NodeJS.ProcessEnv => ({ PATH: join(noBwrap, 'bin') });
const codeTasks = join(ROOT, 'configs/tasks/code.jsonl');
const agent = join(ROOT, 'configs/agents/sim-think.yaml');

describe('code tasks without bubblewrap', () => {
  it('are refused with a one-line error naming the file, exit 2, and no run directory', async () => {
    const out = join(noBwrap, 'refused');
    const r = await runCli(['run', '--tasks', codeTasks, '--agent-config', agent, '--output-dir', out, '--quiet'], { env: env() });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('code.jsonl');
    expect(lines[0]).toContain('bubblewrap');
    expect(lines[0]).toContain('--unsafe-code-exec');
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('run with --unsafe-code-exec, with a warning, and still score the code', async () => {
    const out = join(noBwrap, 'unsafe');
    const r = await runCli(['run', '--tasks', codeTasks, '--agent-config', agent, '--output-dir', out, '--quiet', '--unsafe-code-exec'], { env: env() });
    expect(r.stderr).toContain('WITHOUT a sandbox');
    expect(r.code).toBe(0);
    // sim-think answers every code task correctly (the example suite's 6/6).
    expect(r.stdout).toMatch(/sim-think \(sim-think-1\)\s+6\/6 100%/);
  });
});

// issue 24: a bound that cannot be applied refuses code tasks the same way, naming what is missing.
describe.runIf(bwrapStatus().available)('code tasks where a bound of the sandbox cannot be applied', () => {
  // A cgroup v2 group that does not exist: the evaluation's cgroup cannot be made (REFEREE_CGROUP is taken as given, never fallen back from).
  const noGroup = { REFEREE_CGROUP: '/nonexistent/referee' };

  it('are refused with one line naming the missing bound, exit 2, and no run directory', async () => {
    const out = join(noBwrap, 'no-cgroup');
    const r = await runCli(['run', '--tasks', codeTasks, '--agent-config', agent, '--output-dir', out, '--quiet'], { env: noGroup });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('code.jsonl');
    expect(lines[0]).toContain('no cgroup for the evaluation (memory, pids and CPU limits)');
    expect(lines[0]).toContain('REFEREE_CGROUP=/nonexistent/referee');
    expect(lines[0]).toContain('--unsafe-code-exec');
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('run in bubblewrap without that bound with --unsafe-code-exec, with a warning naming it', async () => {
    const r = await runCli(['run', '--tasks', codeTasks, '--agent-config', agent, '--output-dir', join(noBwrap, 'no-cgroup-unsafe'), '--quiet', '--unsafe-code-exec'], { env: noGroup });
    expect(r.stderr).toContain('runs in bubblewrap WITHOUT some of its bounds (no cgroup for the evaluation');
    expect(r.stderr).not.toContain('WITHOUT a sandbox');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sim-think \(sim-think-1\)\s+6\/6 100%/);
  });

  // What a user without cgroup delegation meets: the same run as an unprivileged user (root can start one).
  it.runIf(process.getuid?.() === 0 && reachableByOthers(CLI) && reachableByOthers(codeTasks))('are refused for an unprivileged user without a delegated cgroup, naming it', () => {
    const out = join(noBwrap, 'nobody');
    mkdirSync(out, { recursive: true });
    chmodSync(noBwrap, 0o777);
    chmodSync(out, 0o777);
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'run', '--tasks', codeTasks, '--agent-config', agent, '--output-dir', join(out, 'runs'), '--quiet'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: out },
      timeout: 120_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // (Where unprivileged user namespaces are off, bubblewrap itself is what is missing for that user.)
    expect(r.stderr).toMatch(/no cgroup for the evaluation \(memory, pids and CPU limits\)|bubblewrap cannot create its namespaces/);
    expect(existsSync(join(out, 'runs')) ? readdirSync(join(out, 'runs')) : []).toEqual([]);
  });
});

describe('--unsafe-code-exec on a run that executes no code', () => {
  it('is refused with exit 2 for an LTM run and for a match', async () => {
    const ltm = await runCli(['run', '--unsafe-code-exec', '--output-dir', join(noBwrap, 'ltm'), '--quiet']);
    expect(ltm.code).toBe(2);
    // issue 13's one rule for flags: one line naming the flag and the runs it applies to.
    expect(ltm.stderr.trim().split('\n')).toHaveLength(1);
    expect(ltm.stderr).toContain('--unsafe-code-exec: does not apply to an LTM run (it applies to a --tasks run, a --suite run');
    const match = await runCli(['run', '--unsafe-code-exec', '--compare-with', agent, '--output-dir', join(noBwrap, 'match'), '--quiet']);
    expect(match.code).toBe(2);
    expect(match.stderr).toContain('--unsafe-code-exec: does not apply to match mode');
  });
});
