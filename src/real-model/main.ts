#!/usr/bin/env node
/**
 * issue 22 (item 9): the real small model, by hand.
 *
 *   node dist/real-model/main.js check                 # the prebuilt binary loads; writes the tokenizer.json
 *   node dist/real-model/main.js serve [--port 8080] [--context-size 2048] [--threads N] [--log FILE]
 *
 * Both need `bash scripts/ensure-real-model.sh` first (the model and the engine in the cache).
 * `serve` prints the base URL (`http://127.0.0.1:PORT/v1`) on stdout once it listens.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { loadLlama, realModelPaths, REAL_MODEL, type GgufMetadata } from './engine.js';
import { startRealModelServer } from './server.js';
import { ggufTokenizerJson } from './tokenizer-json.js';

async function check(): Promise<number> {
  const paths = realModelPaths();
  if (!existsSync(paths.model)) {
    process.stderr.write(`no model at ${paths.model}: run bash scripts/ensure-real-model.sh\n`);
    return 1;
  }
  const threads = availableParallelism();
  const llama = await loadLlama(paths.engine, threads);
  // node-llama-cpp would compile llama.cpp (or fail) where no prebuilt binary loads; build: "never" makes that an error.
  if (llama.buildType !== 'prebuilt' || llama.gpu !== false) {
    process.stderr.write(`node-llama-cpp loaded a ${llama.buildType} binary (gpu: ${String(llama.gpu)}), not its prebuilt CPU one\n`);
    return 1;
  }
  const model = await llama.loadModel({ modelPath: paths.model });
  if (!existsSync(paths.tokenizer)) writeFileSync(paths.tokenizer, JSON.stringify(ggufTokenizerJson(model.fileInfo.metadata as GgufMetadata)));
  process.stdout.write(`real model ready: ${REAL_MODEL.file} on node-llama-cpp ${REAL_MODEL.engineVersion} (prebuilt CPU binary, ${threads} threads); tokenizer ${paths.tokenizer}\n`);
  await model.dispose();
  await llama.dispose();
  return 0;
}

async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      'context-size': { type: 'string', default: String(REAL_MODEL.contextSize) },
      threads: { type: 'string' },
      log: { type: 'string' },
    },
  });
  const paths = realModelPaths();
  const server = await startRealModelServer({
    modelPath: paths.model,
    engineDir: paths.engine,
    contextSize: Number(values['context-size']),
    port: Number(values.port),
    ...(values.threads !== undefined ? { threads: Number(values.threads) } : {}),
    ...(values.log !== undefined ? { logFile: values.log } : {}),
  });
  process.stdout.write(`${server.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

const [command, ...rest] = process.argv.slice(2);
const run = command === 'check' ? check() : command === 'serve' ? serve(rest) : Promise.resolve(-1);
run.then(
  (code) => {
    if (code === -1) process.stderr.write('usage: node dist/real-model/main.js check | serve [--port N] [--context-size N] [--threads N] [--log FILE]\n');
    process.exitCode = code === -1 ? 2 : code;
  },
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
