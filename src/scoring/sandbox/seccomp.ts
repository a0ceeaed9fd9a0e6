/**
 * issue 24: the sandbox's seccomp filter. The sandboxed processes keep every system call but
 * those that widen the kernel's attack surface or reach outside the namespaces: each of those
 * fails with EPERM (the caller sees an ordinary "Operation not permitted" and can fall back, as
 * libuv does without io_uring); `clone3` fails with ENOSYS, so the C library falls back to
 * `clone`, whose namespace flags the filter can see and refuse.
 *
 * The filter is built by libseccomp itself (`libseccomp.so.2`, Debian's `libseccomp2`, which
 * systemd and apt already depend on, so it is on nearly every Linux), called through Python's
 * `ctypes` from a short script: libseccomp resolves the names for this architecture, writes the
 * architecture check and the jump table, and exports the BPF program. Nothing is assembled by hand.
 * Why ctypes and not Debian's `python3-seccomp` or a C helper: both need a package beyond the
 * library (the binding exists only for the distribution's own Python; a C helper needs a compiler
 * and `libseccomp-dev`), whereas any Python 3 reaches the library that is already installed.
 *
 * The program is built once and cached (`$REFEREE_CACHE_DIR` or `~/.cache/referee`, under
 * `seccomp/`, named by the hash of the rule list, the script and the architecture), then handed
 * to bubblewrap as `--seccomp 4`, which installs it (with no_new_privs) right before it execs the
 * sandboxed command. System calls of another ABI (i386 `int 0x80` on x86-64) do not match the
 * filter's architecture and are killed, libseccomp's default for a foreign architecture.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What the filter refuses with EPERM, and why (each group is a way out of the sandbox, or
 * kernel surface the sandboxed code has no use for and past escapes went through).
 */
export const DENIED_SYSCALLS: readonly string[] = [
  // Asynchronous I/O rings: a large, often-exploited kernel surface, and one that bypasses per-syscall filtering.
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
  // userfaultfd stalls the kernel at a chosen page fault (the classic race-widener); perf events read the host's counters.
  'userfaultfd',
  'perf_event_open',
  // Kernel keyrings are not namespaced: a key planted in the runner's session keyring was readable, and one task left a key for the next.
  'keyctl',
  'add_key',
  'request_key',
  // Mounts and namespaces: no new mount, no new or joined namespace, no root change.
  'mount',
  'umount2',
  'mount_setattr',
  'move_mount',
  'open_tree',
  'fsopen',
  'fsconfig',
  'fsmount',
  'fspick',
  'pivot_root',
  'chroot',
  'unshare',
  'setns',
  // Another process's memory and file descriptors.
  'ptrace',
  'process_vm_readv',
  'process_vm_writev',
  'pidfd_getfd',
  'kcmp',
  // eBPF programs, and file handles that open a file by inode past the mount view.
  'bpf',
  'open_by_handle_at',
  'name_to_handle_at',
  // The machine itself: modules, kexec, reboot, swap, the kernel log, accounting, quotas, the clock.
  'init_module',
  'finit_module',
  'delete_module',
  'kexec_load',
  'kexec_file_load',
  'reboot',
  'swapon',
  'swapoff',
  'syslog',
  'acct',
  'quotactl',
  'quotactl_fd',
  'lookup_dcookie',
  'settimeofday',
  'clock_settime',
  'clock_adjtime',
  'adjtimex',
  'iopl',
  'ioperm',
  'vhangup',
];

/** `clone` flags that make a namespace: `clone` with any of them fails with EPERM, as `unshare` does. */
export const NAMESPACE_CLONE_FLAGS: readonly number[] = [
  0x00020000, // CLONE_NEWNS
  0x02000000, // CLONE_NEWCGROUP
  0x04000000, // CLONE_NEWUTS
  0x08000000, // CLONE_NEWIPC
  0x10000000, // CLONE_NEWUSER
  0x20000000, // CLONE_NEWPID
  0x40000000, // CLONE_NEWNET
];

/**
 * Builds the filter with libseccomp (through ctypes) and exports it to argv[2]. argv[1]: the rules as JSON.
 * Exit 3 with one line on stderr when libseccomp cannot be loaded.
 */
export const SECCOMP_SCRIPT = String.raw`import ctypes, json, os, sys
spec, out = json.loads(sys.argv[1]), sys.argv[2]
try:
    lib = ctypes.CDLL('libseccomp.so.2', use_errno=True)
except OSError as e:
    sys.stderr.write('libseccomp (libseccomp.so.2) cannot be loaded: %s\n' % e)
    sys.exit(3)
class Cmp(ctypes.Structure):
    _fields_ = [('arg', ctypes.c_uint), ('op', ctypes.c_int), ('datum_a', ctypes.c_uint64), ('datum_b', ctypes.c_uint64)]
lib.seccomp_init.restype = ctypes.c_void_p
lib.seccomp_init.argtypes = [ctypes.c_uint32]
lib.seccomp_syscall_resolve_name.restype = ctypes.c_int
lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
lib.seccomp_rule_add_array.restype = ctypes.c_int
lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.POINTER(Cmp)]
lib.seccomp_export_bpf.restype = ctypes.c_int
lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.seccomp_release.argtypes = [ctypes.c_void_p]
SCMP_ACT_ALLOW = 0x7fff0000
SCMP_CMP_MASKED_EQ = 7
def errno(e):
    return 0x00050000 | (e & 0xffff)
ctx = lib.seccomp_init(SCMP_ACT_ALLOW)
if not ctx:
    sys.stderr.write('libseccomp: seccomp_init failed\n')
    sys.exit(1)
def nr(name):
    n = lib.seccomp_syscall_resolve_name(name.encode())
    # Negative: not a system call of this architecture (umount on x86-64), nothing to refuse.
    return n if n >= 0 else None
def add(action, name, cmps=()):
    n = nr(name)
    if n is None:
        return
    arr = (Cmp * len(cmps))(*cmps) if cmps else None
    rc = lib.seccomp_rule_add_array(ctx, action, n, len(cmps), arr)
    if rc != 0:
        sys.stderr.write('libseccomp: cannot add a rule for %s (%d)\n' % (name, rc))
        sys.exit(1)
for name in spec['eperm']:
    add(errno(spec['EPERM']), name)
for flag in spec['clone_flags']:
    # x86-64, arm64 and most others: clone's flags are its first argument.
    add(errno(spec['EPERM']), 'clone', [Cmp(0, SCMP_CMP_MASKED_EQ, flag, flag)])
add(errno(spec['ENOSYS']), 'clone3')
fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
rc = lib.seccomp_export_bpf(ctx, fd)
os.close(fd)
lib.seccomp_release(ctx)
if rc != 0:
    sys.stderr.write('libseccomp: seccomp_export_bpf failed (%d)\n' % rc)
    sys.exit(1)
`;

const RULES = { eperm: DENIED_SYSCALLS, clone_flags: NAMESPACE_CLONE_FLAGS, EPERM: 1, ENOSYS: 38 };

export type SeccompStatus = { available: true; file: string } | { available: false; reason: string };

let cached: SeccompStatus | undefined;

/** The cached filter (built on first use), or why there is none; once per process. */
export function seccompFilter(): SeccompStatus {
  cached ??= buildSeccompFilter({ python: pythonForFilter, cacheDir: cacheDir(process.env) });
  return cached;
}

function cacheDir(env: NodeJS.ProcessEnv): string {
  return env.REFEREE_CACHE_DIR ?? join(env.HOME ?? homedir(), '.cache', 'referee');
}

/** Any Python 3 will do (it only loads libseccomp): the one on PATH, else the system's. */
function pythonForFilter(): string | null {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(candidate, ['-I', '-S', '-c', 'import ctypes'], { stdio: 'ignore', timeout: 10_000 });
    if (r.status === 0) return candidate;
  }
  return null;
}

/** Builds (or finds) the filter file under `cacheDir`; falls back to a temporary folder when the cache cannot be written. */
export function buildSeccompFilter(opts: { python: string | null | (() => string | null); cacheDir: string }): SeccompStatus {
  let python: string | null | undefined = typeof opts.python === 'function' ? undefined : opts.python;
  const key = createHash('sha256').update(JSON.stringify(RULES)).update(SECCOMP_SCRIPT).update(process.arch).digest('hex').slice(0, 16);
  const name = `filter-${process.arch}-${key}.bpf`;
  for (const dir of [join(opts.cacheDir, 'seccomp'), null]) {
    const file = dir ? join(dir, name) : null;
    if (file && valid(file)) return { available: true, file };
    // Python is looked for only when the filter must be built.
    if (python === undefined) python = (opts.python as () => string | null)();
    if (!python) return { available: false, reason: 'python3 is not found (it builds the seccomp filter once, with libseccomp)' };
    let target: string;
    try {
      target = dir ?? mkdtempSync(join(tmpdir(), 'referee-seccomp-'));
      mkdirSync(target, { recursive: true });
    } catch {
      continue;
    }
    const out = join(target, dir ? `.${name}.${process.pid}.tmp` : name);
    const r = spawnSync(python, ['-I', '-S', '-c', SECCOMP_SCRIPT, JSON.stringify(RULES), out], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) {
      rmSync(out, { force: true });
      if (r.error) return { available: false, reason: `python3 cannot run to build the seccomp filter (${r.error.message})` };
      const why = (r.stderr || `exit ${r.status}`).trim().split('\n').pop() ?? '';
      // Exit 3: libseccomp is missing; anything else is unexpected, and as missing for the run.
      return { available: false, reason: r.status === 3 ? `${why}; install libseccomp2` : `the seccomp filter cannot be built with libseccomp: ${why}` };
    }
    if (!valid(out)) {
      rmSync(out, { force: true });
      return { available: false, reason: 'libseccomp exported an empty seccomp filter' };
    }
    if (!dir) return { available: true, file: out };
    try {
      renameSync(out, join(target, name));
      return { available: true, file: join(target, name) };
    } catch {
      rmSync(out, { force: true });
    }
  }
  return { available: false, reason: 'the seccomp filter cannot be written to the cache or a temporary folder' };
}

/** A BPF program: whole 8-byte instructions, at least one. */
function valid(file: string): boolean {
  try {
    const st = statSync(file);
    return st.isFile() && st.size > 0 && st.size % 8 === 0;
  } catch {
    return false;
  }
}
