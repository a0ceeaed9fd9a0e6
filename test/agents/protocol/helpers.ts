/** issue 15: the example agents as real processes, and the small runs the protocol tests share. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { ROOT, tempDir } from '../../helpers.js';
import { startSimServer, type SimServer } from '../../../src/agents/sim/server.js';

export const PY_AGENT = join(ROOT, 'examples/agents/python/naive_memory_agent.py');
export const FAULTY_AGENT = join(ROOT, 'test/agents/protocol/fixtures/faulty_agent.py');

/** Two small tests (12 turns), as the reliability tests use. */
export { SMALL_DATASET } from '../../reliability/helpers.js';

/** The TypeScript example, compiled the way the README says (type stripping), to a temp .mjs. */
export function buildTsAgent(): string {
  const source = readFileSync(join(ROOT, 'examples/agents/typescript/agent.ts'), 'utf8');
  const out = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  const file = join(tempDir('referee-ts-agent-'), 'agent.mjs');
  writeFileSync(file, out.outputText);
  return file;
}

export interface AgentServer {
  url: string;
  child: ChildProcess;
  stop(): void;
}

/** Starts an example agent in `--http 127.0.0.1:0` mode and waits for its "listening on" line. */
export function startHttpAgent(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<AgentServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args, '--http', '127.0.0.1:0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, child, stop: () => void child.kill('SIGKILL') });
    });
    child.once('exit', (code) => reject(new Error(`agent exited (${code}) before listening: ${err}`)));
  });
}

/** The simulated model the example agents call as their LLM. */
export function startLlm(): Promise<SimServer> {
  return startSimServer({ host: '127.0.0.1', port: 0 });
}
