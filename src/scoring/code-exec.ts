/**
 * Code-execution evaluation (issue 8, issue 14, issue 24): model-written
 * JavaScript or Python is run against the task's tests, the two in separate
 * processes (the tests call the solution over a data-only channel, and the
 * verdict is the checker's: sandbox/harness.ts, sandbox/pair.ts), each inside
 * bubblewrap (sandbox/bwrap.ts):
 * its own user, pid, network, IPC and UTS namespaces, no environment, a
 * read-only view of /usr and the interpreter, a tmpfs work directory, a
 * process limit, and a wall-clock limit that kills the whole namespace. A
 * crash, a hang, an allocation without bound or an escape attempt scores zero
 * and harms nothing; a timed-out evaluation fails whatever it printed.
 *
 * issue 24, the bounds (sandbox/bounds.ts): each side runs in a cgroup of its own (memory
 * of all its processes together, pids, CPU: sandbox/cgroup.ts) under a seccomp filter
 * (sandbox/seccomp.ts), with tmpfs of a fixed total size and a read-only root. Where one
 * cannot be applied, code is refused like without bubblewrap; with `unsafe` it runs in
 * bubblewrap without that bound. An out-of-memory kill in either group fails the evaluation
 * with reason `memory` ("out of memory").
 *
 * Where bubblewrap cannot run, code is refused (`reason: 'unavailable'`)
 * unless the caller passes `unsafe: true` (`--unsafe-code-exec`): then the
 * older, weaker layers run it (`unshare -n`, in-process guards, Node's
 * permission model, rlimits, a process-group kill). They do not hide the
 * runner's environment or files, and are not a sandbox.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxBounds } from './sandbox/bounds.js';
import { bwrapStatus, freshUid, interpreterMounts, processesOf, reachableByOthers, sandboxCommand, SANDBOX_CODE_DIR, SANDBOX_WORK_DIR } from './sandbox/bwrap.js';
import { createCgroup, type Cgroup, type CgroupEnd } from './sandbox/cgroup.js';
import { DENIED, NODE_CHECKER, NODE_GUARD, NODE_SOLUTION, PYTHON_CHECKER, PYTHON_SOLUTION } from './sandbox/harness.js';
import { runPair } from './sandbox/pair.js';

export { bwrapStatus } from './sandbox/bwrap.js';
export { sandboxBounds } from './sandbox/bounds.js';

export type CodeLanguage = 'javascript' | 'python';

/**
 * Address space Node needs beyond its heap: V8 reserves its code range at
 * start-up, and Node 24 fails to start with less than about 600 MB of data limit.
 */
const DATA_HEADROOM_MB = 768;
/** issue 14: processes (and threads: Node starts about a dozen) one evaluation may hold at once. */
const MAX_PROCESSES = 64;
/**
 * issue 24: what each side's cgroup may hold beyond `memory_mb`, MiB: the interpreter itself and
 * bubblewrap (Python's own `RLIMIT_AS` has the same 64 on top; Node keeps code and its young
 * generation beside the old space that `--max-old-space-size` bounds).
 */
const CGROUP_HEADROOM_MB = { python: 64, javascript: 128 } as const;
/** issue 24: how far RLIMIT_NPROC sits above the cgroup's pids.max, so that the group's limit is the one a fork bomb meets. */
const NPROC_BACKSTOP = 16;
/** issue 24: CPUs' worth of time each side may use (its threads and children together). */
const CGROUP_CPUS = 1;

export interface CodeRunOptions {
  language: CodeLanguage;
  /** The model's code. */
  code: string;
  /** The task's tests: statements that throw (JS `assert`, Python `assert`) on a wrong answer. */
  tests: string;
  /** Wall-clock limit for the whole evaluation, ms. @default 5000 */
  timeoutMs?: number;
  /** Memory limit, MB (heap for Node, address space for Python). @default 256 */
  memoryMb?: number;
  /** Python interpreter (issue 24: wherever it lives; its prefix is bound read-only). @default the real executable behind `python3` on PATH, else /usr/bin/python3 */
  python?: string;
  /** Node executable for JavaScript (issue 24: wherever it lives; its prefix is bound read-only). @default process.execPath */
  node?: string;
  /** issue 14: run without bubblewrap where it is missing (`--unsafe-code-exec`). @default false */
  unsafe?: boolean;
}

export type CodeRunReason = 'passed' | 'failed' | 'timeout' | 'memory' | 'network' | 'process' | 'filesystem' | 'crash' | 'unavailable';

export interface CodeRunResult {
  passed: boolean;
  reason: CodeRunReason;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** The tail of both sides' stderr and stdout (the solution's first), for the verdict's reason. */
  output: string;
  /** Isolation layers that were in force. */
  layers: string[];
  /** issue 24: the most memory either side's cgroup held, MiB (all its processes and tmpfs files together); null without a cgroup. */
  memoryPeakMb: number | null;
}

interface UnsafeLayers {
  netns: string[] | null;
  prlimit: boolean;
  nodePermission: string | null;
}

let cachedLayers: UnsafeLayers | undefined;
let cachedPython: string | null | undefined;
const cachedPythonPrefixes = new Map<string, string[]>();

function works(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 5000 });
  return r.status === 0;
}

/** Probes once per process which layers the unsafe fallback can use here. */
export function sandboxLayers(): UnsafeLayers {
  if (cachedLayers) return cachedLayers;
  const netns = works('unshare', ['-n', 'true']) ? ['unshare', '-n'] : works('unshare', ['-rn', 'true']) ? ['unshare', '-rn'] : null;
  const prlimit = works('prlimit', ['--data=1073741824', 'true']);
  // Node 22.13+/23.5+ spell it --permission; Node 20 --experimental-permission.
  const nodePermission = ['--permission', '--experimental-permission'].find((flag) => works(process.execPath, [flag, '--allow-fs-read=*', '-e', '0'])) ?? null;
  cachedLayers = { netns, prlimit, nodePermission };
  return cachedLayers;
}

/**
 * The interpreter for Python code (issue 24): the user's own, the real executable behind
 * `python3` on PATH (pyenv, conda, a venv: the sandbox binds its prefix), else the system's, or null.
 */
export function resolvePython(): string | null {
  if (cachedPython !== undefined) return cachedPython;
  // pyenv shims cost a shell per call: ask for the real executable once.
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', timeout: 10_000 });
  const found = r.status === 0 ? r.stdout.trim() : '';
  cachedPython = found ? found : existsSync('/usr/bin/python3') ? realpathSync('/usr/bin/python3') : null;
  return cachedPython;
}

/** issue 24: where a Python's standard library lives (`sys.base_prefix`: a venv's base interpreter), asked once per interpreter. */
function pythonPrefixes(python: string): string[] {
  const hit = cachedPythonPrefixes.get(python);
  if (hit) return hit;
  const r = spawnSync(python, ['-I', '-S', '-c', 'import sys; print(sys.base_prefix); print(sys.base_exec_prefix)'], { encoding: 'utf8', timeout: 10_000 });
  const prefixes = r.status === 0 ? r.stdout.split('\n').map((l) => l.trim()).filter(Boolean) : [];
  cachedPythonPrefixes.set(python, prefixes);
  return prefixes;
}

/**
 * Whether code tasks can run here: `bwrap` with every bound; with `unsafe` (the caller accepted
 * it), `partial` (bubblewrap without the bounds that cannot be applied) or `unsafe` (no bubblewrap).
 */
export function codeExecMode(unsafe: boolean): 'bwrap' | 'partial' | 'unsafe' | null {
  if (!bwrapStatus().available) return unsafe ? 'unsafe' : null;
  if (sandboxBounds().missing.length === 0) return 'bwrap';
  return unsafe ? 'partial' : null;
}

/** Why code tasks cannot run in the bounded sandbox here, in one line (empty when they can). */
export function sandboxShortfall(): string {
  const b = bwrapStatus();
  if (!b.available) return b.reason;
  return sandboxBounds().missing.join('; ');
}

interface Prepared {
  /** Command as run inside (bwrap) or on the host (unsafe), with the files at `codeRoot`. */
  command: string[];
  extraReadOnly: string[];
  rlimits: string[];
  layers: string[];
}

type Role = 'solution' | 'checker';

/**
 * Writes one side's files into `dir` (issue 24: the solution's side never holds the tests, the
 * checker's never the solution); returns the command that runs them from `codeRoot`.
 */
function prepare(options: CodeRunOptions, role: Role, dir: string, codeRoot: string, workDir: string, memoryMb: number, timeoutMs: number, unsafe: UnsafeLayers | null): Prepared | string {
  const cpuS = Math.ceil(timeoutMs / 1000) + 1;
  if (options.language === 'javascript') {
    if (role === 'solution') {
      writeFileSync(join(dir, 'solution.js'), options.code);
      // The names the tests may call: the solution's side reports those its code defined.
      writeFileSync(join(dir, 'names.json'), JSON.stringify([...new Set(options.tests.match(/[A-Za-z_$][\w$]*/g) ?? [])].slice(0, 5000)));
      writeFileSync(join(dir, 'guard.cjs'), NODE_GUARD);
      writeFileSync(join(dir, 'harness.cjs'), NODE_SOLUTION);
    } else {
      writeFileSync(join(dir, 'tests.js'), options.tests);
      writeFileSync(join(dir, 'harness.cjs'), NODE_CHECKER);
    }
    const node = options.node ?? process.execPath;
    const command = [realOr(node), `--max-old-space-size=${memoryMb}`];
    const layers = ['guard', 'rlimit'];
    const permission = unsafe ? unsafe.nodePermission : sandboxLayers().nodePermission;
    if (permission) {
      command.push(permission, `--allow-fs-read=${codeRoot}`, `--allow-fs-write=${workDir}`);
      layers.push('node-permission');
    }
    if (role === 'solution') command.push('--require', join(codeRoot, 'guard.cjs'));
    command.push(join(codeRoot, 'harness.cjs'));
    // V8 keeps code, stacks and buffers beside the old space: room for those on top.
    const rlimits = [`data=${(memoryMb * 2 + DATA_HEADROOM_MB) * 1048576}`, `cpu=${cpuS}`];
    return { command, extraReadOnly: interpreterMounts(node), rlimits, layers };
  }
  const python = options.python ?? resolvePython();
  if (!python) return 'python3 not found';
  if (role === 'solution') {
    writeFileSync(join(dir, 'solution.py'), options.code);
    writeFileSync(join(dir, 'harness.py'), PYTHON_SOLUTION);
  } else {
    writeFileSync(join(dir, 'tests.py'), options.tests);
    writeFileSync(join(dir, 'harness.py'), PYTHON_CHECKER);
  }
  // -I: isolated (no user site, no PYTHON* variables); -S: no site import; -B: no .pyc.
  const command = [realOr(python), '-I', '-S', '-B', join(codeRoot, 'harness.py'), String(memoryMb + 64), String(cpuS), codeRoot];
  return { command, extraReadOnly: interpreterMounts(python, pythonPrefixes(python)), rlimits: [], layers: ['guard', 'rlimit'] };
}

/** The real file behind an interpreter's path (a version manager's symlink), as the sandbox binds it. */
function realOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function unavailable(output: string): CodeRunResult {
  return { passed: false, reason: 'unavailable', exitCode: null, signal: null, durationMs: 0, output, layers: [], memoryPeakMb: null };
}

/**
 * Runs the model's code against the tests; never throws for anything the code does.
 *
 * issue 24: the solution and the tests run in two processes, each in its own sandbox; the tests
 * call the solution's functions over a channel that carries only data (sandbox/harness.ts), and
 * the pass is the checker's verdict, which the solution can neither reach nor write.
 */
export async function runCode(options: CodeRunOptions): Promise<CodeRunResult> {
  const mode = codeExecMode(options.unsafe ?? false);
  if (!mode) return unavailable(`code execution refused: ${sandboxShortfall()} (or pass --unsafe-code-exec)`);
  const boxed = mode === 'bwrap' || mode === 'partial';
  const timeoutMs = options.timeoutMs ?? 5000;
  const memoryMb = options.memoryMb ?? 256;
  const dirs = { solution: mkdtempSync(join(tmpdir(), 'referee-code-')), checker: mkdtempSync(join(tmpdir(), 'referee-check-')) };
  const uids: Record<Role, number | null> = { solution: null, checker: null };
  if (boxed && process.getuid?.() === 0) {
    uids.solution = freshUid();
    do uids.checker = freshUid();
    while (uids.checker === uids.solution);
  }
  let stageDir: string | null = null;
  const groups: Partial<Record<Role, Cgroup>> = {};
  const groupMb = memoryMb + CGROUP_HEADROOM_MB[options.language];
  try {
    const bounds = boxed ? boundsInForce() : null;
    const sides = {} as Record<Role, { cmd: string[]; layers: string[] }>;
    for (const role of ['solution', 'checker'] as const) {
      const dir = dirs[role];
      const prepared = boxed ? prepare(options, role, dir, SANDBOX_CODE_DIR, SANDBOX_WORK_DIR, memoryMb, timeoutMs, null) : prepare(options, role, dir, dir, dir, memoryMb, timeoutMs, sandboxLayers());
      if (typeof prepared === 'string') return unavailable(prepared);
      const uid = uids[role];
      // issue 24: as root the evaluation's uid cannot pass a 0700 home (pyenv, nvm under /root): stage those paths.
      if (uid !== null && !stageDir && prepared.extraReadOnly.some((p) => !reachableByOthers(p))) stageDir = mkdtempSync(join(tmpdir(), 'referee-stage-'));
      if (bounds?.cgroup) {
        try {
          groups[role] = createCgroup(bounds.cgroup, role, { memoryBytes: groupMb * 1048576, pids: MAX_PROCESSES, cpus: CGROUP_CPUS });
        } catch (e) {
          return unavailable(`code execution refused: cannot create the evaluation's cgroup (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        }
      }
      sides[role] = bounds ? bwrapCommand(prepared, dir, uid, stageDir, bounds, groups[role] ?? null) : unsafeCommand(prepared);
    }
    const env: NodeJS.ProcessEnv = boxed ? { PATH: '/usr/local/bin:/usr/bin:/bin' } : unsafeEnv(dirs.solution);
    const r = await runPair({ solution: { cmd: sides.solution.cmd, cwd: dirs.solution }, checker: { cmd: sides.checker.cmd, cwd: dirs.checker }, timeoutMs, env });
    // issue 24: what the groups saw (out-of-memory kills, refused forks); then they are gone.
    const seen: Partial<Record<Role, CgroupEnd>> = {};
    for (const role of ['solution', 'checker'] as const) seen[role] = await groups[role]?.end();
    const oomKills = (seen.solution?.oomKills ?? 0) + (seen.checker?.oomKills ?? 0);
    const pidsRefused = (seen.solution?.pidsRefused ?? 0) + (seen.checker?.pidsRefused ?? 0);
    // issue 14: a timed-out evaluation fails, whatever it printed. issue 24: the pass is the checker's alone,
    // the solution's process must have lived to answer every call, and no process of either side ran out of memory.
    const passed = !r.timedOut && !r.overflow && r.verdict === 'pass' && r.checker.exitCode === 0 && !r.solutionEndedEarly && r.solution.exitCode === 0 && oomKills === 0;
    const parts = [r.solution.stderr, r.solution.stdout, r.checker.stderr, r.checker.stdout].map((t) => t.trim());
    if (r.solutionEndedEarly && !r.timedOut) parts.push(`the solution's process ended before the tests finished (${r.solution.signal ?? `exit ${r.solution.exitCode}`})`);
    for (const role of ['solution', 'checker'] as const) {
      const n = seen[role]?.oomKills ?? 0;
      if (n > 0) parts.push(`out of memory: the ${role}'s processes together reached the sandbox's limit of ${groupMb} MB (memory_mb ${memoryMb} + ${CGROUP_HEADROOM_MB[options.language]}); the kernel killed ${n === 1 ? 'one process' : `${n} processes`}`);
    }
    if (pidsRefused > 0) parts.push(`process limit: ${pidsRefused} ${pidsRefused === 1 ? 'fork was' : 'forks were'} refused at ${MAX_PROCESSES} processes and threads`);
    const output = parts.filter(Boolean).join('\n');
    // What ended the evaluation: the solution's process when it died early (a denial, a crash), else the checker's.
    const ended = r.solutionEndedEarly || r.solution.signal ? r.solution : r.checker;
    const reason = passed ? 'passed' : classify({ timedOut: r.timedOut, signal: ended.signal, oomKills, pidsRefused }, output);
    const peaks = [seen.solution?.peakBytes, seen.checker?.peakBytes].filter((p): p is number => typeof p === 'number');
    const memoryPeakMb = peaks.length > 0 ? Math.round(Math.max(...peaks) / 1048576) : null;
    return { passed, reason, exitCode: ended.exitCode, signal: ended.signal, durationMs: r.durationMs, output: tail(output), layers: [...sides.solution.layers, 'checker-apart'], memoryPeakMb };
  } finally {
    for (const g of Object.values(groups)) await g.end();
    for (const uid of [uids.solution, uids.checker]) if (uid !== null) killUid(uid);
    for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
    // The stage's mounts lived in the namespaces that ended with the commands: the directory is empty.
    if (stageDir) rmSync(stageDir, { recursive: true, force: true });
  }
}

interface BoundsInForce {
  cgroup: (ReturnType<typeof sandboxBounds>['cgroup'] & { available: true }) | null;
  seccompFile: string | null;
  sizedTmpfs: boolean;
}

/** The bounds this machine allows (all of them unless the run accepted `--unsafe-code-exec`). */
function boundsInForce(): BoundsInForce {
  const b = sandboxBounds();
  return { cgroup: b.cgroup.available ? b.cgroup : null, seccompFile: b.seccomp.available ? b.seccomp.file : null, sizedTmpfs: b.sizedTmpfs.available };
}

function bwrapCommand(prepared: Prepared, dir: string, uid: number | null, stageDir: string | null, bounds: BoundsInForce, group: Cgroup | null): { cmd: string[]; layers: string[] } {
  if (uid !== null) {
    // The evaluation's own uid reads its files; nobody else on the host needs to.
    for (const f of readdirSync(dir)) chownSync(join(dir, f), uid, uid);
    chownSync(dir, uid, uid);
    chmodSync(dir, 0o500);
  }
  // Unprivileged, RLIMIT_NPROC counts every process of this user: the limit sits on top of those.
  // issue 24: with a cgroup, pids.max is the limit (it counts exactly the evaluation) and RLIMIT_NPROC a backstop just above it.
  const perEvaluation = group ? MAX_PROCESSES + NPROC_BACKSTOP : MAX_PROCESSES;
  const maxProcesses = uid !== null ? perEvaluation : processesOf(process.getuid?.() ?? -1) + perEvaluation;
  const cmd = sandboxCommand({
    codeDir: dir,
    extraReadOnly: prepared.extraReadOnly,
    stageDir,
    command: prepared.command,
    maxProcesses,
    uid,
    rlimits: prepared.rlimits,
    cgroupProcs: group?.procsFiles ?? [],
    seccompFile: bounds.seccompFile,
    boundedTmpfs: bounds.sizedTmpfs,
  });
  const layers = ['bwrap', 'userns', 'pidns', 'netns', 'ipcns', 'utsns', 'clearenv', 'readonly-root', 'tmpfs-work', 'nproc'];
  if (group) layers.push('cgroup-memory', 'cgroup-pids', 'cgroup-cpu');
  if (bounds.seccompFile) layers.push('seccomp');
  if (bounds.sizedTmpfs) layers.push('tmpfs-size');
  return { cmd, layers: [...layers, ...prepared.layers, 'timeout'] };
}

function unsafeCommand(prepared: Prepared): { cmd: string[]; layers: string[] } {
  const l = sandboxLayers();
  let cmd = prepared.command;
  const layers = [...prepared.layers];
  if (l.prlimit && prepared.rlimits.length > 0) cmd = ['prlimit', ...prepared.rlimits.map((r) => `--${r}`), ...cmd];
  else if (prepared.rlimits.length > 0) layers.splice(layers.indexOf('rlimit'), 1);
  if (l.netns) {
    cmd = [...l.netns, ...cmd];
    layers.push('netns');
  }
  return { cmd, layers: [...layers, 'timeout', 'tempdir', 'unsafe'] };
}

/** The unsafe fallback's environment: nothing of the runner's; proxies point at the discard port. */
function unsafeEnv(dir: string): NodeJS.ProcessEnv {
  const proxy = 'http://127.0.0.1:9';
  return { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: dir, TMPDIR: dir, LANG: 'C.UTF-8', http_proxy: proxy, https_proxy: proxy, HTTP_PROXY: proxy, HTTPS_PROXY: proxy, ALL_PROXY: proxy, NO_PROXY: '' };
}

/** Belt and braces: nothing of the evaluation's uid outlives it (the pid namespace already took it down). */
function killUid(uid: number): void {
  if (processesOf(uid) === 0) return;
  spawnSync('pkill', ['-KILL', '-U', String(uid)], { stdio: 'ignore', timeout: 5000 });
}

function classify(r: { timedOut: boolean; signal: string | null; oomKills: number; pidsRefused: number }, output: string): CodeRunReason {
  const denied = new RegExp(`${DENIED} (\\w+)`).exec(output)?.[1];
  if (denied === 'network' || denied === 'process' || denied === 'filesystem') return denied;
  // issue 24: the group's own count, whatever the process printed (an OOM kill prints nothing).
  if (r.oomKills > 0) return 'memory';
  if (r.timedOut) return 'timeout';
  if (/MemoryError|heap limit|Allocation failed|allocation failed|out of memory|ERR_MEMORY|ENOMEM|Cannot allocate memory/i.test(output)) return 'memory';
  if (r.signal === 'SIGXCPU') return 'timeout';
  if (/ERR_ACCESS_DENIED/.test(output)) return /ChildProcess|Worker/i.test(output) ? 'process' : 'filesystem';
  if (r.pidsRefused > 0) return 'process';
  if (r.signal) return 'crash';
  return 'failed';
}

function tail(text: string, max = 2000): string {
  return text.length > max ? `…${text.slice(text.length - max)}` : text;
}
