import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitCommit, readGitHead } from '../../src/runner/metadata.js';

// run.json's git_commit is read from .git's files; `git rev-parse HEAD` is the oracle.
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'init.defaultBranch=main', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();

describe('gitCommit', () => {
  let root: string;
  let repo: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'referee-git-'));
    repo = join(root, 'repo');
    mkdirSync(join(repo, 'sub', 'deeper'), { recursive: true });
    git(repo, 'init', '-q');
    writeFileSync(join(repo, 'a.txt'), 'one\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'one');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads a loose branch ref, from the top and from a subdirectory', () => {
    const head = git(repo, 'rev-parse', 'HEAD');
    expect(readGitHead(repo)).toBe(head);
    expect(readGitHead(join(repo, 'sub', 'deeper'))).toBe(head);
    expect(gitCommit(repo)).toBe(head);
  });

  it('follows a new commit, packed refs and a detached HEAD', () => {
    writeFileSync(join(repo, 'a.txt'), 'two\n');
    git(repo, 'commit', '-q', '-am', 'two');
    expect(readGitHead(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
    git(repo, 'pack-refs', '--all');
    expect(readGitHead(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
    git(repo, 'checkout', '-q', 'HEAD~1');
    expect(readGitHead(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
    git(repo, 'checkout', '-q', 'main');
  });

  it('reads a linked worktree, whose .git is a file', () => {
    const wt = join(root, 'wt');
    git(repo, 'worktree', 'add', '-q', '-b', 'side', wt);
    writeFileSync(join(wt, 'b.txt'), 'side\n');
    git(wt, 'add', '.');
    git(wt, 'commit', '-q', '-m', 'side');
    const head = git(wt, 'rev-parse', 'HEAD');
    expect(head).not.toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(readGitHead(wt)).toBe(head);
  });

  it('is null outside a checkout and on a branch with no commit yet', () => {
    const plain = join(root, 'plain');
    mkdirSync(plain);
    expect(gitCommit(plain)).toBeNull();
    const fresh = join(root, 'fresh');
    mkdirSync(fresh);
    git(fresh, 'init', '-q');
    expect(readGitHead(fresh)).toBeUndefined();
    expect(gitCommit(fresh)).toBeNull();
  });
});
