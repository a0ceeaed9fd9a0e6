/**
 * issue 14: the monitor is safe to open on a network: a Host allowlist (DNS
 * rebinding), an Origin check on the API, a case-insensitive Bearer token
 * also taken from REFEREE_MONITOR_TOKEN, no blocking read of a FIFO, and a cap
 * on SSE connections and on what one slow reader may hold.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, type MonitorServer } from '../../src/monitor/server.js';
import { CLI, ROOT, runCli, tempDir } from '../helpers.js';
import { SseClient, waitFor } from './helpers.js';

/** A GET with exactly these headers (fetch would set Host itself). */
function rawGet(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, setHost: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function writeRun(root: string, id: string): string {
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ run_id: id, status: 'running', agent_config: { name: 'a', llm: { provider: 'sim', model: 'sim-1' } } }));
  writeFileSync(join(dir, 'events.jsonl'), `${JSON.stringify({ type: 'run_start', ts: new Date().toISOString(), run_id: id })}\n`);
  return dir;
}

describe('Host and Origin checks', () => {
  let monitor: MonitorServer;
  beforeAll(async () => {
    const root = tempDir('referee-monsec-');
    writeRun(root, 'r1');
    monitor = await startMonitor({ runsDir: root, port: 0, host: '127.0.0.1' });
  });
  afterAll(() => monitor.close());

  it('refuses a foreign Host (DNS rebinding) with 403, on the page and the API', async () => {
    for (const path of ['/', '/api/benchmark/snapshot', '/api/benchmark/telemetry/stream']) {
      const r = await rawGet(monitor.port, path, { Host: `rebind.evil.test:${monitor.port}` });
      expect(r.status, path).toBe(403);
      expect(r.body).not.toContain('r1');
    }
  });

  it('answers loopback names, IP literals and localhost', async () => {
    for (const host of [`127.0.0.1:${monitor.port}`, `localhost:${monitor.port}`, `[::1]:${monitor.port}`, `LOCALHOST`]) {
      const r = await rawGet(monitor.port, '/api/benchmark/runs', { Host: host });
      expect(r.status, host).toBe(200);
      expect(r.body).toContain('r1');
    }
  });

  it('refuses a cross-origin API call, and takes its own origin', async () => {
    const evil = await rawGet(monitor.port, '/api/benchmark/snapshot', { Host: `127.0.0.1:${monitor.port}`, Origin: 'http://evil.test' });
    expect(evil.status).toBe(403);
    const own = await rawGet(monitor.port, '/api/benchmark/snapshot', { Host: `127.0.0.1:${monitor.port}`, Origin: `http://127.0.0.1:${monitor.port}` });
    expect(own.status).toBe(200);
  });
});

describe('the token', () => {
  it('takes Bearer in any case, from --token or REFEREE_MONITOR_TOKEN', async () => {
    const root = tempDir('referee-montok-');
    const monitor = await startMonitor({ runsDir: root, port: 0, token: 'secret-token-123' });
    try {
      const h = { Host: `127.0.0.1:${monitor.port}` };
      expect((await rawGet(monitor.port, '/api/benchmark/runs', h)).status).toBe(401);
      for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
        expect((await rawGet(monitor.port, '/api/benchmark/runs', { ...h, Authorization: `${scheme} secret-token-123` })).status, scheme).toBe(200);
      }
      expect((await rawGet(monitor.port, '/api/benchmark/runs', { ...h, Authorization: 'bearer wrong-token-123' })).status).toBe(401);
    } finally {
      await monitor.close();
    }
  });

  it('`referee monitor` reads REFEREE_MONITOR_TOKEN, so it can bind beyond loopback without --token on the command line', async () => {
    const root = tempDir('referee-montok-');
    const child = spawn(process.execPath, [CLI, 'monitor', '--runs-dir', root, '--port', '0', '--host', '0.0.0.0'], { cwd: ROOT, env: { ...process.env, REFEREE_MONITOR_TOKEN: 'env-token-4567' } });
    try {
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const port = Number(await waitFor(() => /:(\d+)\//.exec(out)?.[1], 'monitor url', 20_000));
      const h = { Host: `127.0.0.1:${port}` };
      expect((await rawGet(port, '/api/benchmark/runs', h)).status).toBe(401);
      expect((await rawGet(port, '/api/benchmark/runs', { ...h, Authorization: 'bearer env-token-4567' })).status).toBe(200);
      expect(out).not.toContain('env-token-4567');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('`run` refuses --host or --token without --monitor (exit 2)', async () => {
    const r = await runCli(['run', '--token', 'abcdefgh123', '--output-dir', tempDir('referee-montok-'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('referee: command line: --token is for --monitor; add --monitor or drop it');
  });
});

describe('a FIFO where a file should be', () => {
  it('does not freeze the monitor: it answers, skips that run, and stops on SIGTERM', async () => {
    const root = tempDir('referee-monfifo-');
    writeRun(root, 'ok');
    const fifoRun = join(root, 'fifo');
    mkdirSync(fifoRun);
    expect(spawnSync('mkfifo', [join(fifoRun, 'run.json')]).status).toBe(0);
    writeFileSync(join(fifoRun, 'events.jsonl'), '{"type":"run_start"}\n');
    const fifoEvents = writeRun(root, 'fifo-events');
    spawnSync('rm', [join(fifoEvents, 'events.jsonl')]);
    expect(spawnSync('mkfifo', [join(fifoEvents, 'events.jsonl')]).status).toBe(0);
    // A child process: a frozen event loop must not freeze the test runner with it.
    const child = spawn(process.execPath, [CLI, 'monitor', '--runs-dir', root, '--port', '0'], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const port = Number(await waitFor(() => /:(\d+)\//.exec(out)?.[1], 'monitor url', 20_000));
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        const r = await rawGet(port, '/api/benchmark/runs', { Host: `127.0.0.1:${port}` });
        expect(r.status).toBe(200);
        expect(r.body).toContain('"ok"');
        expect(Date.now() - started).toBeLessThan(2000);
        await new Promise((res) => setTimeout(res, 300));
      }
      const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
      child.kill('SIGTERM');
      expect(await Promise.race([exited, new Promise((res) => setTimeout(() => res('stuck'), 5000))])).not.toBe('stuck');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('stalled SSE readers', () => {
  it('caps live connections and cuts off readers that fall a send buffer behind, while a reading client keeps up', async () => {
    const root = tempDir('referee-monstall-');
    const dir = writeRun(root, 'busy');
    const monitor = await startMonitor({ runsDir: root, port: 0, maxSseClients: 20, maxBufferedBytes: 256 * 1024, pollMs: 50 });
    const stalled: Socket[] = [];
    const statuses: string[] = [];
    try {
      // 40 clients that read the status line, then stop reading.
      for (let i = 0; i < 40; i++) {
        const s = connect(monitor.port, '127.0.0.1');
        s.on('error', () => {});
        await new Promise<void>((res) => s.once('connect', () => res()));
        s.write(`GET /api/benchmark/telemetry/stream HTTP/1.1\r\nHost: 127.0.0.1:${monitor.port}\r\nAccept: text/event-stream\r\n\r\n`);
        const first = await new Promise<string>((res) => s.once('data', (d: Buffer) => res(d.toString('latin1'))));
        statuses.push(first.split('\r\n')[0] ?? '');
        s.pause();
        stalled.push(s);
      }
      expect(statuses.filter((l) => l.includes(' 200 '))).toHaveLength(20);
      expect(statuses.filter((l) => l.includes(' 503 '))).toHaveLength(20);
      await waitFor(() => monitor.sseClients === 20 || undefined, '20 stalled clients held', 5000);
      // A reader that does read is let in once a slot frees.
      const events = Array.from({ length: 4000 }, (_, i) => JSON.stringify({ type: 'turn_end', ts: new Date().toISOString(), test_id: 't', turn_id: i, response: 'x'.repeat(4000) })).join('\n');
      appendFileSync(join(dir, 'events.jsonl'), `${events}\n`);
      // ~16 MB of events: every stalled reader falls behind and is cut off.
      await waitFor(() => monitor.sseClients === 0 || undefined, 'stalled readers cut off', 30_000);
      const reader = new SseClient(`${monitor.url}api/benchmark/telemetry/stream`);
      await reader.open();
      expect(reader.status).toBe(200);
      appendFileSync(join(dir, 'events.jsonl'), `${JSON.stringify({ type: 'turn_end', ts: new Date().toISOString(), test_id: 't', turn_id: 99999 })}\n`);
      await waitFor(() => reader.events.some((e) => e.data.includes('"turn_id":99999')), 'the live reader gets new events', 10_000);
      expect(monitor.sseClients).toBe(1);
      reader.close();
    } finally {
      for (const s of stalled) s.destroy();
      await monitor.close();
    }
  }, 60_000);
});
