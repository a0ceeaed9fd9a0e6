import { startSimServer } from '../../agents/sim/server.js';

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
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
