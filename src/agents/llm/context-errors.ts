/**
 * issue 22: is a failed call a context-length error, and what did the server say about it?
 * Servers word it differently; each wording below is the server's own:
 *
 * - OpenAI: HTTP 400, `code: "context_length_exceeded"`, "This model's maximum context length is
 *   8192 tokens. However, your messages resulted in 9000 tokens. Please reduce the length of the
 *   messages." (newer APIs: "Your input exceeds the context window of this model.")
 * - vLLM: HTTP 400, "This model's maximum context length is 2048 tokens. However, your request has
 *   2100 input tokens. Please reduce the length of the input messages.", or "However, you requested
 *   2300 tokens (2100 in the messages, 200 in the completion). Please reduce the length of the
 *   messages or completion.", or "'max_tokens' or 'max_completion_tokens' is too large: 256. This
 *   model's maximum context length is 2048 tokens and your request has 1900 input tokens (256 >
 *   2048 - 1900)."; older: "The prompt (total length 2100) is too long to fit into the model
 *   (context length 2048)."
 * - llama.cpp's server: HTTP 400, `type: "exceed_context_size_error"` with `n_prompt_tokens` and
 *   `n_ctx` beside the message "request (2100 tokens) exceeds the available context size (2048
 *   tokens), try increasing it" (older builds: "the request exceeds the available context size,
 *   try increasing it").
 * - Ollama: `{"error":"the input length exceeds the context length"}` (HTTP 400); its runner logs
 *   "input exceeds context length".
 *
 * Anything else (a 400 for a bad request, a 429, a 5xx) is not one.
 */

/** What a context-length error told about the request, where it said. */
export interface ContextOverflow {
  /** `openai`, `vllm`, `llama.cpp`, `ollama`: whose wording it was. */
  server: 'openai' | 'vllm' | 'llama.cpp' | 'ollama';
  /** Tokens the server counted in the prompt (input only). */
  promptTokens?: number;
  /** The server's context window. */
  contextTokens?: number;
}

interface Rule {
  server: ContextOverflow['server'];
  test: RegExp;
  /** Named groups `prompt` and `ctx` where the wording carries the numbers. */
  numbers?: RegExp[];
}

const N = '(\\d[\\d,]*)';

const RULES: Rule[] = [
  {
    server: 'llama.cpp',
    test: /exceed_context_size_error|exceeds the available context size|is larger than the max context size/i,
    numbers: [new RegExp(`request \\(${N} tokens\\) exceeds the available context size \\(${N} tokens\\)`, 'i'), new RegExp(`input \\(${N} tokens\\) is larger than the max context size \\(${N} tokens\\)`, 'i')],
  },
  {
    server: 'vllm',
    test: /your request has \d[\d,]* input tokens|in the messages, \d[\d,]* in the completion|is too long to fit into the model|'max_tokens' or 'max_completion_tokens' is too large/i,
    numbers: [
      new RegExp(`maximum context length is ${N} tokens\\. However, your request has ${N} input tokens`, 'i'),
      new RegExp(`maximum context length is ${N} tokens\\. However, you requested \\d[\\d,]* tokens \\(${N} in the messages`, 'i'),
      new RegExp(`maximum context length is ${N} tokens and your request has ${N} input tokens`, 'i'),
      new RegExp(`prompt \\(total length ${N}\\) is too long to fit into the model \\(context length ${N}\\)`, 'i'),
    ],
  },
  {
    server: 'openai',
    test: /context_length_exceeded|maximum context length is \d[\d,]* tokens|exceeds the context window/i,
    numbers: [new RegExp(`maximum context length is ${N} tokens\\. However, your messages resulted in ${N} tokens`, 'i')],
  },
  { server: 'ollama', test: /input length exceeds the context length|input exceeds context length/i },
];

/** Order of the numbers in each pattern above: which group is the window, which the prompt. */
function numbersOf(rule: Rule, text: string): { promptTokens?: number; contextTokens?: number } {
  for (const re of rule.numbers ?? []) {
    const m = re.exec(text);
    if (!m) continue;
    const a = toInt(m[1]);
    const b = toInt(m[2]);
    // llama.cpp's and vLLM's "prompt (total length P) ... (context length C)" name the prompt first.
    const promptFirst = /^(request|input) \(|prompt \(total/i.test(m[0]);
    return promptFirst ? { promptTokens: a, contextTokens: b } : { contextTokens: a, promptTokens: b };
  }
  return {};
}

function toInt(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s.replace(/,/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Whether a call's failure (HTTP status, the error text, the parsed error object where there was
 * one) is a context-length error. 413 and 422 are taken too: some proxies answer an oversized
 * prompt so. A 429 or a 5xx never is, whatever its text says.
 */
export function classifyContextOverflow(status: number | undefined, message: string, error?: Record<string, unknown>): ContextOverflow | undefined {
  if (status !== undefined && status !== 400 && status !== 413 && status !== 422) return undefined;
  const code = typeof error?.['code'] === 'string' ? error['code'] : '';
  const type = typeof error?.['type'] === 'string' ? error['type'] : '';
  const text = `${code} ${type} ${message}`;
  for (const rule of RULES) {
    if (!rule.test.test(text)) continue;
    const found: ContextOverflow = { server: rule.server, ...numbersOf(rule, message) };
    // llama.cpp puts the numbers beside its message too (they are the only ones in older builds).
    const nPrompt = error?.['n_prompt_tokens'];
    const nCtx = error?.['n_ctx'];
    if (typeof nPrompt === 'number') found.promptTokens = nPrompt;
    if (typeof nCtx === 'number') found.contextTokens = nCtx;
    return dropUndefined(found);
  }
  return undefined;
}

function dropUndefined(o: ContextOverflow): ContextOverflow {
  if (o.promptTokens === undefined) delete o.promptTokens;
  if (o.contextTokens === undefined) delete o.contextTokens;
  return o;
}
