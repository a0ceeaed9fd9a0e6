/**
 * Token counting for context budgets and for usage when a server reports none.
 * One encoding (o200k_base, the GPT-4o family's) is imported directly so only
 * its tables load, once per process. Counts are estimates for other model
 * families; callers cache the count per message, so no cache lives here.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve as resolvePath } from 'node:path';
import type { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
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

/**
 * issue 22: the tokenizer an agent budgets its context with (`tokenizer:` in its config). The
 * count is of a message's text only; the chat template's own tokens are learnt from the
 * `prompt_tokens` the server reports (see agents/context-budget.ts).
 */
export interface TokenCounter {
  /** `o200k`, `cl100k`, or the tokenizer.json's path, for run metadata. */
  readonly name: string;
  count(text: string): number;
}

const O200K_COUNTER: TokenCounter = { name: 'o200k', count: countTokens };
const CL100K_COUNTER: TokenCounter = { name: 'cl100k', count: countGoodaiTokens };
const hfCounters = new Map<string, TokenCounter>();

/** Names the `tokenizer:` setting takes besides a path to a Hugging Face tokenizer.json. */
export const BUILT_IN_TOKENIZERS = ['o200k', 'cl100k'] as const;

/**
 * The counter for a `tokenizer:` setting: `o200k` (the default), `cl100k`, or the path of a
 * Hugging Face `tokenizer.json`, read with @huggingface/tokenizers (Hugging Face's own pure-JS
 * port, the one Transformers.js runs: no native binary, no download, any model's BPE, Unigram
 * or WordPiece file). A file is read once per process; a bad one throws.
 */
export function tokenCounter(spec: string | undefined): TokenCounter {
  if (spec === undefined || spec === 'o200k' || spec === 'o200k_base') return O200K_COUNTER;
  if (spec === 'cl100k' || spec === 'cl100k_base') return CL100K_COUNTER;
  const path = resolvePath(spec);
  let counter = hfCounters.get(path);
  if (!counter) {
    const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const config = tokenizerConfigBeside(path);
    // Loaded on first use, like the encodings: most runs never name a tokenizer.json.
    const { Tokenizer } = createRequire(import.meta.url)('@huggingface/tokenizers') as { Tokenizer: typeof HfTokenizer };
    const tokenizer = new Tokenizer(json, config);
    counter = {
      name: spec,
      // Special-token text in a message (`<|im_end|>` typed by a user) is counted as the server parses it.
      count: (text: string): number => (text.length === 0 ? 0 : tokenizer.encode(text, { add_special_tokens: false }).ids.length),
    };
    hfCounters.set(path, counter);
  }
  return counter;
}

/** tokenizer_config.json beside tokenizer.json, when there is one (the library reads a few flags from it). */
function tokenizerConfigBeside(path: string): Record<string, unknown> {
  const beside = resolvePath(path, '..', 'tokenizer_config.json');
  try {
    return JSON.parse(readFileSync(beside, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
