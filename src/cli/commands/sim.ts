import { startSimServer } from '../../agents/sim/server.js';
import { untilInterrupted } from '../signals.js';

/** `referee sim`: the simulated model as a standalone OpenAI-compatible server. */
export async function simCommand(argv: {
  port: number;
  host: string;
  'ttft-ms': number;
  'tokens-per-s': number;
  'latency-ms': number;
}): Promise<number> {
  const server = await startSimServer({
    host: argv.host as '127.0.0.1',
    port: argv.port,
    ttftMs: argv['ttft-ms'],
    tokensPerSec: argv['tokens-per-s'],
    latencyMs: argv['latency-ms'],
    warm: true,
  });
  process.stdout.write(`${server.url}\n`);
  await untilInterrupted();
  await server.close();
  return 0;
}
