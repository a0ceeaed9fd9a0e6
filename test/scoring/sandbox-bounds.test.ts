/**
 * issue 24: the sandbox's bounds, each against the real sandbox: a cgroup per evaluation (memory of
 * all its processes together, pids, CPU), tmpfs with a total size, and the seccomp filter. The
 * attacks are those that got through before: six children of 250 MB under `memory_mb: 256`
 * (1,564 MB reached), a 2 GB tmpfs write (2,048 MB of host RAM taken), io_uring, userfaultfd,
 * perf_event_open, keyctl and add_key working, a fork bomb. Each row checks what the user sees
 * (the verdict and its reason) and that the runner and the machine are unharmed, measured:
 * the host's MemAvailable, sampled while the attack runs, and the group's own peak.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bwrapStatus, runCode, sandboxBounds, type CodeRunResult } from '../../src/scoring/code-exec.js';
import { freshUid, sandboxCommand, TMPFS_MB } from '../../src/scoring/sandbox/bwrap.js';
import { DENIED_SYSCALLS } from '../../src/scoring/sandbox/seccomp.js';

const bounded = bwrapStatus().available && sandboxBounds().missing.length === 0;

/** Python that runs argv past the in-process guard (`_posixsubprocess`, as an escaping solution would) and waits. */
function pyRun(...commands: string[][]): string {
  return `import _posixsubprocess, os
pids = []
for argv in ${JSON.stringify(commands)}:
    argv = [a.encode() for a in argv]
    pids.append(_posixsubprocess.fork_exec(argv, [argv[0]], True, (), None, None, -1, -1, -1, -1, -1, -1, *os.pipe(), True, False, -1, None, None, None, -1, None, False))
for pid in pids:
    os.waitpid(pid, 0)
`;
}
const sh = (cmd: string): string[] => ['/bin/sh', '-c', cmd];

function memAvailableMb(): number {
  return Number(/MemAvailable:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024;
}

/** Runs `fn` while sampling the host's MemAvailable every 10 ms; the largest drop below the level before, MiB. */
async function measured<T>(fn: () => Promise<T>): Promise<{ result: T; dropMb: number }> {
  const before = memAvailableMb();
  let min = before;
  const timer = setInterval(() => (min = Math.min(min, memAvailableMb())), 10);
  try {
    const result = await fn();
    return { result, dropMb: Math.max(0, before - min) };
  } finally {
    clearInterval(timer);
  }
}

/** Processes on the host whose command line holds `marker`. */
function leftovers(marker: string): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) n++;
    } catch {
      // gone
    }
  }
  return n;
}

// A process of the runner's that must outlive every attack.
let sentinel: ChildProcess;
beforeAll(() => {
  sentinel = spawn('sleep', ['600'], { stdio: 'ignore' });
});
afterAll(() => {
  sentinel.kill('SIGKILL');
});
function expectRunnerUnharmed(): void {
  expect(sentinel.exitCode).toBeNull();
  expect(sentinel.signalCode).toBeNull();
  expect(() => process.kill(sentinel.pid as number, 0)).not.toThrow();
}

describe.runIf(bwrapStatus().available && process.getuid?.() === 0)('as root with bubblewrap (CI)', () => {
  it('every bound applies: a cgroup per evaluation, the seccomp filter, sized tmpfs', () => {
    expect(sandboxBounds().missing).toEqual([]);
  });
});

describe.runIf(bounded)('the bounded sandbox (issue 24), against the real one', () => {
  it('six children of 250 MB under memory_mb 256: contained by the cgroup, the evaluation fails "out of memory"', async () => {
    const child = ['/usr/bin/python3', '-c', "import time\nb = b'x' * (250 << 20)\nprint('CHILD HOLDS 250 MB', flush=True)\ntime.sleep(3)"];
    const code = `${pyRun(...Array.from({ length: 6 }, () => child))}\ndef add(a, b):\n    return a + b\n`;
    const { result: r, dropMb } = await measured(() => runCode({ language: 'python', code, tests: 'assert add(2, 3) == 5', timeoutMs: 20_000, memoryMb: 256 }));
    expect(r.passed).toBe(false);
    expect(r.reason).toBe('memory');
    expect(r.output).toContain('out of memory');
    // The kernel's own count for the group: never past the limit (256 + 64 MiB), where the six would hold 1,500 MB.
    expect(r.memoryPeakMb).not.toBeNull();
    expect(r.memoryPeakMb as number).toBeLessThanOrEqual(256 + 64);
    // The machine: the host's available memory never fell by anything like the 1,500 MB asked for.
    expect(dropMb).toBeLessThan(1000);
    expectRunnerUnharmed();
  });

  it('an honest solution under the same limit still passes (the cgroup does not starve the interpreter)', async () => {
    const r = await runCode({ language: 'python', code: "def big():\n    return len(b'x' * (150 << 20))", tests: 'assert big() == 150 << 20', timeoutMs: 10_000, memoryMb: 256 });
    expect(r).toMatchObject({ passed: true, reason: 'passed' });
    const js = await runCode({ language: 'javascript', code: 'function big() { return Buffer.alloc(150 << 20, 1).length; }', tests: 'assert.strictEqual(big(), 150 << 20);', timeoutMs: 10_000, memoryMb: 256 });
    expect(js).toMatchObject({ passed: true, reason: 'passed' });
  });

  it('a 2 GB write to each tmpfs stops at its size; the root and /dev are read-only', async () => {
    const fill = (dir: string): string => `i=0; while [ $i -lt 256 ] && dd if=/dev/zero of=${dir}/f$i bs=1M count=8 2>/dev/null; do i=$((i+1)); done; echo "WROTE ${dir} $(du -sk ${dir} | cut -f1) KiB"; rm -f ${dir}/f*`;
    const code = pyRun(sh(`${fill('/work')}; ${fill('/tmp')}; ${fill('/dev/shm')}; echo x > /x; echo x > /dev/x; echo DONE`));
    const { result: r, dropMb } = await measured(() => runCode({ language: 'python', code, tests: 'assert True', timeoutMs: 30_000, memoryMb: 256 }));
    expect(r.output).toContain('DONE');
    const wrote = (dir: string): number => Number(new RegExp(`WROTE ${dir} (\\d+) KiB`).exec(r.output)?.[1] ?? NaN) / 1024;
    for (const [dir, mb] of [['/work', TMPFS_MB.work], ['/tmp', TMPFS_MB.tmp], ['/dev/shm', TMPFS_MB.shm]] as const) {
      // Filled to the size, and not a megabyte past it (2,048 MB were asked for).
      expect(wrote(dir)).toBeGreaterThan(mb - 2);
      expect(wrote(dir)).toBeLessThanOrEqual(mb);
    }
    expect(r.output.match(/Read-only file system/g)).toHaveLength(2);
    expect(dropMb).toBeLessThan(500);
    expectRunnerUnharmed();
  });

  // The system call numbers of this machine, from libseccomp itself.
  const probeNames = ['io_uring_setup', 'io_uring_enter', 'io_uring_register', 'userfaultfd', 'perf_event_open', 'keyctl', 'add_key', 'request_key', 'mount', 'umount2', 'unshare', 'setns', 'ptrace', 'bpf', 'clone3'];
  const resolved = spawnSync('python3', ['-c', `import ctypes, json, sys\nlib = ctypes.CDLL('libseccomp.so.2')\nlib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]\nprint(json.dumps({n: lib.seccomp_syscall_resolve_name(n.encode()) for n in sys.argv[1:]}))`, ...probeNames], { encoding: 'utf8' });
  const numbers = resolved.status === 0 ? (JSON.parse(resolved.stdout) as Record<string, number>) : {};
  /** Calls each system call with harmless arguments; prints {name: errno (0: it worked)}. */
  const syscallProbe = `import ctypes, json
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
L = ctypes.c_long
buf = ctypes.create_string_buffer(512)
args = {
    'io_uring_setup': (L(1), buf), 'io_uring_enter': (L(-1), L(0), L(0), L(0), None, L(0)), 'io_uring_register': (L(-1), L(0), None, L(0)),
    'userfaultfd': (L(1),), 'perf_event_open': (buf, L(0), L(-1), L(-1), L(0)),
    'keyctl': (L(0), L(-3), L(0)), 'add_key': (b'user', b'referee-probe', b'x', L(1), L(-2)), 'request_key': (b'user', b'referee-absent', None, L(0)),
    'mount': (b'none', b'/work', b'tmpfs', L(0), None), 'umount2': (b'/work', L(0)), 'unshare': (L(0),), 'setns': (L(-1), L(0)),
    'ptrace': (L(16), L(999999), None, None), 'bpf': (L(0), buf, L(0)), 'clone3': (None, L(0)),
}
out = {}
for name, nr in json.loads(${JSON.stringify(JSON.stringify(numbers))}).items():
    ctypes.set_errno(0)
    r = libc.syscall(L(nr), *args[name])
    out[name] = ctypes.get_errno() if r == -1 else 0
print('ERRNOS', json.dumps(out))
`;
  const errnos = (output: string): Record<string, number> => JSON.parse(/ERRNOS (\{.*\})/.exec(output)?.[1] ?? '{}') as Record<string, number>;

  it('each denied system call fails with EPERM inside the sandbox (clone3: ENOSYS, so the C library falls back to clone)', async () => {
    expect(Object.keys(numbers).sort()).toEqual([...probeNames].sort());
    for (const name of probeNames.filter((n) => n !== 'clone3')) expect(DENIED_SYSCALLS).toContain(name);
    const r = await runCode({ language: 'python', code: pyRun(['/usr/bin/python3', '-c', syscallProbe], sh('unshare -U true; unshare -m true; echo SH-DONE')), tests: 'assert True', timeoutMs: 10_000 });
    const got = errnos(r.output);
    expect(Object.keys(got).sort()).toEqual([...probeNames].sort());
    for (const name of probeNames) expect([name, got[name]]).toEqual([name, name === 'clone3' ? 38 : 1]);
    // From the shell too (the unshare(1) tool); and processes still start (clone without namespace flags).
    expect(r.output.match(/unshare failed: Operation not permitted/g)).toHaveLength(2);
    expect(r.output).toContain('SH-DONE');
    expect(r).toMatchObject({ passed: true, reason: 'passed' });
    expectRunnerUnharmed();
  });

  it('without the filter the same calls reach the kernel (the probe is real): io_uring, userfaultfd, keyctl, add_key, unshare work', () => {
    const cmd = sandboxCommand({ codeDir: '/usr', extraReadOnly: [], command: ['/usr/bin/python3', '-c', syscallProbe], maxProcesses: 64, uid: process.getuid?.() === 0 ? freshUid() : null, rlimits: [], seccompFile: null });
    const r = spawnSync(cmd[0] as string, cmd.slice(1), { encoding: 'utf8', timeout: 10_000 });
    const got = errnos(r.stdout);
    for (const name of ['io_uring_setup', 'userfaultfd', 'keyctl', 'add_key', 'unshare']) expect([name, got[name]]).toEqual([name, 0]);
    expect(got.clone3).not.toBe(38);
  });

  it('a fork bomb meets the cgroup pids limit, ends within the time limit and leaves nothing behind', async () => {
    const marker = `95${Math.floor(Math.random() * 1e6)}`;
    const r: CodeRunResult = await runCode({ language: 'python', code: pyRun(sh(`for i in $(seq 1 500); do sleep ${marker} & done; echo SPAWNED; wait`)), tests: 'assert True', timeoutMs: 3000 });
    // The shell gives up at the first refused fork; the verdict's reason names the group's limit.
    expect(r.output).toMatch(/Cannot fork|Resource temporarily unavailable/i);
    expect(r.output).toMatch(/process limit: \d+ forks? (was|were) refused at 64 processes/);
    expect(leftovers(`sleep ${marker}`)).toBe(0);
    expectRunnerUnharmed();
  });

  it('four busy children share one CPU: the group is held to one core however many it starts', async () => {
    // Each child spins for 1.5 s of wall time; the parent reports the CPU time its children used.
    const spin = ['/usr/bin/python3', '-c', 'import time\nend = time.monotonic() + 1.5\nwhile time.monotonic() < end: pass'];
    const code = `${pyRun(spin, spin, spin, spin)}\nimport os, time\nt = os.times()\nprint('CHILD_CPU', t.children_user + t.children_system)\n`;
    const r = await runCode({ language: 'python', code, tests: 'assert True', timeoutMs: 15_000 });
    const cpu = Number(/CHILD_CPU ([\d.]+)/.exec(r.output)?.[1] ?? NaN);
    // Four children over 1.5 s of wall time would use 6 s of CPU on four free cores; one core gives at most 1.5 s (plus start-up).
    expect(cpu).toBeLessThan(2.5);
    expect(r.passed).toBe(true);
  });
});
