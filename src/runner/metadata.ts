import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { packagePath } from '../package-path.js';

let cachedVersion: string | undefined;

/** The package version, read once from package.json beside src/ or dist/. */
export function toolVersion(): string {
  if (cachedVersion) return cachedVersion;
  try {
    const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version?: string };
    cachedVersion = pkg.version ?? '0.0.0';
  } catch {
    cachedVersion = '0.0.0';
  }
  return cachedVersion;
}

/** The checkout's commit, or null outside a git checkout (seed 003 A6). */
export function gitCommit(cwd = process.cwd()): string | null {
  // Reading .git's files costs ~0.1 ms; spawning git cost 3-10 ms of every run's start (issue 8).
  const read = process.env.GIT_DIR === undefined ? readGitHead(cwd) : undefined;
  if (read !== undefined) return read;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

const SHA = /^[0-9a-f]{40}$/;

/**
 * HEAD's commit from the files of the checkout holding `start`: null when no
 * `.git` is found up to the root, undefined when the layout is one this does
 * not read (an unborn branch, reftable), for `git` itself to answer.
 */
export function readGitHead(start: string): string | null | undefined {
  let dir = resolve(start);
  for (;;) {
    const dotGit = join(dir, '.git');
    let gitDir: string;
    try {
      if (statSync(dotGit).isDirectory()) gitDir = dotGit;
      else {
        // A worktree or submodule: `.git` is a file naming the real git directory.
        const m = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'));
        if (!m?.[1]) return undefined;
        gitDir = resolve(dir, m[1].trim());
      }
    } catch {
      const parent = dirname(dir);
      if (parent === dir) return null;
      dir = parent;
      continue;
    }
    try {
      const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
      if (SHA.test(head)) return head;
      const ref = /^ref: (\S+)$/.exec(head)?.[1];
      if (!ref) return undefined;
      let common = gitDir;
      try {
        common = resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim());
      } catch {
        // Not a linked worktree: refs live in gitDir itself.
      }
      for (const base of new Set([gitDir, common])) {
        try {
          const sha = readFileSync(join(base, ref), 'utf8').trim();
          if (SHA.test(sha)) return sha;
        } catch {
          // Not a loose ref here; try the next place.
        }
      }
      for (const line of readFileSync(join(common, 'packed-refs'), 'utf8').split('\n')) {
        const [sha, name] = line.split(' ');
        if (name === ref && sha && SHA.test(sha)) return sha;
      }
      return undefined;
    } catch {
      return undefined;
    }
  }
}

export function hostInfo(): { host: string; node_version: string } {
  return { host: hostname(), node_version: process.version };
}
