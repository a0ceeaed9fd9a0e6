import type { ChatMessage } from '../types.js';

/**
 * One thing the simulated model knows how to answer. A skill sees only the
 * messages it was sent (its context window), never the dataset: that is what
 * makes a small-window chat agent fail where a memory agent succeeds.
 */
export interface SimSkill {
  readonly name: string;
  /** Returns the reply, or undefined when the last user message is not this skill's question. */
  answer(question: string, context: readonly ChatMessage[], model?: string): string | undefined;
}
