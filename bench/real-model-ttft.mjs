// npm run bench:real-model: TTFT of the chat agent against the real small model (SmolLM2-135M on
// llama.cpp, 2,048-token window; bash scripts/ensure-real-model.sh installs it), with history in
// blocks and with a sliding window, on the default LTM dataset, one run after the other on one
// server (issue 22, item 2). The figures are the server's own: time to the first token, and the
// prompt tokens it evaluated against those its slot already held. Not a test: it prints figures,
// it asserts nothing. A few minutes on two cores (the sliding run is the slow one).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { realModelPaths, REAL_MODEL } from '../dist/real-model/engine.js';
import { startRealModelServer } from '../dist/real-model/server.js';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { threads: { type: 'string' }, 'max-tokens': { type: 'string', default: '128' } } });
const paths = realModelPaths();
const dir = mkdtempSync(join(tmpdir(), 'referee-ttft-'));
const server = await startRealModelServer({
  modelPath: paths.model,
  engineDir: paths.engine,
  contextSize: REAL_MODEL.contextSize,
  ...(values.threads ? { threads: Number(values.threads) } : {}),
});

function agent(history) {
  const file = join(dir, `${history}.yaml`);
  writeFileSync(
    file,
    [
      `name: smollm2-${history}`,
      'kind: chat',
      `llm: { provider: openai, base_url: ${server.url}, model: smollm2-135m, temperature: 0, max_tokens: ${values['max-tokens']} }`,
      `context_size: ${REAL_MODEL.contextSize}`,
      `tokenizer: ${paths.tokenizer}`,
      `history: ${history}`,
      'timeouts: { call_s: 600 }',
    ].join('\n'),
  );
  return file;
}

function quantile(sorted, q) {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const rows = [];
for (const history of ['block', 'sliding']) {
  const from = server.requests.length;
  const started = performance.now();
  // The CLI in a child, so that its event loop is not the server's (and this one stays free to serve).
  const child = spawn(process.execPath, [join(root, 'dist/cli/main.js'), 'run', '--agent-config', agent(history), '--output-dir', join(dir, 'runs'), '--quiet'], { stdio: 'ignore' });
  const run = { status: await new Promise((done) => child.on('close', done)) };
  const wall = (performance.now() - started) / 1000;
  const calls = server.requests.slice(from);
  const answered = calls.filter((r) => r.status === 200);
  const ttft = answered.map((r) => r.ttft_ms ?? r.total_ms).sort((a, b) => a - b);
  rows.push({
    history,
    exit: run.status,
    calls: calls.length,
    refused: calls.length - answered.length,
    ttft_p50_ms: Math.round(quantile(ttft, 0.5)),
    ttft_mean_ms: Math.round(ttft.reduce((a, b) => a + b, 0) / Math.max(1, ttft.length)),
    ttft_p90_ms: Math.round(quantile(ttft, 0.9)),
    prompt_evaluated: answered.reduce((n, r) => n + r.n_prompt_tokens - r.n_cached, 0),
    prompt_reused: answered.reduce((n, r) => n + r.n_cached, 0),
    run_s: Math.round(wall),
  });
}
await server.close();
console.log(`SmolLM2-135M Q4_1, llama.cpp via node-llama-cpp ${REAL_MODEL.engineVersion}, ${server.threads} threads, window ${REAL_MODEL.contextSize}, default LTM dataset`);
console.table(rows);
