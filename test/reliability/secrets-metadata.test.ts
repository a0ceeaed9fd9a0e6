/**
 * Issue 4: secrets never reach an artifact, replay-grade run.json, the
 * 4 KB head-truncated raw output in events, and a dead OTLP collector.
 */
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../src/agents/sim/server.js';
import { openAiStream, type RecordingServer } from '../agents/helpers.js';
import { readJson, readJsonl, runCli, tempDir } from '../helpers.js';
import { agentYaml, nothingLost, readRun, SMALL_DATASET, startCapturingCollector, walk, writeFiles } from './helpers.js';

const API_KEY = 'sk-test-DO-NOT-LEAK-5571093';
const TEAM_SECRET = 'team-secret-DO-NOT-LEAK-2280';
const LITERAL_SECRET = 'literal-secret-DO-NOT-LEAK-9931';
const OTLP_SECRET = 'otlp-secret-DO-NOT-LEAK-6120';
const SECRETS = [API_KEY, TEAM_SECRET, LITERAL_SECRET, OTLP_SECRET];

describe('secrets stay out of every file the run writes', () => {
  let sim: SimServer;
  let collector: RecordingServer;
  const seen: { authorization?: string; team?: string; literal?: string } = {};
  const longReply = `${'The quick brown fox jumps over the lazy dog. '.repeat(250)}END`;

  beforeAll(async () => {
    sim = await startSimServer({
      intercept: ({ requestNumber, request, req, res }) => {
        if (request.model === 'long') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end(openAiStream(longReply.match(/.{1,40}/gs)!));
          return 'handled';
        }
        seen.authorization = String(req.headers['authorization']);
        seen.team = String(req.headers['x-team']);
        seen.literal = String(req.headers['x-literal']);
        if (requestNumber % 4 === 0) {
          // Like many providers, the 401 body echoes what it was given.
          const body = JSON.stringify({ error: { message: `Incorrect API key provided: ${API_KEY}; X-Team ${TEAM_SECRET}; X-Literal ${LITERAL_SECRET}` } });
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(body);
          return 'handled';
        }
        return undefined;
      },
    });
    collector = await startCapturingCollector();
  });
  afterAll(async () => {
    await sim.close();
    await collector.close();
  });

  it('API key, Authorization, configured headers, OTLP headers and a 401 that echoes them', async () => {
    const dir = tempDir('referee-secrets-');
    const files = writeFiles(dir, {
      'agent.yaml': `name: remote
kind: chat
llm:
  provider: openai
  base_url: ${sim.url}
  model: gpt-4o-mini
  api_key_env: REFEREE_TEST_KEY
  headers:
    X-Team: \${REFEREE_TEAM}
    X-Literal: ${LITERAL_SECRET}
context_size: 16384
retries: { max_attempts: 2, base_ms: 1, max_ms: 5 }
`,
      'dataset.yaml': SMALL_DATASET,
    });
    const out = join(dir, 'runs');
    const r = await runCli(['run', '--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', out, '--run-id', 's', '--progress-interval', '0.2'], {
      env: {
        REFEREE_TEST_KEY: API_KEY,
        REFEREE_TEAM: TEAM_SECRET,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url.replace(/\/v1$/, ''),
        OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${OTLP_SECRET}`,
      },
    });
    expect(r.code, r.stderr).toBe(0);
    // The secrets were really in use: sent to the model and the collector.
    expect(seen).toEqual({ authorization: `Bearer ${API_KEY}`, team: TEAM_SECRET, literal: LITERAL_SECRET });
    expect(collector.requests.some((q) => q.headers['authorization'] === `Bearer ${OTLP_SECRET}`)).toBe(true);
    // The 401s happened, were recorded, and their echo was redacted.
    const run = readRun(join(out, 's'));
    const denied = run.turns.filter((t) => t.reason === 'http_401');
    expect(denied.length).toBeGreaterThan(0);
    expect(denied[0]!.error).toContain('Incorrect API key provided: [redacted]; X-Team [redacted]; X-Literal [redacted]');
    // Not one byte of any secret in any file of the output root, nor on stdout/stderr.
    const all = walk(out);
    expect(all.length).toBeGreaterThan(8);
    for (const file of all) {
      const text = readFileSync(file, 'utf8');
      for (const secret of SECRETS) expect(text.includes(secret), `${secret} in ${file}`).toBe(false);
    }
    for (const secret of SECRETS) expect((r.stdout + r.stderr).includes(secret), secret).toBe(false);
    // run.json keeps what a resume needs and nothing secret: the env-var template, the literal redacted.
    const headers = ((run.meta['agent_config'] as Record<string, Record<string, unknown>>)['llm']!['headers'] as Record<string, string>);
    expect(headers).toEqual({ 'X-Team': '${REFEREE_TEAM}', 'X-Literal': '[redacted]' });
  });

  it('raw model output in events.jsonl is head-truncated to 4 KB with a flag; master_log keeps it whole', async () => {
    const dir = tempDir('referee-secrets-');
    const files = writeFiles(dir, {
      'agent.yaml': `name: long\nkind: chat\nllm: { provider: openai, base_url: ${sim.url}, model: long, max_tokens: 4000 }\ncontext_size: 16384\n`,
      'dataset.yaml': SMALL_DATASET,
    });
    const out = join(dir, 'runs');
    const r = await runCli(['run', '--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', out, '--run-id', 'l', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const run = readRun(join(out, 'l'));
    expect(Buffer.byteLength(longReply)).toBeGreaterThan(10_000);
    const ends = run.events.filter((e) => e.type === 'turn_end');
    expect(ends.length).toBe(run.turns.length);
    for (const e of ends) {
      expect(e['response_truncated']).toBe(true);
      expect(Buffer.byteLength(e['response'] as string)).toBeLessThanOrEqual(4096);
      expect(Buffer.byteLength(e['response'] as string)).toBeGreaterThan(4000);
      expect(longReply.startsWith(e['response'] as string)).toBe(true);
    }
    const replies = run.master.filter((m) => m.type === 4 || m.type === 5);
    expect(replies.map((m) => m.data['message'])).toEqual(replies.map(() => longReply));
  });
});

describe('replay-grade run.json and benchmark_history.jsonl', () => {
  it('records versions, seed, dataset sha256 and the configs after overrides; history gets run_type', async () => {
    const dir = tempDir('referee-meta-');
    const files = writeFiles(dir, { 'agent.yaml': agentYaml(), 'dataset.yaml': SMALL_DATASET });
    const out = join(dir, 'runs');
    const r = await runCli([
      'run',
      '--agent-config', files['agent.yaml']!,
      '--dataset-config', files['dataset.yaml']!,
      '--output-dir', out,
      '--run-id', 'm',
      '--overrides', 'datasets.args.seed=9',
      '--overrides', 'agent.retries.max_attempts=7',
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const meta = readJson<Record<string, unknown>>(join(out, 'm/run.json'));
    const manifest = readJson<{ sha256: string }>(join(out, 'm/dataset/manifest.json'));
    expect(meta).toMatchObject({
      run_id: 'm',
      status: 'finished',
      seed: 9,
      scoring_version: expect.any(String),
      tool_version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      git_commit: expect.stringMatching(/^[0-9a-f]{40}$/),
      node_version: process.version,
      host: expect.any(String),
      run_type: 'single',
      dataset: { sha256: manifest.sha256 },
      agent_config: { retries: { max_attempts: 7 } },
      dataset_config: { datasets: { args: { seed: 9 } } },
    });
    const history = readJsonl(join(out, 'benchmark_history.jsonl'));
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ run_id: 'm', run_type: 'single', status: 'finished', dataset_sha256: manifest.sha256, seed: 9 });
  });
});

describe('a dead OTLP collector', () => {
  it('never blocks the run: it completes and every JSONL file is written', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const dir = tempDir('referee-otlp-');
    const files = writeFiles(dir, { 'agent.yaml': agentYaml(), 'dataset.yaml': SMALL_DATASET });
    const out = join(dir, 'runs');
    // The bound is the test's own limit: a run that waited on the collector would be killed and fail.
    const r = await runCli(['run', '--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', out, '--run-id', 'o', '--quiet'], {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
      timeoutMs: 30_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const run = readRun(join(out, 'o'));
    nothingLost(run);
    expect(readJsonl(join(out, 'o/spans.jsonl')).length).toBeGreaterThan(0);
    expect(readJsonl(join(out, 'o/metrics.jsonl')).length).toBeGreaterThan(0);
    expect(run.meta['status']).toBe('finished');
    // At most a line per telemetry problem, each on one line.
    expect(r.stderr.split('\n').filter((l) => l.includes('telemetry')).length).toBeLessThanOrEqual(3);
  });
});
