#!/usr/bin/env node
/**
 * Runs the simulated model as its own process:
 *   node dist/agents/sim/main.js --port 8000 --ttft-ms 0 --tokens-per-s 0 --latency-ms 0
 * Prints its base URL (`http://127.0.0.1:PORT/v1`) as the first stdout line and
 * stops on SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util';
import { startSimServer } from './server.js';

const USAGE = 'usage: sim [--port N] [--ttft-ms MS] [--tokens-per-s N] [--latency-ms MS]';

function numberArg(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got '${value}'`);
  return n;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      'ttft-ms': { type: 'string' },
      'tokens-per-s': { type: 'string' },
      'latency-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = numberArg('port', values.port, 0);
  if (!Number.isInteger(port) || port > 65535) throw new Error(`--port must be an integer 0-65535, got '${values.port}'`);
  const server = await startSimServer({
    port,
    ttftMs: numberArg('ttft-ms', values['ttft-ms'], 0),
    tokensPerSec: numberArg('tokens-per-s', values['tokens-per-s'], 0),
    latencyMs: numberArg('latency-ms', values['latency-ms'], 0),
    warm: true,
  });
  console.log(server.url);
  const stop = () => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    void server.close();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`sim: ${err instanceof Error ? err.message : String(err)}`);
  console.error(USAGE);
  process.exitCode = 2;
});
