/**
 * Issue 22, item 10: model calls honour HTTP_PROXY, HTTPS_PROXY and NO_PROXY,
 * against a real proxy (Debian's tinyproxy on 127.0.0.1): plain http as an
 * absolute-URI request, https through CONNECT to a local TLS endpoint whose
 * self-signed certificate the CLI trusts through NODE_EXTRA_CA_CERTS, OTLP/HTTP
 * export to a local collector, and NO_PROXY runs that the proxy never sees.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../src/agents/sim/server.js';
import { deadPort, ROOT, runCli, tempDir } from '../helpers.js';
import { waitFor } from '../monitor/helpers.js';
import { readRun, SMALL_DATASET, startCapturingCollector, writeFiles } from '../reliability/helpers.js';
import type { RecordingServer } from './helpers.js';
import { PY_AGENT, startHttpAgent, type AgentServer } from './protocol/helpers.js';

function findTinyproxy(): string | undefined {
  const look = (): string | undefined => ['/usr/bin/tinyproxy', '/usr/sbin/tinyproxy'].find((p) => existsSync(p));
  if (look()) return look();
  try {
    execFileSync('bash', [join(ROOT, 'scripts/ensure-tinyproxy.sh')], { stdio: 'ignore', timeout: 180_000 });
  } catch {
    // Reported as the skip reason below.
  }
  return look();
}

const TINYPROXY = findTinyproxy();
if (!TINYPROXY) console.warn('proxy.test.ts skipped: tinyproxy is not installed and scripts/ensure-tinyproxy.sh could not install it');

/** Every proxy variable cleared, so the runner's own environment cannot leak in; `set` then names the ones a run uses. */
function proxyEnv(set: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy']) {
    env[name] = '';
    env[name.toUpperCase()] = '';
  }
  return { ...env, ...set };
}

describe.skipIf(!TINYPROXY)('HTTP_PROXY, HTTPS_PROXY and NO_PROXY through a real tinyproxy', () => {
  const dir = tempDir('referee-proxy-');
  const log = join(dir, 'tinyproxy.log');
  let proxy: ChildProcess;
  let proxyUrl = '';
  let sim: SimServer;
  let collector: RecordingServer;
  let tls: HttpsServer;
  let tlsUrl = '';
  let tlsRequests = 0;
  const caFile = join(dir, 'cert.pem');

  beforeAll(async () => {
    sim = await startSimServer();
    collector = await startCapturingCollector();
    // A self-signed certificate for 127.0.0.1, made here; the CLI trusts it only through NODE_EXTRA_CA_CERTS.
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', caFile, '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'ignore' });
    // The TLS endpoint forwards each request to the sim model.
    tls = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(caFile) }, (req, res) => {
      tlsRequests++;
      const up = httpRequest({ host: '127.0.0.1', port: sim.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    tlsUrl = `https://127.0.0.1:${(tls.address() as { port: number }).port}/v1`;

    const port = await deadPort();
    proxyUrl = `http://127.0.0.1:${port}`;
    const conf = join(dir, 'tinyproxy.conf');
    // No ConnectPort line: CONNECT is allowed to any port (the TLS endpoint's is ephemeral).
    writeFileSync(conf, [`Port ${port}`, 'Listen 127.0.0.1', 'Timeout 60', `LogFile "${log}"`, 'LogLevel Info', 'MaxClients 64', 'Allow 127.0.0.1', ''].join('\n'));
    proxy = spawn(TINYPROXY as string, ['-d', '-c', conf], { stdio: 'ignore' });
    // Ready when it accepts a connection.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const up = await new Promise<boolean>((resolve) => {
        const s = httpRequest(`${proxyUrl}/`, { method: 'HEAD', headers: { host: '127.0.0.1' } }, (r) => {
          r.resume();
          resolve(true);
        });
        s.on('error', () => resolve(false));
        s.end();
      });
      if (up) break;
      if (Date.now() > deadline) throw new Error(`tinyproxy did not start on ${proxyUrl}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);

  afterAll(async () => {
    if (proxy?.pid) process.kill(proxy.pid, 'SIGTERM');
    await new Promise<void>((r) => (tls ? tls.close(() => r()) : r()));
    await sim?.close();
    await collector?.close();
  });
  const collectorPort = (): string => new URL(collector.url).port;
  const otlpEnv = (): NodeJS.ProcessEnv => ({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url.replace(/\/v1$/, ''), OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });

  const logSince = (offset: number): string => (existsSync(log) ? readFileSync(log, 'utf8').slice(offset) : '');
  const logSize = (): number => (existsSync(log) ? readFileSync(log, 'utf8').length : 0);

  async function ltmRun(name: string, baseUrl: string, env: NodeJS.ProcessEnv): Promise<void> {
    const files = writeFiles(dir, {
      [`${name}.yaml`]: `name: ${name}
kind: chat
llm:
  provider: openai
  base_url: ${baseUrl}
  model: sim-1
  api_key_env: PROXY_TEST_KEY
context_size: 16384
retries: { max_attempts: 1 }
`,
      'dataset.yaml': SMALL_DATASET,
    });
    const out = join(dir, 'runs');
    const r = await runCli(['run', '--agent-config', files[`${name}.yaml`]!, '--dataset-config', files['dataset.yaml']!, '--output-dir', out, '--run-id', name, '--quiet'], {
      env: { PROXY_TEST_KEY: 'sk-proxy-test', ...env },
    });
    expect(r.code, r.stderr).toBe(0);
    const turns = readRun(join(out, name)).turns;
    expect(turns.length).toBeGreaterThan(0);
    expect(turns.filter((t) => t.error).map((t) => t.error)).toEqual([]);
  }

  it('sends plain-http model calls and OTLP export through HTTP_PROXY', async () => {
    const from = logSize();
    const exported = collector.requests.length;
    await ltmRun('via-http-proxy', sim.url, proxyEnv({ HTTP_PROXY: proxyUrl, ...otlpEnv() }));
    const seen = logSince(from);
    expect(seen).toContain(`POST http://127.0.0.1:${sim.port}/v1/chat/completions`);
    expect(seen).toContain(`POST http://127.0.0.1:${collectorPort()}/v1/traces`);
    expect(collector.requests.length).toBeGreaterThan(exported);
  }, 120_000);

  it('tunnels https model calls through HTTPS_PROXY with CONNECT, trusting the endpoint via NODE_EXTRA_CA_CERTS', async () => {
    const from = logSize();
    const before = tlsRequests;
    const port = new URL(tlsUrl).port;
    await ltmRun('via-https-proxy', tlsUrl, proxyEnv({ HTTPS_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: caFile }));
    const seen = logSince(from);
    expect(seen).toContain(`CONNECT 127.0.0.1:${port}`);
    expect(tlsRequests).toBeGreaterThan(before);
  }, 120_000);

  it('replays a run to the collector through HTTP_PROXY', async () => {
    await ltmRun('to-replay', sim.url, proxyEnv({}));
    const from = logSize();
    const received = collector.requests.length;
    const r = await runCli(['replay', join(dir, 'runs', 'to-replay'), '--endpoint', collector.url.replace(/\/v1$/, '')], { env: proxyEnv({ HTTP_PROXY: proxyUrl }) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/replayed [1-9]\d* spans/);
    expect(logSince(from)).toContain(`POST http://127.0.0.1:${collectorPort()}/v1/traces`);
    expect(collector.requests.length).toBeGreaterThan(received);
  }, 120_000);

  it('goes direct where NO_PROXY matches: the proxy sees nothing', async () => {
    const from = logSize();
    const before = tlsRequests;
    const exported = collector.requests.length;
    await ltmRun('no-proxy-http', sim.url, proxyEnv({ HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl, NO_PROXY: '127.0.0.1', ...otlpEnv() }));
    await waitFor(() => collector.requests.length > exported, 'OTLP export, direct', 10_000);
    await ltmRun('no-proxy-https', tlsUrl, proxyEnv({ HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl, NO_PROXY: '127.0.0.1', NODE_EXTRA_CA_CERTS: caFile }));
    expect(tlsRequests).toBeGreaterThan(before);
    expect(logSince(from)).not.toMatch(/Request \(file descriptor \d+\)/);
  }, 180_000);

  it('sends an HTTP protocol agent’s calls through HTTP_PROXY, and straight to it where NO_PROXY matches', async () => {
    // The agent itself calls its model directly: only Referee's requests to the agent are under test.
    const agent: AgentServer = await startHttpAgent('python3', [PY_AGENT], { ...proxyEnv({}), LLM_BASE_URL: sim.url });
    try {
      const port = new URL(agent.url).port;
      const run = async (name: string, env: NodeJS.ProcessEnv): Promise<void> => {
        const files = writeFiles(dir, { [`${name}.yaml`]: `name: ${name}\nkind: http\nhttp: { url: "${agent.url}" }\n`, 'dataset.yaml': SMALL_DATASET });
        const out = join(dir, 'runs');
        const r = await runCli(['run', '--agent-config', files[`${name}.yaml`]!, '--dataset-config', files['dataset.yaml']!, '--output-dir', out, '--run-id', name, '--quiet'], { env });
        expect(r.code, r.stderr).toBe(0);
        const turns = readRun(join(out, name)).turns;
        expect(turns.length).toBeGreaterThan(0);
        expect(turns.filter((t) => t.error).map((t) => t.error)).toEqual([]);
      };
      let from = logSize();
      await run('protocol-via-proxy', proxyEnv({ HTTP_PROXY: proxyUrl }));
      expect(logSince(from)).toContain(`POST http://127.0.0.1:${port}/`);
      from = logSize();
      await run('protocol-no-proxy', proxyEnv({ HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' }));
      expect(logSince(from)).not.toContain(`127.0.0.1:${port}`);
    } finally {
      agent.stop();
    }
  }, 180_000);
});
