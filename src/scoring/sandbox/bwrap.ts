/**
 * The bubblewrap sandbox for model-written code (issue 14): new user, pid,
 * network, IPC and UTS namespaces, an empty environment, a read-only view of
 * only what the interpreter needs, a tmpfs work directory, and
 * `--die-with-parent` plus `--new-session`, so that killing the outer bwrap
 * (the wall-clock limit) tears down the whole pid namespace.
 *
 * The process limit is RLIMIT_NPROC, which the kernel counts per real uid. As
 * root (whose count is every process on the machine, and which is exempt)
 * each evaluation therefore runs under a uid of its own (`setpriv`), so the
 * limit counts that evaluation's processes and nothing else.
 *
 * issue 24, the bounds: the first process of the command line writes its pid into
 * the evaluation's cgroup (cgroup.ts: memory of all its processes together, pids,
 * CPU) and opens the seccomp filter (seccomp.ts) on fd 4 before it execs the rest,
 * so nothing runs outside the group and bubblewrap installs the filter
 * (`--seccomp 4`) right before the sandboxed command; every writable tmpfs has a
 * total size (`--size`, bubblewrap 0.8), and the root and `/dev` (tmpfs that
 * bubblewrap makes without a size) are remounted read-only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the sandboxed process sees things. */
export const SANDBOX_CODE_DIR = '/code';
export const SANDBOX_WORK_DIR = '/work';

export interface SandboxSpec {
  /** Host directory with the harness, solution and tests, bound read-only at /code. */
  codeDir: string;
  /** Host paths the interpreter needs beyond /usr (its prefix, libraries), bound read-only at the same path. */
  extraReadOnly: string[];
  /**
   * issue 24: an empty host directory where, as root, the paths of `extraReadOnly` that the
   * evaluation's uid cannot reach (`/root` is 0700: pyenv, nvm) are first bind-mounted, read-only,
   * in a private mount namespace, so bubblewrap (running as that uid) can bind them. Null: bind directly.
   */
  stageDir?: string | null;
  /** Command run inside (paths as seen inside). */
  command: string[];
  /** Most processes (threads count too) the evaluation may have at once. */
  maxProcesses: number;
  /** Per-run host uid when running as root (process limit); null otherwise. */
  uid: number | null;
  /** Extra rlimits (`prlimit` long options without the leading dashes, e.g. `data=123`). */
  rlimits: string[];
  /** issue 24: the evaluation's cgroup (`cgroup.procs` files, one per v1 hierarchy); none: no group. */
  cgroupProcs?: string[];
  /** issue 24: the compiled seccomp filter (BPF) bubblewrap loads; null: none. */
  seccompFile?: string | null;
  /** issue 24: sized tmpfs (bubblewrap 0.8's `--size`) and a read-only root and `/dev`. @default true */
  boundedTmpfs?: boolean;
}

/** issue 24: total sizes of the sandbox's writable tmpfs, MiB (their pages also count against the cgroup's memory). */
export const TMPFS_MB = { work: 64, tmp: 16, shm: 16 } as const;

/**
 * issue 24: the first process of the command line. $1: the seccomp filter's file or ""; then the
 * cgroup.procs files; then "--" and the command. Writes its own pid into each group and execs the
 * command with the filter open on fd 4 (for `bwrap --seccomp 4`, which reads and closes it).
 * Positional arguments only: no path is spliced into the script.
 */
export const ENTER_SCRIPT = `filter=$1; shift
while [ "$1" != "--" ]; do
  echo $$ > "$1" || exit 125
  shift
done
shift
if [ -n "$filter" ]; then exec "$@" 4< "$filter"; fi
exec "$@"`;

/** Top-level links of a merged-/usr system (`/bin -> usr/bin`), or real directories to bind. */
function rootEntries(): string[] {
  const args: string[] = [];
  for (const name of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const path = `/${name}`;
    let st;
    try {
      st = lstatSync(path);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
    else if (st.isDirectory()) args.push('--ro-bind', path, path);
  }
  return args;
}

/** The whole command line: setpriv (as root) → prlimit → bwrap → the command. Pure but for reading the root's links. */
export function sandboxCommand(spec: SandboxSpec): string[] {
  const outer: string[] = [];
  const procs = spec.cgroupProcs ?? [];
  const seccomp = spec.seccompFile ?? null;
  const bounded = spec.boundedTmpfs ?? true;
  if (procs.length > 0 || seccomp) outer.push('sh', '-c', ENTER_SCRIPT, 'referee-enter', seccomp ?? '', ...procs, '--');
  const staged = spec.stageDir ? spec.extraReadOnly.filter((p) => !p.startsWith('/usr/')) : [];
  // Positional arguments only: no path is ever spliced into the script.
  if (staged.length > 0) outer.push('unshare', '--mount', '--propagation', 'private', 'sh', '-c', STAGE_SCRIPT, 'referee-stage', spec.stageDir as string, ...staged, '--');
  if (spec.uid !== null) outer.push('setpriv', `--reuid=${spec.uid}`, `--regid=${spec.uid}`, '--clear-groups');
  outer.push('prlimit', `--nproc=${spec.maxProcesses}`, ...spec.rlimits.map((r) => `--${r}`));
  const binds = ['--ro-bind', '/usr', '/usr', ...rootEntries()];
  // The dynamic linker's cache only: nothing else of /etc (no passwd, shadow, hosts, ssl keys).
  if (existsSync('/etc/ld.so.cache')) binds.push('--ro-bind', '/etc/ld.so.cache', '/etc/ld.so.cache');
  // After the tmpfs mounts (/tmp, /work), which would otherwise hide an interpreter living under them.
  const interpreter: string[] = [];
  for (const dir of spec.extraReadOnly) {
    if (dir.startsWith('/usr/')) continue;
    const i = staged.indexOf(dir);
    interpreter.push('--ro-bind', i >= 0 ? join(spec.stageDir as string, String(i)) : dir, dir);
  }
  return [
    ...outer,
    'bwrap',
    '--unshare-user',
    '--unshare-pid',
    '--unshare-net',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    // issue 24: no user namespace inside (bubblewrap 0.8, with the sized tmpfs).
    ...(bounded ? ['--disable-userns'] : []),
    ...(seccomp ? ['--seccomp', '4'] : []),
    '--hostname',
    'sandbox',
    '--uid',
    '65534',
    '--gid',
    '65534',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--setenv',
    'PATH',
    '/usr/local/bin:/usr/bin:/bin',
    '--setenv',
    'HOME',
    SANDBOX_WORK_DIR,
    '--setenv',
    'TMPDIR',
    SANDBOX_WORK_DIR,
    '--setenv',
    'LANG',
    'C.UTF-8',
    ...binds,
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    ...size(bounded, TMPFS_MB.shm),
    '--tmpfs',
    '/dev/shm',
    ...size(bounded, TMPFS_MB.tmp),
    '--tmpfs',
    '/tmp',
    '--ro-bind',
    spec.codeDir,
    SANDBOX_CODE_DIR,
    ...size(bounded, TMPFS_MB.work),
    '--tmpfs',
    SANDBOX_WORK_DIR,
    ...interpreter,
    // issue 24: the root and /dev are tmpfs without a size; once everything is mounted, nothing is written there.
    ...(bounded ? ['--remount-ro', '/dev', '--remount-ro', '/'] : []),
    '--chdir',
    SANDBOX_WORK_DIR,
    '--',
    ...spec.command,
  ];
}

function size(bounded: boolean, mb: number): string[] {
  return bounded ? ['--size', String(mb * 1048576)] : [];
}

/** A uid for one evaluation (root only): high, random, and owning no process now. */
export function freshUid(): number {
  for (;;) {
    const uid = 1_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
    if (processesOf(uid) === 0) return uid;
  }
}

/** How many live processes run under `uid` (reads /proc). */
export function processesOf(uid: number): number {
  let n = 0;
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      if (real !== undefined && Number(real) === uid) n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export interface BwrapStatus {
  available: boolean;
  /** Why not, in one line (for the refusal message). */
  reason: string;
}

let cached: BwrapStatus | undefined;

/** Whether bubblewrap runs here with every namespace the sandbox asks for; probed once per process. */
export function bwrapStatus(): BwrapStatus {
  cached ??= probeBwrap(process.env);
  return cached;
}

/** One probe: a trivial command in the sandbox's namespaces (without the issue 24 bounds, probed apart: bounds.ts), with `env`'s PATH. */
export function probeBwrap(env: NodeJS.ProcessEnv): BwrapStatus {
  const asRoot = process.getuid?.() === 0;
  const cmd = sandboxCommand({ codeDir: '/usr', extraReadOnly: [], command: ['/bin/true'], maxProcesses: 16, uid: asRoot ? freshUid() : null, rlimits: [], boundedTmpfs: false });
  const r = spawnSync(cmd[0] as string, cmd.slice(1), { encoding: 'utf8', timeout: 10_000, env });
  if (r.error) return { available: false, reason: `${cmd[0]} not found (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})` };
  if (r.status !== 0) {
    const why = (r.stderr || `exit ${r.status}`).trim().split('\n')[0] ?? '';
    return { available: false, reason: /bwrap/.test(why) && /No such file|not found/.test(why) ? 'bubblewrap (bwrap) is not installed' : `bubblewrap cannot create its namespaces here: ${why}` };
  }
  return { available: true, reason: '' };
}

/** The install prefix of an interpreter binary (`/opt/node/bin/node` → `/opt/node`). */
export function installPrefix(executable: string): string {
  return dirname(dirname(executable));
}

/**
 * Runs as root in a private mount namespace: a small tmpfs on the stage directory, each path
 * bind-mounted read-only at `<stage>/<i>`, then the rest of the command line (setpriv … bwrap).
 */
const STAGE_SCRIPT = `set -e
stage=$1; shift
mount -t tmpfs -o mode=0755,size=64k referee-stage "$stage"
i=0
while [ "$1" != "--" ]; do
  if [ -d "$1" ]; then mkdir "$stage/$i"; else : > "$stage/$i"; fi
  mount --bind "$1" "$stage/$i"
  mount -o remount,bind,ro "$stage/$i"
  i=$((i + 1)); shift
done
shift
exec "$@"`;

/** Directories the system binds already (merged /usr and its links). */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
const underSystem = (p: string): boolean => SYSTEM_DIRS.some((d) => p === d || p.startsWith(`${d}/`));
const under = (p: string, dir: string): boolean => p === dir || p.startsWith(`${dir}/`);

const mountsCache = new Map<string, string[]>();

/**
 * issue 24: what the sandbox must bind, read-only, for `executable` to run when it lives outside
 * /usr (nvm, volta, fnm, asdf, Homebrew, a tarball, pyenv, conda, a venv): the install prefix of
 * the real binary (symlinks resolved), the further `prefixes` given (Python's `sys.base_prefix`),
 * and each shared library `ldd` names outside the system directories, bound at the path the
 * dynamic linker found it. Nothing for an interpreter under /usr.
 */
export function interpreterMounts(executable: string, prefixes: string[] = []): string[] {
  const key = [executable, ...prefixes].join('\0');
  const hit = mountsCache.get(key);
  if (hit) return hit;
  let real = executable;
  try {
    real = realpathSync(executable);
  } catch {
    // Not there: the sandbox will say so (execvp), as it would have.
  }
  const dirs: string[] = [];
  for (const p of [installPrefix(real), ...prefixes]) {
    let r = p;
    try {
      r = realpathSync(p);
    } catch {
      continue;
    }
    if (r !== '/' && !underSystem(r)) dirs.push(r);
  }
  const files: string[] = [];
  const ldd = spawnSync('ldd', [real], { encoding: 'utf8', timeout: 10_000 });
  if (ldd.status === 0) {
    for (const line of ldd.stdout.split('\n')) {
      const path = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1];
      if (path && !underSystem(path)) files.push(path);
    }
  }
  // Minimal: drop what a bound directory already holds, and duplicates.
  const all = [...new Set([...dirs, ...files])];
  const mounts = all.filter((p) => !all.some((q) => q !== p && under(p, q)));
  mountsCache.set(key, mounts);
  return mounts;
}

/** Whether every user may reach `path` (each ancestor searchable by others, the path readable): if not, a root runner stages it. */
export function reachableByOthers(path: string): boolean {
  try {
    const st = statSync(path);
    if (!(st.mode & 0o004) || (st.isDirectory() && !(st.mode & 0o001))) return false;
    for (let d = dirname(path); ; d = dirname(d)) {
      if (!(statSync(d).mode & 0o001)) return false;
      if (d === '/') return true;
    }
  } catch {
    return false;
  }
}
