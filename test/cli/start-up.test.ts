/**
 * Start-up: a task run loads what it uses. The built CLI runs a small task list against the
 * simulated model over real HTTP, with a preload that lists every module file the process loaded
 * (CommonJS and ES modules, and the modules in each chunk of the CLI's bundle); the monitor, match mode, the agent protocol, the launchers,
 * @opentelemetry/sdk-node and the OTLP exporters stay out of it unless the run asks for them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../src/agents/sim/server.js';
import { deadPort, ROOT, runCli, tempDir } from '../helpers.js';

const RECORD = join(ROOT, 'test/fixtures/module-list/record.mjs');

/**
 * The CLI runs from its bundle (dist/bin): a loaded chunk stands for the modules esbuild put in
 * it, as its metafile lists them (paths relative to the package root).
 */
function withBundledModules(files: string[]): string[] {
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist/bin/meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  const inputs = files.flatMap((f) => {
    const path = f.startsWith('file://') ? fileURLToPath(f) : f;
    const chunk = meta.outputs[relative(ROOT, path)];
    return chunk ? Object.keys(chunk.inputs).map((i) => join(ROOT, i)) : [];
  });
  return [...files, ...inputs];
}

describe('what a task run loads', () => {
  let sim: SimServer;
  let dir: string;
  let tasks: string;
  let agent: string;
  beforeAll(async () => {
    sim = await startSimServer({ host: '127.0.0.1', port: 0 });
    dir = tempDir('referee-start-up-');
    tasks = join(dir, 'sums.jsonl');
    writeFileSync(tasks, [1, 2, 3].map((i) => JSON.stringify({ id: `t${i}`, prompt: `What is ${i} + ${i}?`, expected: String(2 * i), evaluator: 'contains' })).join('\n') + '\n');
    agent = join(dir, 'agent.yaml');
    writeFileSync(agent, `name: lean\nkind: chat\nsystem_prompt: ''\nllm: { provider: openai, base_url: "${sim.url}", model: sim-1, max_tokens: 64 }\n`);
  });
  afterAll(async () => {
    await sim?.close();
  });

  const loaded = async (name: string, env: Record<string, string> = {}): Promise<string[]> => {
    const list = join(dir, `${name}.modules`);
    const r = await runCli(['run', '--tasks', tasks, '--agent-config', agent, '--output-dir', join(dir, 'runs'), '--run-id', name, '--quiet'], {
      env: { NODE_OPTIONS: `--import ${RECORD}`, REFEREE_MODULE_LIST: list, ...env },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3\/3 100%/);
    return withBundledModules(readFileSync(list, 'utf8').split('\n'));
  };
  const has = (modules: string[], part: string): boolean => modules.some((m) => m.includes(part));

  it('no export configured: neither sdk-node nor any exporter, no monitor, match, protocol agent, sim server, launcher or progress bar', async () => {
    const modules = await loaded('plain');
    // The list holds both kinds of module: the task engine (ES) and the SDK's trace package (CommonJS).
    expect(has(modules, 'dist/tasks/run-tasks.js')).toBe(true);
    expect(has(modules, '@opentelemetry/sdk-trace/')).toBe(true);
    const unused = [
      '@opentelemetry/sdk-node/',
      '@opentelemetry/exporter-',
      'dist/monitor/server.js',
      'dist/match/run-match.js',
      'dist/agents/protocol/protocol-agent.js',
      'dist/agents/protocol/schemas.js',
      'dist/agents/sim/server.js',
      'dist/cli/commands/view.js',
      'dist/cli/commands/launch.js',
      'dist/cli/commands/compare.js',
      '@kubernetes/client-node/',
      'cli-progress/',
    ];
    expect(unused.filter((u) => has(modules, u))).toEqual([]);
  });

  it('at --concurrency 32, stderr stays clean: no Node warning about the run\'s abort listeners', async () => {
    const many = join(dir, 'many.jsonl');
    writeFileSync(many, Array.from({ length: 64 }, (_, i) => JSON.stringify({ id: `m${i}`, prompt: `What is ${i} + 1?`, expected: String(i + 1), evaluator: 'contains' })).join('\n') + '\n');
    const r = await runCli(['run', '--tasks', many, '--agent-config', agent, '--concurrency', '32', '--output-dir', join(dir, 'runs'), '--run-id', 'many', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/64\/64 100%/);
    expect(r.stderr).toBe('');
  });

  it('OTLP/HTTP JSON export: that exporter only, not the gRPC or protobuf ones', async () => {
    const port = await deadPort();
    const modules = await loaded('json', { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_LOG_LEVEL: 'none' });
    expect(has(modules, '@opentelemetry/exporter-trace-otlp-http/')).toBe(true);
    expect(has(modules, '@opentelemetry/exporter-metrics-otlp-http/')).toBe(true);
    expect(['-otlp-grpc/', '-otlp-proto/', '@opentelemetry/sdk-node/'].filter((u) => has(modules, u))).toEqual([]);
  });
});
