import { z } from 'zod';
import { SimFaultSchema } from './sim-faults.js';

/** The LLM endpoint an agent talks to. `sim` is the offline simulated model served on loopback. */
export const LlmConfigSchema = z.strictObject({
  /** `openai`: any OpenAI-compatible `/v1/chat/completions`; `sim`: Referee's simulated model. */
  provider: z.enum(['openai', 'sim']).default('sim'),
  /** Base URL up to and including `/v1`, http or https (issue 13: an `ftp://` URL was retried as a connection error). Required for `openai`; ignored for `sim`. */
  base_url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  /** @default "sim-1" */
  model: z.string().min(1).default('sim-1'),
  /** Name of the environment variable that holds the API key (never the key itself). */
  api_key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
  /** @default 0 */
  temperature: z.number().min(0).max(2).default(0),
  /** @default 256 */
  max_tokens: z.number().int().positive().default(256),
  /** Extra request headers; values may reference env vars as `${NAME}` and are never logged. */
  headers: z.record(z.string(), z.string()).default({}),
});

export const TimeoutsSchema = z.strictObject({
  /** Per LLM call, seconds. @default 60 */
  call_s: z.number().positive().default(60),
  /** Stall watchdog threshold, seconds without progress. @default 900 */
  stall_s: z.number().positive().default(900),
});

/**
 * Prices that override the built-in table. issue 17: either one alone is an override
 * too (`--input-price-per-mtok` without the other); the other comes from the table.
 */
export const PricingSchema = z
  .strictObject({
    /** USD per million input tokens. */
    input_per_mtok: z.number().nonnegative().optional(),
    /** USD per million output tokens. */
    output_per_mtok: z.number().nonnegative().optional(),
  })
  .refine((p) => p.input_per_mtok !== undefined || p.output_per_mtok !== undefined, 'give input_per_mtok, output_per_mtok or both');

/** Retries of one LLM call on 429, 5xx, connection resets and malformed stream chunks (issue 4). */
export const RetriesSchema = z.strictObject({
  /** Tries per call, the first included; 1 turns retries off. @default 5 */
  max_attempts: z.number().int().min(1).max(100).default(5),
  /** First backoff, ms; doubled per retry, with jitter. @default 1000 */
  base_ms: z.number().nonnegative().default(1000),
  /** Longest computed backoff, ms (a server's `Retry-After` is honoured up to 10 minutes). @default 30000 */
  max_ms: z.number().nonnegative().default(30_000),
});

/** Behaviour of the simulated model (only used when `llm.provider` is `sim`). */
export const SimConfigSchema = z.strictObject({
  /** Extra latency before the first token, ms. @default 0 */
  ttft_ms: z.number().nonnegative().default(0),
  /** Output speed; 0 means as fast as possible. @default 0 */
  tokens_per_s: z.number().nonnegative().default(0),
  /** Latency added after the last token, ms. @default 0 */
  latency_ms: z.number().nonnegative().default(0),
  /** Injected faults, to rehearse a run against a misbehaving endpoint (see src/agents/sim/faults.ts). @default [] */
  faults: z.array(SimFaultSchema).default([]),
});

export const MemoryConfigSchema = z.strictObject({
  /** Past messages retrieved from the store for each new one. @default 16 */
  top_k: z.number().int().positive().default(16),
  /** Token budget for the verbatim recent history sent beside the memories. @default 256 */
  recent_tokens: z.number().int().nonnegative().default(256),
});

/** issue 15, `kind: http`: an agent server speaking Referee's agent protocol (README "Bring your own agent"). */
export const HttpAgentSchema = z.strictObject({
  /** The endpoint every protocol request is POSTed to. */
  url: z.url(),
  /** Extra request headers; values may reference env vars as `${NAME}` and are never logged. @default {} */
  headers: z.record(z.string(), z.string()).default({}),
});

/** issue 15, `kind: stdio`: a child process speaking the agent protocol as JSON lines on stdin/stdout. */
export const StdioAgentSchema = z.strictObject({
  /** The program to start (looked up on PATH). */
  command: z.string().min(1),
  /** @default [] */
  args: z.array(z.string()).default([]),
  /** Working directory; relative paths are taken from where referee runs. @default the current directory */
  cwd: z.string().min(1).optional(),
  /**
   * Variables added to the child's environment (which otherwise holds only PATH, HOME, locale and
   * OTEL_* variables); values may reference env vars as `${NAME}` and are never logged. @default {}
   */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'), z.string()).default({}),
});

const DEFAULT_CONTEXT_SIZE = 4096;
const DEFAULT_TOKENIZER = 'o200k';
/** The system prompt of the built-in agents unless `system_prompt` says otherwise (docs/configuration.md). */
export const DEFAULT_SYSTEM_PROMPT = 'You are a helpful assistant with a good memory.';

export const AgentConfigSchema = z.strictObject({
  /** Shown in reports and used as the run directory prefix. */
  name: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only'),
  /**
   * `chat`: plain chat keeping what fits the window; `memory`: chat plus an on-disk long-term memory;
   * `http` / `stdio` (issue 15): your own agent, reached over the agent protocol (the `llm` block is then unused).
   */
  kind: z.enum(['chat', 'memory', 'http', 'stdio']),
  llm: LlmConfigSchema.default(LlmConfigSchema.parse({})),
  /** Context window in tokens, prompt and reply together. @default 4096 */
  context_size: z.number().int().min(64).default(DEFAULT_CONTEXT_SIZE),
  /**
   * System prompt sent first in every call. Issue 22: `null` (or "") sends none, leaving the
   * model's chat template its own default. @default "You are a helpful assistant with a good memory."
   */
  system_prompt: z.string().nullable().default(DEFAULT_SYSTEM_PROMPT),
  /**
   * issue 22: the tokenizer the context budget counts with: `o200k`, `cl100k`, or the path of the
   * model's Hugging Face `tokenizer.json` (relative paths from where referee runs). The counts are
   * corrected by the `prompt_tokens` each response reports, so a near one is enough; the model's
   * own makes the budget exact from the first call. @default "o200k"
   */
  tokenizer: z.string().min(1).default(DEFAULT_TOKENIZER),
  /**
   * issue 22: how the chat agent's history leaves a full window. `block`: the oldest messages go
   * at once, down to `history_keep` of the budget, so the calls after it share one prefix and a
   * server's prompt cache serves them; `sliding`: one exchange a call, the most history but a
   * new prefix every call. @default "block"
   */
  history: z.enum(['block', 'sliding']).default('block'),
  /** issue 22: the share of the prompt budget the history is cut to when a block is dropped. @default 0.5 */
  history_keep: z.number().min(0.1).max(0.9).default(0.5),
  /** issue 12: the largest message the agent takes, in cl100k tokens (GoodAI's `max_message_size`); one filler message is at most this large. @default 4096 */
  max_message_size: z.number().int().positive().default(4096),
  timeouts: TimeoutsSchema.default(TimeoutsSchema.parse({})),
  retries: RetriesSchema.default(RetriesSchema.parse({})),
  /** Prices per MTok; when absent the built-in table is used, then `unknown`. */
  pricing: PricingSchema.optional(),
  sim: SimConfigSchema.default(SimConfigSchema.parse({})),
  memory: MemoryConfigSchema.default(MemoryConfigSchema.parse({})),
  /** Required for, and only allowed with, `kind: http`. */
  http: HttpAgentSchema.optional(),
  /** Required for, and only allowed with, `kind: stdio`. */
  stdio: StdioAgentSchema.optional(),
}).superRefine((config, ctx) => {
  // issue 15: the protocol block must match the kind, so a misplaced one is never silently ignored.
  for (const kind of ['http', 'stdio'] as const) {
    if (config.kind === kind && !config[kind]) ctx.addIssue({ code: 'custom', path: [kind], message: `required when kind is '${kind}'` });
    if (config.kind !== kind && config[kind]) ctx.addIssue({ code: 'custom', path: [kind], message: `only allowed when kind is '${kind}'` });
  }
  // A protocol agent brings its own LLM and memory: settings of Referee's would be silently ignored.
  if (config.kind === 'http' || config.kind === 'stdio') {
    for (const [field, value] of Object.entries(BUILT_IN_ONLY)) {
      if (JSON.stringify(config[field as keyof typeof BUILT_IN_ONLY]) !== JSON.stringify(value)) {
        ctx.addIssue({ code: 'custom', path: [field], message: `not used by kind '${config.kind}' (the agent brings its own LLM and memory); remove it` });
      }
    }
  }
});

/** The fields only Referee's own agents read, at their defaults (issue 15). */
const BUILT_IN_ONLY = {
  llm: LlmConfigSchema.parse({}),
  sim: SimConfigSchema.parse({}),
  memory: MemoryConfigSchema.parse({}),
  context_size: DEFAULT_CONTEXT_SIZE,
  system_prompt: DEFAULT_SYSTEM_PROMPT,
  tokenizer: DEFAULT_TOKENIZER,
  history: 'block',
  history_keep: 0.5,
};

export type AgentConfig = z.infer<typeof AgentConfigSchema>;

/** issue 15: an agent reached over the agent protocol, which brings its own LLM, prompt and memory. */
export function isProtocolAgent(config: Pick<AgentConfig, 'kind'>): boolean {
  return config.kind === 'http' || config.kind === 'stdio';
}

/**
 * issue 21: the model an agent runs on, for run.json, the matrix, reports and metrics; null
 * for a protocol agent, whose `llm` block holds only Referee's unused defaults (sim-1).
 */
export function agentModel(config: Pick<AgentConfig, 'kind' | 'llm'>): string | null {
  return isProtocolAgent(config) ? null : config.llm.model;
}

/** The fields only Referee's own agents read; run.json leaves them out for a protocol agent (issue 21). */
export const BUILT_IN_ONLY_FIELDS = Object.keys(BUILT_IN_ONLY) as (keyof typeof BUILT_IN_ONLY)[];
export type LlmConfig = z.infer<typeof LlmConfigSchema>;
export type RetriesConfig = z.infer<typeof RetriesSchema>;
