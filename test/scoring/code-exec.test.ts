import { createServer, type Server } from 'node:net';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bwrapStatus, resolvePython, runCode } from '../../src/scoring/code-exec.js';
import { evaluateTask } from '../../src/scoring/task-scoring.js';

// A real listener on loopback: an escaping solution would reach it.
let server: Server;
let port = 0;
let connections = 0;
beforeAll(async () => {
  server = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

// unsafe: the older layers only where bubblewrap is missing (a developer's machine); CI runs these inside bwrap.
const LIMIT = { timeoutMs: 2000, memoryMb: 128, unsafe: true };
const canary = (name: string): string => join(tmpdir(), `referee-canary-${process.pid}-${name}`);

describe('code execution: JavaScript', () => {
  it('passes correct code and fails wrong code', async () => {
    const tests = 'assert.strictEqual(add(2, 3), 5);';
    expect((await runCode({ language: 'javascript', code: 'function add(a, b) { return a + b; }', tests, ...LIMIT })).passed).toBe(true);
    const wrong = await runCode({ language: 'javascript', code: 'function add(a, b) { return a - b; }', tests, ...LIMIT });
    expect(wrong).toMatchObject({ passed: false, reason: 'failed' });
  });

  it('scores zero for an infinite loop, within the limit', async () => {
    const r = await runCode({ language: 'javascript', code: 'function add() { for (;;) {} }', tests: 'add();', ...LIMIT });
    expect(r).toMatchObject({ passed: false, reason: 'timeout' });
  });

  it('scores zero for allocation without bound (heap and buffers)', async () => {
    const heap = await runCode({ language: 'javascript', code: 'const a = []; for (;;) a.push(new Array(1e6).fill(1));', tests: '', ...LIMIT });
    expect(heap.passed).toBe(false);
    expect(['memory', 'timeout']).toContain(heap.reason);
    const buffers = await runCode({ language: 'javascript', code: 'const a = []; for (;;) a.push(Buffer.alloc(1e7, 1));', tests: '', ...LIMIT });
    expect(buffers.passed).toBe(false);
    expect(['memory', 'timeout']).toContain(buffers.reason);
  });

  it('scores zero for opening a socket, even when the code catches the failure, and reaches nothing', async () => {
    const code = `try { require('net').connect(${port}, '127.0.0.1'); } catch {}\nfunction add(a, b) { return a + b; }`;
    const r = await runCode({ language: 'javascript', code, tests: 'assert.strictEqual(add(2, 3), 5);', ...LIMIT });
    expect(r).toMatchObject({ passed: false, reason: 'network' });
    const f = await runCode({ language: 'javascript', code: `fetch('http://127.0.0.1:${port}/').catch(() => {});`, tests: '', ...LIMIT });
    expect(f).toMatchObject({ passed: false, reason: 'network' });
    expect(connections).toBe(0);
  });

  it('does not pass by exiting before the tests', async () => {
    const r = await runCode({ language: 'javascript', code: 'process.exit(0);', tests: 'assert.strictEqual(1, 2);', ...LIMIT });
    expect(r.passed).toBe(false);
  });

  it('cannot write outside its directory or start processes', async () => {
    const file = canary('js');
    rmSync(file, { force: true });
    const w = await runCode({ language: 'javascript', code: `require('fs').writeFileSync(${JSON.stringify(file)}, 'x');`, tests: '', ...LIMIT });
    expect(w.passed).toBe(false);
    const p = await runCode({ language: 'javascript', code: `require('child_process').execSync('touch ${file}');`, tests: '', ...LIMIT });
    expect(p).toMatchObject({ passed: false, reason: 'process' });
    expect(existsSync(file)).toBe(false);
  });

  it('reports the isolation layers in force', async () => {
    const r = await runCode({ language: 'javascript', code: '', tests: '', ...LIMIT });
    expect(r.passed).toBe(true);
    // issue 14: bubblewrap where it runs (CI installs it: scripts/ensure-bwrap.sh); the older layers only with --unsafe-code-exec.
    if (bwrapStatus().available) expect(r.layers).toEqual(expect.arrayContaining(['bwrap', 'pidns', 'netns', 'clearenv', 'nproc', 'guard', 'timeout']));
    else expect(r.layers).toContain('unsafe');
  });
});

describe.skipIf(resolvePython() === null)('code execution: Python', () => {
  it('passes correct code and fails wrong code', async () => {
    const tests = 'assert add(2, 3) == 5';
    expect((await runCode({ language: 'python', code: 'def add(a, b):\n    return a + b', tests, ...LIMIT })).passed).toBe(true);
    expect(await runCode({ language: 'python', code: 'def add(a, b):\n    return a - b', tests, ...LIMIT })).toMatchObject({ passed: false, reason: 'failed' });
  });

  it('scores zero for an infinite loop and for allocation without bound', async () => {
    expect(await runCode({ language: 'python', code: 'while True:\n    pass', tests: '', ...LIMIT })).toMatchObject({ passed: false, reason: 'timeout' });
    const mem = await runCode({ language: 'python', code: 'a = []\nwhile True:\n    a.append(bytearray(10**7))', tests: '', ...LIMIT });
    expect(mem).toMatchObject({ passed: false, reason: 'memory' });
  });

  it('scores zero for opening a socket, even when caught, and reaches nothing', async () => {
    const code = `import socket\ntry:\n    socket.create_connection(('127.0.0.1', ${port}), timeout=1)\nexcept Exception:\n    pass\ndef add(a, b):\n    return a + b`;
    const r = await runCode({ language: 'python', code, tests: 'assert add(2, 3) == 5', ...LIMIT });
    expect(r).toMatchObject({ passed: false, reason: 'network' });
    expect(connections).toBe(0);
  });

  it('does not pass through sys.exit, and cannot write outside or spawn', async () => {
    expect((await runCode({ language: 'python', code: 'import sys\nsys.exit(0)', tests: 'assert False', ...LIMIT })).passed).toBe(false);
    const file = canary('py');
    rmSync(file, { force: true });
    expect(await runCode({ language: 'python', code: `open(${JSON.stringify(file)}, 'w').write('x')`, tests: '', ...LIMIT })).toMatchObject({ passed: false, reason: 'filesystem' });
    expect(await runCode({ language: 'python', code: `import os\nos.system('touch ${file}')`, tests: '', ...LIMIT })).toMatchObject({ passed: false, reason: 'process' });
    expect(existsSync(file)).toBe(false);
  });
});

describe('evaluateTask with code', () => {
  it('takes the code from a fenced answer and the tests from expected', async () => {
    const answer = 'Sure:\n```javascript\nfunction sq(x) { return x * x; }\n```';
    const v = await evaluateTask({ type: 'code', language: 'javascript', timeout_ms: 2000 }, answer, 'assert.strictEqual(sq(3), 9);');
    expect(v).toMatchObject({ passed: true, score: 1 });
    const bad = await evaluateTask({ type: 'code', language: 'javascript' }, answer, 42);
    expect(bad.passed).toBe(false);
  });
});
