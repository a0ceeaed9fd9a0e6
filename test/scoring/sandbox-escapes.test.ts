/**
 * issue 14: every escape found against the old code-execution evaluator, run
 * against the real bubblewrap sandbox. Each row checks, on the host, what the
 * attack was after: the runner's environment and files, the network, the
 * runner's life, leftover processes, the time limit, the verdict.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createSocket, type Socket } from 'node:dgram';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bwrapStatus, runCode, type CodeRunResult } from '../../src/scoring/code-exec.js';
import { probeBwrap } from '../../src/scoring/sandbox/bwrap.js';

const LIMIT_MS = 3000;
const hostDir = mkdtempSync(join(tmpdir(), 'referee-escape-'));
const secretFile = join(hostDir, 'runner-secret.txt');
const secretText = `runner-file-${randomBytes(8).toString('hex')}`;
writeFileSync(secretFile, secretText);

// Real listeners on every host address: an escaping solution would reach one.
let tcp: Server;
let udp: Socket;
let tcpPort = 0;
let udpPort = 0;
let reached = 0;
let sentinel: ChildProcess;
const hostIp = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';

beforeAll(async () => {
  tcp = createServer((s) => {
    reached++;
    s.destroy();
  });
  await new Promise<void>((r) => tcp.listen(0, '0.0.0.0', r));
  tcpPort = (tcp.address() as { port: number }).port;
  udp = createSocket('udp4', () => reached++);
  await new Promise<void>((r) => udp.bind(0, '0.0.0.0', r));
  udpPort = udp.address().port;
  // A process of the runner's that a solution must not be able to kill.
  sentinel = spawn('sleep', ['600'], { stdio: 'ignore' });
});
afterAll(async () => {
  sentinel.kill('SIGKILL');
  rmSync(hostDir, { recursive: true, force: true });
  udp.close();
  await new Promise<void>((r) => tcp.close(() => r()));
});

/** Python that runs `cmd` in /bin/sh through _posixsubprocess, past the in-process guard (the sandbox alone must hold). */
function pySh(cmd: string): string {
  return `import _posixsubprocess, os
def sh(cmd):
    r, w = os.pipe()
    pid = _posixsubprocess.fork_exec([b"/bin/sh", b"-c", cmd.encode()], [b"/bin/sh"], True, (), None, None, -1, -1, -1, -1, -1, -1, r, w, True, False, -1, None, None, None, -1, None, False)
    os.waitpid(pid, 0)
sh(${JSON.stringify(cmd)})
`;
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

/** The runner's environment values worth stealing (long enough to be a secret, not the sandbox's own). */
function runnerEnvValues(): string[] {
  const own = new Set(['/usr/local/bin:/usr/bin:/bin', '/work', 'C.UTF-8']);
  return Object.values(process.env).filter((v): v is string => typeof v === 'string' && v.length >= 8 && !own.has(v));
}

const py = (code: string, tests = '', timeoutMs = LIMIT_MS): Promise<CodeRunResult> => runCode({ language: 'python', code, tests, timeoutMs, memoryMb: 128 });
const js = (code: string, tests = '', timeoutMs = LIMIT_MS): Promise<CodeRunResult> => runCode({ language: 'javascript', code, tests, timeoutMs, memoryMb: 128 });

describe('probing bubblewrap', () => {
  it('says in one line that bubblewrap is missing when it is not on PATH', () => {
    const s = probeBwrap({ PATH: join(hostDir, 'empty-bin') });
    expect(s.available).toBe(false);
    expect(s.reason).not.toContain('\n');
    expect(s.reason.length).toBeGreaterThan(10);
  });
});

describe.runIf(bwrapStatus().available)('sandbox escapes (issue 14), each against the real bubblewrap sandbox', () => {
  it('the runner environment is unreadable: os.environ, /proc/<ppid>/environ, every /proc/*/environ', async () => {
    const r = await py(`import os
print('ENV', dict(os.environ))
for p in os.listdir('/proc'):
    if p.isdigit():
        try:
            print('PROC', p, open('/proc/%s/environ' % p, 'rb').read())
        except Exception as e:
            print('PROC', p, 'denied', e)
print('PPID', os.getppid())
`);
    expect(r.passed).toBe(true);
    expect(r.output).toContain("ENV {'PATH': '/usr/local/bin:/usr/bin:/bin', 'HOME': '/work', 'TMPDIR': '/work', 'LANG': 'C.UTF-8'");
    for (const v of runnerEnvValues()) expect(r.output).not.toContain(v);
  });

  it("the runner's files are unreadable: /etc/shadow, /etc/passwd, ~/.ssh, the runner's own files and working directory", async () => {
    const paths = ['/etc/shadow', '/etc/passwd', '/root/.ssh', secretFile, join(process.cwd(), 'package.json')];
    const r = await py(`for p in ${JSON.stringify(paths)}:
    try:
        print(p, open(p).read()[:200])
    except Exception as e:
        print(p, 'UNREADABLE', type(e).__name__)
`);
    expect(r.output.match(/UNREADABLE/g)).toHaveLength(paths.length);
    expect(r.output).not.toContain(secretText);
  });

  it('sees only its own processes (pid namespace), not the 400 of the machine', async () => {
    const r = await py(`import os\nprint('PIDS', sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))`);
    const pids = JSON.parse(/PIDS (\[.*\])/.exec(r.output)?.[1] ?? '[]') as number[];
    expect(pids.length).toBeGreaterThan(0);
    expect(pids.length).toBeLessThanOrEqual(3);
    expect(Math.max(...pids)).toBeLessThan(10);
  });

  it('past the Python guard (_posixsubprocess), /bin/sh runs but reaches no network: bash /dev/tcp, /dev/udp, python sockets, DNS', async () => {
    const r = await py(
      pySh(
        `echo SH-RAN; id; ` +
          `bash -c 'echo x > /dev/tcp/127.0.0.1/${tcpPort}' 2>&1; bash -c 'echo x > /dev/tcp/${hostIp}/${tcpPort}' 2>&1; ` +
          `bash -c 'echo x > /dev/udp/${hostIp}/${udpPort}' 2>&1; ` +
          `/usr/bin/python3 -c "import socket; socket.create_connection(('${hostIp}', ${tcpPort}), 1)" 2>&1 | tail -1; ` +
          `/usr/bin/python3 -c "import socket; print(socket.getaddrinfo('example.com', 80))" 2>&1 | tail -1`,
      ),
    );
    expect(r.output).toContain('SH-RAN');
    expect(r.output).toContain('uid=65534');
    expect(r.output).toMatch(/Network is unreachable|Cannot assign|Connection refused/);
    await new Promise((res) => setTimeout(res, 200));
    expect(reached).toBe(0);
  });

  it('writes nothing outside its tmpfs: rename, link, symlink, sqlite3, mkfifo, touch on host paths, /code and /usr', async () => {
    const targets = ['rename', 'link', 'symlink', 'sqlite', 'fifo', 'touch'].map((k) => join(hostDir, `escape-${k}`));
    const [rename, link, symlink, sqlite, fifo, touch] = targets as [string, string, string, string, string, string];
    const r = await py(
      pySh(
        `echo SH-RAN; echo x > /work/a; mv /work/a ${rename}; ln /work/a ${link}; ln -s /etc ${symlink}; ` +
          `/usr/bin/python3 -c "import sqlite3; sqlite3.connect('${sqlite}').execute('create table t(x)')"; ` +
          `mkfifo ${fifo}; touch ${touch}; touch /code/x /usr/x /x; echo DONE`,
      ),
    );
    expect(r.output).toContain('SH-RAN');
    expect(r.output).toContain('DONE');
    for (const t of targets) expect(existsSync(t)).toBe(false);
    expect(existsSync('/usr/x')).toBe(false);
  });

  it('cannot kill the runner: os.kill(ppid), kill(-1), the runner pid by number, process.kill(process.ppid)', async () => {
    const r = await py(`import os, signal
for target in (os.getppid(), ${process.pid}, ${sentinel.pid ?? 1}, -1):
    try:
        os.kill(target, signal.SIGKILL)
        print('sent', target)
    except Exception as e:
        print('refused', target, type(e).__name__)
`);
    const j = await js(`try { process.kill(process.ppid, 'SIGKILL'); } catch (e) { console.log('refused', e.code); }`);
    // Each attempt ran, and went nowhere: pid 1 of its namespace ignores it, the rest do not exist there.
    expect(r.output.match(/^(sent|refused) /gm)).toHaveLength(4);
    expect(j.output).toMatch(/refused|^$/);
    // The runner (this process) and its other child are alive.
    expect(sentinel.exitCode).toBeNull();
    expect(sentinel.signalCode).toBeNull();
    expect(() => process.kill(sentinel.pid as number, 0)).not.toThrow();
  });

  it('a setsid child holding the pipes neither delays the verdict nor outlives the evaluation', async () => {
    const marker = `98${Math.floor(Math.random() * 1e6)}`;
    const r = await py(pySh(`setsid sleep ${marker} & echo STARTED`), 'assert True', 2000);
    expect(r.output).toContain('STARTED');
    expect(r.durationMs).toBeLessThan(2000 + 1500);
    expect(leftovers(`sleep ${marker}`)).toBe(0);
    // And when the solution itself hangs, the limit kills the whole namespace on time.
    const marker2 = `97${Math.floor(Math.random() * 1e6)}`;
    const hang = await py(`${pySh(`setsid sleep ${marker2} &`)}\nimport time\ntime.sleep(60)`, 'assert True', 2000);
    expect(hang).toMatchObject({ passed: false, reason: 'timeout' });
    expect(hang.durationMs).toBeLessThan(2000 + 1500);
    expect(leftovers(`sleep ${marker2}`)).toBe(0);
  });

  it('a fork bomb hits the process limit, ends within the time limit and leaves nothing behind', async () => {
    const marker = `96${Math.floor(Math.random() * 1e6)}`;
    const r = await py(pySh(`for i in $(seq 1 500); do sleep ${marker} & done; echo SPAWNED; wait`), 'assert True', 2000);
    expect(r.output).toMatch(/fork|Resource temporarily unavailable|Cannot fork/i);
    expect(r.durationMs).toBeLessThan(2000 + 1500);
    expect(leftovers(`sleep ${marker}`)).toBe(0);
  });

  it('a timed-out evaluation fails whatever it printed', async () => {
    const r = await js('for (;;) {}', '', 1500);
    expect(r).toMatchObject({ passed: false, reason: 'timeout' });
    expect(r.durationMs).toBeLessThan(1500 + 1500);
  });

  it('cannot fake a pass: frame globals, stdin, a replaced assert, an inspector session (issue 24: forged-verdicts.test.ts has the full table)', async () => {
    const frame = await py(`import sys\nf = sys._getframe(1)\nprint(f.f_globals.get('nonce'), f.f_locals.get('nonce'))\nimport os; os._exit(0)`, 'assert False');
    expect(frame.passed).toBe(false);
    const stdin = await js(`const n = require('fs').readFileSync(0, 'utf8'); console.log(n); process.exit(0);`, 'assert.strictEqual(1, 2);');
    expect(stdin.passed).toBe(false);
    const patched = await js(`try { assert.strictEqual = () => {}; } catch {}\ntry { assert.strict.strictEqual = () => {}; } catch {}`, 'assert.strictEqual(1, 2);');
    expect(patched.passed).toBe(false);
    const inspector = await js(`const s = new (require('inspector').Session)(); s.connect(); console.log('connected');`, 'assert.strictEqual(1, 2);');
    expect(inspector.passed).toBe(false);
    expect(inspector.output).not.toContain('connected');
  });
});
