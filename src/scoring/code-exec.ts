/**
 * Code-execution evaluation (issue 8): model-written JavaScript or Python is
 * run against the task's tests in a separate process, in a throwaway
 * directory, with a wall-clock limit, a memory limit and no network. A crash,
 * a hang, an allocation without bound or an escape attempt (socket, child
 * process, writing outside its directory) scores zero and harms nothing.
 *
 * Layers, each used where this machine has it (`sandboxLayers()` says which):
 * - `netns`: `unshare -n` (root) or `unshare -rn` (unprivileged user
 *   namespaces): the process has no network interface but a downed loopback.
 * - `guard`: in-process denial that kills the process (SIGKILL, which the
 *   model's code cannot catch) on a socket, child process or, for Python,
 *   a write outside the directory: a Node `--require` preload and Python audit
 *   hooks (PEP 578). This is what makes an attempt score zero even where the
 *   namespace alone would only make the call fail.
 * - `node-permission`: Node's permission model (`--permission` /
 *   `--experimental-permission`): no file writes outside the directory, no
 *   child processes, no workers, no native addons.
 * - `rlimit`: `prlimit --data` for Node (beside `--max-old-space-size`);
 *   `RLIMIT_AS`, `RLIMIT_CPU`, `RLIMIT_FSIZE` set by the Python harness itself.
 * - the wall-clock limit kills the whole process group.
 *
 * Not a defence against a model that subverts the grader from inside (its
 * code shares the process with the tests and could patch `Object.is`); the
 * pass signal is a per-run nonce read from stdin after the tests, so exiting
 * early or printing "ok" does not pass.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type CodeLanguage = 'javascript' | 'python';

/**
 * Address space Node needs beyond its heap: V8 reserves its code range at
 * start-up, and Node 24 fails to start with less than about 600 MB of data limit.
 */
const DATA_HEADROOM_MB = 768;

export interface CodeRunOptions {
  language: CodeLanguage;
  /** The model's code. */
  code: string;
  /** The task's tests: statements that throw (JS `assert`, Python `assert`) on a wrong answer. */
  tests: string;
  /** Wall-clock limit for the whole process, ms. @default 5000 */
  timeoutMs?: number;
  /** Memory limit, MB (heap for Node, address space for Python). @default 256 */
  memoryMb?: number;
  /** Python interpreter. @default the real executable behind `python3` on PATH */
  python?: string;
}

export type CodeRunReason = 'passed' | 'failed' | 'timeout' | 'memory' | 'network' | 'process' | 'filesystem' | 'crash' | 'unavailable';

export interface CodeRunResult {
  passed: boolean;
  reason: CodeRunReason;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** The tail of stderr and stdout (nonce removed), for the verdict's reason. */
  output: string;
  /** Isolation layers that were in force. */
  layers: string[];
}

const OUTPUT_CAP = 64 * 1024;
const DENIED = 'REFEREE_SANDBOX_DENIED';

interface Layers {
  netns: string[] | null;
  prlimit: boolean;
  nodePermission: string | null;
}

let cachedLayers: Layers | undefined;
let cachedPython: string | null | undefined;

function works(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 5000 });
  return r.status === 0;
}

/** Probes once per process which isolation layers this machine offers. */
export function sandboxLayers(): Layers {
  if (cachedLayers) return cachedLayers;
  const netns = works('unshare', ['-n', 'true']) ? ['unshare', '-n'] : works('unshare', ['-rn', 'true']) ? ['unshare', '-rn'] : null;
  const prlimit = works('prlimit', ['--data=1073741824', 'true']);
  // Node 22.13+/23.5+ spell it --permission; Node 20 --experimental-permission.
  const nodePermission = ['--permission', '--experimental-permission'].find((flag) => works(process.execPath, [flag, '--allow-fs-read=*', '-e', '0'])) ?? null;
  cachedLayers = { netns, prlimit, nodePermission };
  return cachedLayers;
}

/** The interpreter behind `python3` (pyenv shims cost a shell per call), or null. */
export function resolvePython(): string | null {
  if (cachedPython !== undefined) return cachedPython;
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', timeout: 10_000 });
  cachedPython = r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
  return cachedPython;
}

// The Node preload: denial kills the process with captured references, so
// the model's code can neither catch it nor patch it away.
const NODE_GUARD = `'use strict';
const kill = process.kill.bind(process);
const pid = process.pid;
const { writeSync } = require('fs');
function deny(kind, what) {
  try { writeSync(2, '\\n${DENIED} ' + kind + ' ' + what + '\\n'); } catch {}
  kill(pid, 'SIGKILL');
}
const net = require('net');
net.Socket.prototype.connect = function () { deny('network', 'net.Socket.connect'); };
net.connect = net.createConnection = function () { deny('network', 'net.connect'); };
net.Server.prototype.listen = function () { deny('network', 'net.Server.listen'); };
const tls = require('tls');
tls.connect = function () { deny('network', 'tls.connect'); };
require('dgram').createSocket = function () { deny('network', 'dgram.createSocket'); };
for (const name of ['http', 'https']) {
  const m = require(name);
  m.request = m.get = function () { deny('network', name + '.request'); };
}
globalThis.fetch = function () { deny('network', 'fetch'); };
globalThis.WebSocket = function () { deny('network', 'WebSocket'); };
const cp = require('child_process');
for (const k of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  cp[k] = function () { deny('process', 'child_process.' + k); };
}
require('worker_threads').Worker = function () { deny('process', 'Worker'); };
`;

const NODE_HARNESS = `'use strict';
const fs = require('fs');
const vm = require('vm');
const assert = require('assert');
const path = require('path');
const writeSync = fs.writeSync;
const exit = process.exit.bind(process);
const nonce = fs.readFileSync(0, 'utf8').trim();
const source = fs.readFileSync(path.join(__dirname, 'solution.js'), 'utf8') + '\\n;\\n' + fs.readFileSync(path.join(__dirname, 'tests.js'), 'utf8');
Object.defineProperty(globalThis, 'assert', { value: assert, writable: false, configurable: false });
globalThis.require = require;
vm.runInThisContext(source, { filename: 'solution.js' });
writeSync(1, '\\n' + nonce + '\\n');
exit(0);
`;

// The Python harness: limits first, then audit hooks (which cannot be removed
// once added), then the model's code and the tests in one namespace.
const PYTHON_HARNESS = `import os, sys, signal, resource, traceback
mem_mb, cpu_s = int(sys.argv[1]), int(sys.argv[2])
here = os.path.dirname(os.path.abspath(__file__))
nonce = sys.stdin.readline().strip()
for lim, val in ((resource.RLIMIT_AS, mem_mb * 1048576), (resource.RLIMIT_CPU, cpu_s), (resource.RLIMIT_FSIZE, 16 * 1048576)):
    try:
        resource.setrlimit(lim, (val, val))
    except (ValueError, OSError):
        pass
_kill, _pid, _write, _exit, _fspath = os.kill, os.getpid(), os.write, os._exit, os.fspath
_abspath, _sep = os.path.abspath, os.sep
def _deny(kind, what):
    try:
        _write(2, ('\\n${DENIED} %s %s\\n' % (kind, what)).encode())
    finally:
        _kill(_pid, signal.SIGKILL)
def _inside(p):
    try:
        p = _abspath(_fspath(p))
    except Exception:
        return False
    return p == here or p.startswith(here + _sep)
_NET = {'socket.__new__', 'socket.connect', 'socket.bind', 'socket.getaddrinfo', 'socket.sendto'}
_PROC = {'subprocess.Popen', 'os.system', 'os.exec', 'os.posix_spawn', 'os.spawn', 'os.fork', 'os.forkpty', 'pty.spawn', 'ctypes.dlopen'}
_FS = {'os.remove', 'os.rmdir', 'os.rename', 'os.chmod', 'os.chown', 'os.truncate', 'os.link', 'os.symlink', 'os.mkdir', 'shutil.rmtree', 'os.utime'}
def _hook(event, args):
    if event in _NET:
        _deny('network', event)
    elif event in _PROC:
        _deny('process', event)
    elif event == 'open':
        mode, path = args[1], args[0]
        writing = (isinstance(mode, str) and any(c in mode for c in 'wax+')) or (isinstance(args[2], int) and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if writing and not isinstance(path, int) and not _inside(path):
            _deny('filesystem', 'open for writing outside the sandbox')
    elif event in _FS:
        if not args or not _inside(args[0]):
            _deny('filesystem', event)
with open(os.path.join(here, 'solution.py')) as f:
    source = f.read()
with open(os.path.join(here, 'tests.py')) as f:
    source += '\\n\\n' + f.read()
code = compile(source, 'solution.py', 'exec')
sys.addaudithook(_hook)
try:
    exec(code, {'__name__': '__main__'})
except BaseException:
    traceback.print_exc()
    try:
        sys.stdout.flush()
    except Exception:
        pass
    _exit(1)
try:
    sys.stdout.flush()
except Exception:
    pass
_write(1, ('\\n' + nonce + '\\n').encode())
_exit(0)
`;

/** Runs the model's code against the tests; never throws for anything the code does. */
export async function runCode(options: CodeRunOptions): Promise<CodeRunResult> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const memoryMb = options.memoryMb ?? 256;
  const layers = sandboxLayers();
  const dir = mkdtempSync(join(tmpdir(), 'referee-code-'));
  const used: string[] = [];
  try {
    let cmd: string[];
    if (options.language === 'javascript') {
      writeFileSync(join(dir, 'solution.js'), options.code);
      writeFileSync(join(dir, 'tests.js'), options.tests);
      writeFileSync(join(dir, 'guard.cjs'), NODE_GUARD);
      writeFileSync(join(dir, 'harness.cjs'), NODE_HARNESS);
      cmd = [process.execPath, `--max-old-space-size=${memoryMb}`];
      if (layers.nodePermission) {
        cmd.push(layers.nodePermission, `--allow-fs-read=${dir}`, `--allow-fs-write=${dir}`);
        used.push('node-permission');
      }
      cmd.push('--require', join(dir, 'guard.cjs'), join(dir, 'harness.cjs'));
      used.push('guard');
      if (layers.prlimit) {
        // V8 keeps code, stacks and buffers beside the old space: room for those on top.
        cmd = ['prlimit', `--data=${(memoryMb * 2 + DATA_HEADROOM_MB) * 1048576}`, `--cpu=${Math.ceil(timeoutMs / 1000) + 1}`, ...cmd];
        used.push('rlimit');
      }
    } else {
      const python = options.python ?? resolvePython();
      if (!python) {
        return { passed: false, reason: 'unavailable', exitCode: null, signal: null, durationMs: 0, output: 'python3 not found', layers: [] };
      }
      writeFileSync(join(dir, 'solution.py'), options.code);
      writeFileSync(join(dir, 'tests.py'), options.tests);
      writeFileSync(join(dir, 'harness.py'), PYTHON_HARNESS);
      // -I: isolated (no user site, no PYTHON* variables); -S: no site import; -B: no .pyc.
      cmd = [python, '-I', '-S', '-B', join(dir, 'harness.py'), String(memoryMb + 64), String(Math.ceil(timeoutMs / 1000) + 1)];
      used.push('guard', 'rlimit');
    }
    if (layers.netns) {
      cmd = [...layers.netns, ...cmd];
      used.push('netns');
    }
    used.push('timeout', 'tempdir');
    const nonce = randomBytes(16).toString('hex');
    const r = await spawnLimited(cmd, { cwd: dir, timeoutMs, stdin: `${nonce}\n` });
    const passed = r.exitCode === 0 && r.stdout.split('\n').includes(nonce);
    const output = (r.stderr + (r.stderr && r.stdout ? '\n' : '') + r.stdout).split(nonce).join('').trim();
    return { passed, reason: passed ? 'passed' : classify(r, output), exitCode: r.exitCode, signal: r.signal, durationMs: r.durationMs, output: tail(output), layers: used };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function classify(r: SpawnResult, output: string): CodeRunReason {
  const denied = new RegExp(`${DENIED} (\\w+)`).exec(output)?.[1];
  if (denied === 'network' || denied === 'process' || denied === 'filesystem') return denied;
  if (r.timedOut) return 'timeout';
  if (/MemoryError|heap limit|Allocation failed|allocation failed|out of memory|ERR_MEMORY|ENOMEM|Cannot allocate memory/i.test(output)) return 'memory';
  if (r.signal === 'SIGXCPU') return 'timeout';
  if (/ERR_ACCESS_DENIED/.test(output)) return /ChildProcess|Worker/i.test(output) ? 'process' : 'filesystem';
  if (r.signal) return 'crash';
  return 'failed';
}

function tail(text: string, max = 2000): string {
  return text.length > max ? `…${text.slice(text.length - max)}` : text;
}

interface SpawnResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

function spawnLimited(cmd: string[], opts: { cwd: string; timeoutMs: number; stdin: string }): Promise<SpawnResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    // Proxies point at the discard port: a tool that honours them goes nowhere.
    const env: NodeJS.ProcessEnv = {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: opts.cwd,
      TMPDIR: opts.cwd,
      LANG: 'C.UTF-8',
      http_proxy: 'http://127.0.0.1:9',
      https_proxy: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      HTTPS_PROXY: 'http://127.0.0.1:9',
      ALL_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '',
    };
    const [file, ...args] = cmd as [string, ...string[]];
    // detached: its own process group, so the limit kills whatever it started too.
    const child = spawn(file, args, { cwd: opts.cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const cap = (acc: string, d: Buffer): string => (acc.length >= OUTPUT_CAP ? acc : acc + d.toString('utf8', 0, Math.min(d.length, OUTPUT_CAP - acc.length)));
    child.stdout.on('data', (d: Buffer) => (stdout = cap(stdout, d)));
    child.stderr.on('data', (d: Buffer) => (stderr = cap(stderr, d)));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin);
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, opts.timeoutMs);
    const done = (exitCode: number | null, signal: string | null): void => {
      clearTimeout(timer);
      // Anything it left running in its group goes too.
      killGroup();
      resolve({ exitCode, signal, stdout, stderr, timedOut, durationMs: performance.now() - started });
    };
    child.on('error', (err) => {
      stderr += `\n${err.message}`;
      done(null, null);
    });
    child.on('close', (code, signal) => done(code, signal));
  });
}
