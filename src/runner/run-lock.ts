/**
 * Issue 13: one writer per run directory. `--resume D` while D's own process
 * still runs duplicated turn records; now the second writer is refused with a
 * one-line error (exit 2). The lock is `run.lock`, created exclusively and
 * holding `{pid, host, started_at, heartbeat_s}`; a lock whose process is gone
 * (kill -9, a crash) is stale and taken over. While held, the lock's mtime is
 * touched every `heartbeat_s` seconds: the sign of life a monitor on another
 * host reads, where it cannot ask whether a pid runs (runLiveness).
 */
import { closeSync, fstatSync, openSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError, RunDirError } from '../errors.js';

export const LOCK_FILE = 'run.lock';

/** Seconds between heartbeats (the lock's mtime touched): one utimes a beat, whatever the turns do. @default 10 */
export const HEARTBEAT_S = 10;
/** A run silent (no heartbeat, no event) for this many of its heartbeat intervals is `stale`. */
export const STALE_BEATS = 3;

interface LockBody {
  pid: number;
  host: string;
  started_at: string;
  /** The holder's heartbeat interval; absent in locks written before it beat. */
  heartbeat_s?: number;
}

/** The heartbeat interval: REFEREE_HEARTBEAT_S (seconds, > 0) or HEARTBEAT_S. */
export function heartbeatSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['REFEREE_HEARTBEAT_S'];
  if (raw === undefined || raw === '') return HEARTBEAT_S;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError('CONFIG_INVALID', `environment: REFEREE_HEARTBEAT_S: "${raw}" is not a positive number of seconds`);
  return n;
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
  const beat = heartbeatSeconds();
  const mine: LockBody = { pid: process.pid, host: hostname(), started_at: new Date().toISOString(), heartbeat_s: beat };
  for (let tries = 0; tries < 3; tries++) {
    try {
      writeFileSync(file, JSON.stringify(mine) + '\n', { flag: 'wx' });
      return handle(file, beat);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new RunDirError('OUTPUT_UNWRITABLE', `${file}: cannot create the run directory lock (${(err as NodeJS.ErrnoException).code ?? err})`, { cause: err });
      }
    }
    const held = readLock(file);
    if (held && held.host === mine.host && held.pid === mine.pid) return handle(file, beat);
    if (held && held.host === mine.host && held.pid === process.ppid) {
      writeFileSync(file, JSON.stringify(mine) + '\n');
      return handle(file, beat);
    }
    if (held && !isStale(held, mine.host)) throw new RunDirError('RUN_DIR_INVALID', inUse(file, held));
    // Stale (its process is gone) or unreadable (torn by a kill mid-write): taken over.
    rmSync(file, { force: true });
  }
  throw new RunDirError('RUN_DIR_INVALID', `${file}: could not take the run directory lock (another process keeps taking it)`);
}

function handle(file: string, beatS: number): RunLock {
  let released = false;
  // The heartbeat: a timer, not a per-turn write, so a turn that takes minutes still shows the run alive.
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      // The lock is gone (taken over after this process was thought dead): nothing to keep alive.
    }
  }, beatS * 1000);
  heartbeat.unref();
  return {
    file,
    release: () => {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      const held = readLock(file);
      if (held && held.pid === process.pid && held.host === hostname()) rmSync(file, { force: true });
    },
  };
}

function readLock(file: string): LockBody | undefined {
  try {
    const body = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockBody>;
    if (typeof body.pid === 'number' && typeof body.host === 'string') {
      return { pid: body.pid, host: body.host, started_at: String(body.started_at ?? '?'), ...(typeof body.heartbeat_s === 'number' ? { heartbeat_s: body.heartbeat_s } : {}) };
    }
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

/** A run that says `running` but whose process is not: `interrupted` (known gone) or `stale` (silent too long). */
export interface LostRun {
  status: 'interrupted' | 'stale';
  /** Its last sign of life: the later of its lock's heartbeat and its last event. */
  last_seen: string;
}

/**
 * Whether the process of a run that says `running` still runs, from the run's lock: on this host,
 * the lock's pid (gone or a zombie: `interrupted`, as a resume would find it); on another, the
 * heartbeat (the lock's mtime) and the last event, silent for more than STALE_BEATS heartbeat
 * intervals: `stale`. Undefined while it runs, or when nothing says (no lock: it ended, or
 * predates locks; a foreign lock without a heartbeat interval).
 */
export function runLiveness(runDir: string, lastEventAt: string | null, now = Date.now()): LostRun | undefined {
  const file = join(runDir, LOCK_FILE);
  let held: LockBody | undefined;
  let beatMs: number;
  try {
    // Opened, not only stat'ed: an NFS client checks a file's attributes afresh on open.
    const fd = openSync(file, 'r');
    try {
      beatMs = fstatSync(fd).mtimeMs;
      held = readLock(file);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  if (!held) return undefined;
  const lastMs = Math.max(beatMs, Date.parse(lastEventAt ?? '') || 0);
  const last_seen = new Date(lastMs).toISOString();
  if (held.host === hostname()) return isStale(held, held.host) ? { status: 'interrupted', last_seen } : undefined;
  if (held.heartbeat_s === undefined) return undefined;
  return now - lastMs > STALE_BEATS * held.heartbeat_s * 1000 ? { status: 'stale', last_seen } : undefined;
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
