/**
 * How skills read their context: every line of every message, in order,
 * split into sentences. Retrieved memories arrive one per line
 * (`[memory 12] user: ...`), so line order is the order facts were seen.
 */
import type { ChatMessage } from '../../types.js';

/** Sentences of the context in order, questions dropped: asking is not stating. */
export function contextStatements(context: readonly ChatMessage[]): string[] {
  const out: string[] = [];
  for (const message of context) {
    for (const line of message.content.split(/\r?\n/)) {
      for (const sentence of line.split(/(?<=[.!?])\s+/)) {
        if (sentence.trim() !== '' && !sentence.trimEnd().endsWith('?')) out.push(sentence);
      }
    }
  }
  return out;
}

/** Every match of a global regex across the statements, in order of appearance. */
export function matchesInOrder(context: readonly ChatMessage[], pattern: RegExp): RegExpMatchArray[] {
  return contextStatements(context).flatMap((sentence) => [...sentence.matchAll(pattern)]);
}
