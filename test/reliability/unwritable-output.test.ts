/**
 * Issue 24: a runs directory that cannot be written is named with the real errno, not ENOENT (Node's
 * recursive mkdir says ENOENT on a read-only file system), exit 2, and nothing is left in it. EROFS
 * from a read-only tmpfs; EACCES from the CLI run as an unprivileged user over a root-owned
 * directory (mode 755: as root, permission bits stop nothing). Needs root (skipped elsewhere).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, tempDir } from '../helpers.js';

const isRoot = process.getuid?.() === 0;

function tryMountReadOnly(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function hasSetpriv(): boolean {
  return spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']).status === 0;
}

/** The set-ups, each given a runs directory: an LTM run (into a folder not yet there), a task run, a match. */
function kinds(files: Record<string, string>): Array<[string, (runs: string) => string[], (runs: string) => string]> {
  return [
    ['LTM run', (runs) => ['--agent-config', files['agent']!, '--dataset-config', files['dataset']!, '--runs-dir', join(runs, 'sub')], (runs) => `${join(runs, 'sub', 'x')}: cannot create run directory`],
    ['task run', (runs) => ['--tasks', join(ROOT, 'configs/tasks/basics.jsonl'), '--agent-config', files['agent']!, '--runs-dir', runs], (runs) => `${join(runs, 'matrix-x.json')}: cannot write the matrix summary`],
    ['match', (runs) => ['--agent-config', files['agent']!, '--compare-with', files['agent']!, '--dataset-config', files['dataset']!, '--runs-dir', runs], (runs) => `${join(runs, 'x')}: cannot create match directory`],
  ];
}

function setUp(): { dir: string; files: Record<string, string> } {
  const dir = tempDir('referee-unwritable-');
  // Readable by the unprivileged user too.
  chmodSync(dir, 0o755);
  const files = { agent: join(dir, 'agent.yaml'), dataset: join(dir, 'dataset.yaml') };
  writeFileSync(files.agent, 'name: a\nkind: chat\nllm: { provider: sim, model: sim-1, max_tokens: 64 }\ncontext_size: 4096\n', { mode: 0o644 });
  writeFileSync(files.dataset, 'config: { run_name: u }\ndatasets:\n  args: { memory_span: 400, dataset_examples: 1, seed: 5 }\n  datasets:\n    - { name: colours, args: { colour_changes: 2 } }\n', { mode: 0o644 });
  return { dir, files };
}

function run(prefix: string[], args: string[]): { code: number | null; stderr: string } {
  const [cmd, ...rest] = [...prefix, process.execPath, CLI, 'run', ...args, '--run-id', 'x', '--quiet'];
  const r = spawnSync(cmd!, rest, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stderr: r.stderr };
}

const probe = tempDir('referee-ro-probe-');
const canMount = isRoot && tryMountReadOnly(probe);
if (canMount) execFileSync('umount', [probe]);

describe.skipIf(!canMount)('a runs directory on a read-only file system', () => {
  const { dir, files } = setUp();
  const mnt = join(dir, 'ro');
  mkdirSync(mnt);
  const mounted = tryMountReadOnly(mnt);
  afterAll(() => {
    if (mounted) execFileSync('umount', [mnt]);
  });

  it.each(kinds(files))('%s: one line naming the path and EROFS, exit 2, nothing left', (_kind, args, line) => {
    expect(mounted).toBe(true);
    const r = run([], args(mnt));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`referee: ${line(mnt)} (EROFS)`]);
    expect(readdirSync(mnt)).toEqual([]);
  }, 60_000);
});

describe.skipIf(!isRoot || !hasSetpriv())('a runs directory the user may not write', () => {
  const { dir, files } = setUp();
  const runs = join(dir, 'runs');
  mkdirSync(runs, { mode: 0o755 });
  const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

  it.each(kinds(files))('%s: one line naming the path and EACCES, exit 2, nothing left', (_kind, args, line) => {
    const r = run(nobody, args(runs));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`referee: ${line(runs)} (EACCES)`]);
    expect(readdirSync(runs)).toEqual([]);
  }, 60_000);
});
