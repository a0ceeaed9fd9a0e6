/**
 * Putting an agent back where a killed run left it (issue 4, resume). The
 * memory agent's store is on disk and reloads itself; it only has to lose
 * what a turn that never completed wrote. The chat agent's history lives in
 * memory and is rebuilt from the completed turns.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEMORY_FILE } from './memory/store.js';
import type { Agent, ChatMessage } from './types.js';

/** One completed, successful turn: what was sent and what came back. */
export interface CompletedExchange {
  message: string;
  reply: string;
}

/**
 * Cuts a session's on-disk state back to `exchanges` successful turns before
 * the session opens: the memory store holds two records per successful turn
 * (the message and the reply, written after the call), so anything past
 * `2 * exchanges` valid records belongs to a turn that did not complete.
 */
export function trimSessionState(stateDir: string, exchanges: number): void {
  const file = join(stateDir, MEMORY_FILE);
  if (!existsSync(file)) return;
  const lines = readFileSync(file, 'utf8').split('\n');
  const keep: string[] = [];
  let dropped = false;
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (keep.length >= 2 * exchanges || !isRecord(line)) {
      dropped = true;
      continue;
    }
    keep.push(line);
  }
  if (!dropped) return;
  const tmp = `${file}.resume-${process.pid}`;
  writeFileSync(tmp, keep.map((l) => `${l}\n`).join(''));
  renameSync(tmp, file);
}

/** Gives an agent with in-memory history (the chat agent) its completed turns back. */
export function restoreAgent(agent: Agent, exchanges: readonly CompletedExchange[]): void {
  if (!agent.restore) return;
  const history: ChatMessage[] = [];
  for (const e of exchanges) history.push({ role: 'user', content: e.message }, { role: 'assistant', content: e.reply });
  agent.restore(history);
}

function isRecord(line: string): boolean {
  try {
    const r = JSON.parse(line) as { id?: unknown; text?: unknown } | null;
    return r !== null && typeof r === 'object' && typeof r.id === 'number' && typeof r.text === 'string';
  } catch {
    return false;
  }
}
