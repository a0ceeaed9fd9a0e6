/**
 * Issue 13: one writer per run directory. `--resume D` while D's own process
 * still runs duplicated turn records; now the second writer is refused with a
 * one-line error (exit 2). The lock is `run.lock`, created exclusively and
 * holding `{pid, host, started_at}`; a lock whose process is gone (kill -9,
 * a crash) is stale and taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RunDirError } from '../errors.js';

export const LOCK_FILE = 'run.lock';

interface LockBody {
  pid: number;
  host: string;
  started_at: string;
}

export interface RunLock {
  readonly file: string;
  /** Removes the lock if it is still this process's. Idempotent. */
  release(): void;
}

/**
 * Takes the lock of `runDir`, or throws a RunDirError naming the holder. A
 * lock already held by this very process is handed out again (resume reads
 * the directory, then the run writes it, under one lock). Issue 24: one held by
 * this process's parent is handed over: a resumed match takes both sides' locks
 * before starting either, and each side's own process then takes its lock from it.
 */
export function acquireRunLock(runDir: string): RunLock {
  const file = join(runDir, LOCK_FILE);
  const mine: LockBody = { pid: process.pid, host: hostname(), started_at: new Date().toISOString() };
  for (let tries = 0; tries < 3; tries++) {
    try {
      writeFileSync(file, JSON.stringify(mine) + '\n', { flag: 'wx' });
      return handle(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new RunDirError('OUTPUT_UNWRITABLE', `${file}: cannot create the run directory lock (${(err as NodeJS.ErrnoException).code ?? err})`, { cause: err });
      }
    }
    const held = readLock(file);
    if (held && held.host === mine.host && held.pid === mine.pid) return handle(file);
    if (held && held.host === mine.host && held.pid === process.ppid) {
      writeFileSync(file, JSON.stringify(mine) + '\n');
      return handle(file);
    }
    if (held && !isStale(held, mine.host)) throw new RunDirError('RUN_DIR_INVALID', inUse(file, held));
    // Stale (its process is gone) or unreadable (torn by a kill mid-write): taken over.
    rmSync(file, { force: true });
  }
  throw new RunDirError('RUN_DIR_INVALID', `${file}: could not take the run directory lock (another process keeps taking it)`);
}

function handle(file: string): RunLock {
  let released = false;
  return {
    file,
    release: () => {
      if (released) return;
      released = true;
      const held = readLock(file);
      if (held && held.pid === process.pid && held.host === hostname()) rmSync(file, { force: true });
    },
  };
}

function readLock(file: string): LockBody | undefined {
  try {
    const body = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockBody>;
    if (typeof body.pid === 'number' && typeof body.host === 'string') return { pid: body.pid, host: body.host, started_at: String(body.started_at ?? '?') };
  } catch {
    // missing or torn: treated as stale by the caller
  }
  return undefined;
}

/**
 * A lock is stale when it is from this host and its process no longer runs: gone, or a zombie
 * (killed, not yet reaped by its parent: here for 1 to 5 s after a kill -9). Another host's lock
 * is never assumed dead.
 */
function isStale(lock: LockBody, host: string): boolean {
  if (lock.host !== host) return false;
  try {
    process.kill(lock.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  return isZombie(lock.pid);
}

/** Linux's process state (the field after the command name in /proc/PID/stat) is Z for a zombie; elsewhere none is seen. */
export function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** The live process holding `runDir`'s lock, if any (a stale or torn lock holds nothing). */
export function lockHolder(runDir: string): LockBody | undefined {
  const held = readLock(join(runDir, LOCK_FILE));
  return held && !isStale(held, hostname()) ? held : undefined;
}

/** The one line that refuses a second writer of `file`'s run directory. */
function inUse(file: string, held: LockBody): string {
  return `${file}: the run directory is in use by process ${held.pid} on ${held.host} (since ${held.started_at}); wait for it, or stop it, before --resume`;
}

/** Runs `body` on a set-up run and releases the run's lock however it ends. */
export async function releasingLock<S extends { lock: RunLock }, R>(setup: S, body: (s: S) => Promise<R>): Promise<R> {
  try {
    return await body(setup);
  } finally {
    setup.lock.release();
  }
}
