/**
 * issue 24: the sandbox runs the interpreters where users have them. A Node installed outside
 * /usr (nvm, volta, fnm, asdf, Homebrew, a tarball) and a Python from pyenv or a venv used to end
 * every code task with `bwrap: execvp <path>: No such file or directory`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bwrapStatus, resolvePython, runCode } from '../../src/scoring/code-exec.js';
import { interpreterMounts } from '../../src/scoring/sandbox/bwrap.js';

const LIMIT = { timeoutMs: 5000, memoryMb: 128 };
// A home directory as version managers use it: 0700, like /root or a locked-down $HOME.
const home = mkdtempSync(join(tmpdir(), 'referee-home-'));
chmodSync(home, 0o700);
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe.runIf(bwrapStatus().available)('interpreters outside /usr (issue 24), against the real sandbox', () => {
  it('runs JavaScript with a Node installed the way nvm does it (a prefix in a 0700 home, reached through a symlink)', async () => {
    const prefix = join(home, '.nvm', 'versions', 'node', 'v-test');
    mkdirSync(join(prefix, 'bin'), { recursive: true });
    copyFileSync(realpathSync(process.execPath), join(prefix, 'bin', 'node'));
    chmodSync(join(prefix, 'bin', 'node'), 0o755);
    mkdirSync(join(home, 'bin'));
    const node = join(home, 'bin', 'node');
    symlinkSync(join(prefix, 'bin', 'node'), node);
    expect(interpreterMounts(node)).toContain(realpathSync(prefix));

    const tests = 'assert.strictEqual(add(2, 3), 5);';
    const good = await runCode({ language: 'javascript', node, code: 'function add(a, b) { return a + b; }', tests, ...LIMIT });
    expect(good.output).not.toContain('execvp');
    expect(good).toMatchObject({ passed: true, reason: 'passed' });
    const wrong = await runCode({ language: 'javascript', node, code: 'function add(a, b) { return a - b; }', tests, ...LIMIT });
    expect(wrong).toMatchObject({ passed: false, reason: 'failed' });
    // It is that Node that ran, from its own prefix.
    const which = await runCode({ language: 'javascript', node, code: "console.log('EXEC', process.execPath);", tests: '', ...LIMIT });
    expect(which.output).toContain(`EXEC ${join(realpathSync(prefix), 'bin', 'node')}`);
  });

  const python = resolvePython();
  // Wherever python3 is here (pyenv's on the dev machine, /usr's on a bare image), the test runs a Python outside /usr:
  // the user's own one, or else a venv with its own copy of the interpreter in a 0700 home.
  it.runIf(python !== null)("runs Python with the user's own interpreter outside /usr (pyenv's, or a venv's copy), and from a venv of it", async () => {
    let py = python as string;
    if (py.startsWith('/usr/')) {
      const copied = join(home, 'copies-venv');
      const made = spawnSync(py, ['-m', 'venv', '--copies', '--without-pip', copied], { encoding: 'utf8', timeout: 60_000 });
      expect(made.status, made.stderr).toBe(0);
      py = join(copied, 'bin', 'python3');
    }
    expect(realpathSync(py).startsWith('/usr/')).toBe(false);
    const tests = 'assert add(2, 3) == 5';
    const good = await runCode({ language: 'python', python: py, code: 'def add(a, b):\n    return a + b', tests, ...LIMIT });
    expect(good.output).not.toContain('execvp');
    expect(good).toMatchObject({ passed: true, reason: 'passed' });
    expect(await runCode({ language: 'python', python: py, code: 'def add(a, b):\n    return a - b', tests, ...LIMIT })).toMatchObject({ passed: false, reason: 'failed' });
    // It is that interpreter that ran (the harness runs Python with -S, so a venv's sys.prefix is its base's).
    const where = await runCode({ language: 'python', python: py, code: 'import sys, json\nprint("EXEC", sys.executable)\nprint("PREFIX", sys.prefix)', tests: '', ...LIMIT });
    expect(where.output).toContain(`EXEC ${realpathSync(py)}`);
    if (py === python) expect(where.output).toContain(`PREFIX ${realpathSync(join(py, '..', '..'))}`);

    // A venv (in a 0700 home) whose python links to that interpreter.
    const venv = join(home, 'venv');
    const made = spawnSync(py, ['-m', 'venv', '--without-pip', venv], { encoding: 'utf8', timeout: 60_000 });
    expect(made.status, made.stderr).toBe(0);
    const fromVenv = await runCode({ language: 'python', python: join(venv, 'bin', 'python'), code: 'def add(a, b):\n    return a + b', tests, ...LIMIT });
    expect(fromVenv).toMatchObject({ passed: true, reason: 'passed' });
  });
});
