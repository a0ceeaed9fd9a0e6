/**
 * Token counting for context budgets and for usage when a server reports none.
 * One encoding (o200k_base, the GPT-4o family's) is imported directly so only
 * its tables load, once per process. Counts are estimates for other model
 * families; callers cache the count per message, so no cache lives here.
 */
import { createRequire } from 'node:module';
import type * as O200k from 'gpt-tokenizer/encoding/o200k_base';
import type * as Cl100kModule from 'gpt-tokenizer/encoding/cl100k_base';

type Encoding = typeof O200k;
let encoding: Encoding | undefined;
/**
 * The encoding's tables take about 65 MB and 0.4 s to load, so they load on
 * the first count: a task run whose server reports usage never needs them
 * (issue 8: peak RSS of the task bench).
 */
function o200k(): Encoding {
  encoding ??= createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as Encoding;
  return encoding;
}

/** Special-token text such as `<|endoftext|>` is counted as plain text, never rejected. */
const PLAIN = { disallowedSpecial: new Set<string>() };

/** Name of the encoding the counts come from, for run metadata. */
export const TOKEN_ENCODING = 'o200k_base';

/**
 * Rough per-message overhead of the chat format (role markers, separators),
 * added by agents when they budget a context window.
 */
export const MESSAGE_OVERHEAD_TOKENS = 4;

/** Number of tokens in `text`. */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  return o200k().countTokens(text, PLAIN);
}

/** Token ids of `text` (for cutting a text to a token limit). */
export function encodeTokens(text: string): number[] {
  return o200k().encode(text, PLAIN);
}

/** Text of `tokens`. */
export function decodeTokens(tokens: readonly number[]): string {
  return o200k().decode(tokens);
}

type Cl100k = typeof Cl100kModule;
let cl100k: Cl100k | undefined;

/**
 * Tokens in `text` under cl100k_base, the encoding GoodAI's runner counts
 * waits and runstats with (issue 12: litellm's counter for its default
 * `claude-3-opus` tokeniser falls back to cl100k). Loaded on first use.
 */
export function countGoodaiTokens(text: string): number {
  if (text.length === 0) return 0;
  cl100k ??= createRequire(import.meta.url)('gpt-tokenizer/encoding/cl100k_base') as Cl100k;
  return cl100k.countTokens(text, PLAIN);
}
