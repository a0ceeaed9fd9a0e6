/** issue 15: the example agents as real processes, and the small runs the protocol tests share. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { readJsonl, ROOT, tempDir } from '../../helpers.js';
import type { RunFiles, TurnRecord } from '../../reliability/helpers.js';
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

/** A turn_metrics.jsonl record with the fields that say whether the agent was called. */
export type Turn = TurnRecord & { kind: string; is_question: boolean; prefilled?: boolean };

/** The run's turns in the order the lane sent them (these runs have one lane). */
export function turnsOf(run: RunFiles): Turn[] {
  return (run.turns as Turn[]).slice().sort((a, b) => a.step - b.step);
}

/**
 * The turns that sent the agent a `message` (issue 12: filler is pre-filled, a
 * `prefill` request, not a message): what the fault fixture counts, and what
 * the agent answers and traces.
 */
export function messageTurns(run: RunFiles): Turn[] {
  return turnsOf(run).filter((t) => t.prefilled !== true);
}

/** The turn that carried the agent's n-th message (1-based), as the fault fixture counts them; it must exist. */
export function nthMessage(run: RunFiles, n: number): Turn {
  const turn = messageTurns(run)[n - 1];
  if (!turn) throw new Error(`${run.dir}: the run sent only ${messageTurns(run).length} messages, not ${n}`);
  return turn;
}

/** Each answered turn's `memory_size`, as the example agents report it in their metadata, by turn id. */
export function memorySizes(run: RunFiles): Record<number, number> {
  const out: Record<number, number> = {};
  for (const t of readJsonl<{ turn_id: number; metadata?: { memory_size?: number } }>(join(run.dir, 'transcripts.jsonl'))) {
    if (t.metadata?.memory_size !== undefined) out[t.turn_id] = t.metadata.memory_size;
  }
  return out;
}
