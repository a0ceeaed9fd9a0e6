/**
 * The harnesses that run a solution and its tests inside the sandbox (issue 8,
 * issue 14). The sandbox (bwrap.ts) is the boundary; the guards here only make
 * an attempt score zero (`REFEREE_SANDBOX_DENIED`) where it would otherwise
 * merely fail inside the namespace. The pass signal is a per-run nonce read
 * from stdin: JavaScript cannot reach the harness's closure from the solution;
 * Python can reach every object of its interpreter (README: a limitation).
 */
export const DENIED = 'REFEREE_SANDBOX_DENIED';

// The Node preload: denial kills the process with captured references, so
// the model's code can neither catch it nor patch it away.
export const NODE_GUARD = `'use strict';
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
// issue 14: a same-thread inspector session can read the harness's closure (the nonce); the
// permission model already refuses it, this makes the attempt score zero where it is missing.
for (const name of ['inspector', 'inspector/promises']) {
  try { require(name).Session = function () { deny('process', name + '.Session'); }; } catch {}
}
`;

// issue 14: the nonce lives only in this module's closure, and assert is frozen
// (a solution that replaced assert.strictEqual passed any test).
export const NODE_HARNESS = `'use strict';
const fs = require('fs');
const vm = require('vm');
const assert = require('assert');
const path = require('path');
const writeSync = fs.writeSync;
const exit = process.exit.bind(process);
const nonce = fs.readFileSync(0, 'utf8').trim();
const source = fs.readFileSync(path.join(__dirname, 'solution.js'), 'utf8') + '\\n;\\n' + fs.readFileSync(path.join(__dirname, 'tests.js'), 'utf8');
function deepFreeze(o, seen = new Set()) {
  if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) return;
  seen.add(o);
  for (const k of Reflect.ownKeys(o)) {
    const d = Object.getOwnPropertyDescriptor(o, k);
    if (d && 'value' in d) deepFreeze(d.value, seen);
  }
  Object.freeze(o);
}
deepFreeze(assert);
Object.defineProperty(globalThis, 'assert', { value: assert, writable: false, configurable: false });
globalThis.require = require;
vm.runInThisContext(source, { filename: 'solution.js' });
writeSync(1, '\\n' + nonce + '\\n');
exit(0);
`;

// The Python harness: limits first, then audit hooks (which cannot be removed
// once added), then the model's code and the tests in one namespace. The
// nonce is read after the tests (issue 14: it was a global the solution read
// through sys._getframe(1).f_globals).
export const PYTHON_HARNESS = `import os, sys, signal, resource, traceback
mem_mb, cpu_s, code_dir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
here = os.getcwd()
for lim, val in ((resource.RLIMIT_AS, mem_mb * 1048576), (resource.RLIMIT_CPU, cpu_s), (resource.RLIMIT_FSIZE, 16 * 1048576)):
    try:
        resource.setrlimit(lim, (val, val))
    except (ValueError, OSError):
        pass
_kill, _pid, _write, _read, _exit, _fspath = os.kill, os.getpid(), os.write, os.read, os._exit, os.fspath
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
_FS = {'os.remove', 'os.rmdir', 'os.rename', 'os.chmod', 'os.chown', 'os.truncate', 'os.link', 'os.symlink', 'os.mkdir', 'shutil.rmtree', 'os.utime', 'sqlite3.connect', 'os.mkfifo', 'os.mknod'}
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
with open(os.path.join(code_dir, 'solution.py')) as f:
    source = f.read()
with open(os.path.join(code_dir, 'tests.py')) as f:
    source += '\\n\\n' + f.read()
code = compile(source, 'solution.py', 'exec')
del source
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
_write(1, b'\\n' + _read(0, 256).strip() + b'\\n')
_exit(0)
`;
