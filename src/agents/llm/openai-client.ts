/**
 * One streaming call to an OpenAI-compatible `/chat/completions` endpoint,
 * traced as a `chat {model}` CLIENT span with GenAI and OpenInference
 * attributes. No retries here: a failed call throws a CallError whose `reason`
 * the runner records and may retry on.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { OpenInferenceSpanKind, SemanticConventions as OI } from '@arizeai/openinference-semantic-conventions';
import { CallError } from '../../errors.js';
import { ATTR, SPAN, TEXT_LIMIT_BYTES, TRACER_NAME } from '../../telemetry/names.js';
import { traceSessionOf } from '../../telemetry/trace-per.js';
import { countTokens } from '../../tokens.js';
import type { ChatMessage, StreamProgress, TokenUsage } from '../types.js';
import { httpPost, type HttpPostResponse } from '../../net/http-post.js';
import { endpointSecrets, longestSecretSpelling, redact, registerSecrets } from '../../events/secrets.js';
import { readSseBatches } from './sse.js';
import { classifyContextOverflow } from './context-errors.js';

/** Where and how to call the model; fixed for a run. */
export interface ChatEndpoint {
  /** Base URL up to and including `/v1`. */
  baseUrl: string;
  model: string;
  /** Sent as `Authorization: Bearer …`; never recorded anywhere. */
  apiKey?: string;
  temperature: number;
  maxTokens: number;
  /** Extra request headers (already expanded); never recorded anywhere. */
  headers?: Record<string, string>;
  /** `gen_ai.provider.name`. @default "openai" */
  provider?: string;
}

export interface StreamChatOptions extends ChatEndpoint {
  messages: ChatMessage[];
  /** Aborts the call. An abort reason named `TimeoutError` (as from `AbortSignal.timeout()`) or a CallError('timeout') gives reason `timeout`. */
  signal: AbortSignal;
  /** Called with each streamed content delta. Errors it throws are ignored. */
  onToken?: (delta: string) => void;
  /** Called with each streamed reasoning delta. Errors it throws are ignored. */
  onReasoning?: (delta: string) => void;
  /** `gen_ai.conversation.id` (the session id). */
  conversationId?: string;
  /** issue 22: kept up to date as the stream arrives, so a call cut short can be counted (partial usage). */
  progress?: StreamProgress;
}

export interface ChatCompletionResult {
  /** The streamed content (reasoning deltas excluded). */
  text: string;
  /** Reasoning deltas (`delta.reasoning_content` / `delta.reasoning`), when the server streams them. */
  reasoning?: string;
  usage: TokenUsage;
  /** ms from sending the request to the first content or reasoning delta. */
  ttftMs?: number;
  /** ms from sending the request to the end of the stream. */
  llmMs: number;
  finishReasons: string[];
  responseModel?: string;
  /** True when `usage` came from the server, false when counted locally. */
  usageReported: boolean;
}

const tracer = () => trace.getTracer(TRACER_NAME);

/** Streams one chat completion. Throws CallError on every failure. */
export async function streamChatCompletion(opts: StreamChatOptions): Promise<ChatCompletionResult> {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const target = describeUrl(url);
  const provider = opts.provider ?? 'openai';
  const span = tracer().startSpan(SPAN.chat(opts.model), { kind: SpanKind.CLIENT }, context.active());
  // Message text is only copied into attributes when someone records the span.
  if (span.isRecording()) safely(() => span.setAttributes(requestAttributes(opts, provider, target)), undefined);
  const started = performance.now();
  // issue 14: whoever calls, the writers of this process know the endpoint's secrets.
  registerSecrets(endpointSecrets(opts.apiKey, opts.headers, opts.baseUrl));
  try {
    const result = await callAndStream(opts, url, target.display, span, started);
    if (span.isRecording()) safely(() => span.setAttributes(responseAttributes(result)), undefined);
    span.setStatus({ code: SpanStatusCode.OK });
    return result;
  } catch (err) {
    const callError = toCallError(err, opts.signal, target.display);
    safely(() => {
      span.recordException(callError);
      span.setAttribute(ATTR.errorType, callError.reason === 'http' && callError.status ? String(callError.status) : callError.reason);
      span.setStatus({ code: SpanStatusCode.ERROR, message: callError.message });
    }, undefined);
    throw callError;
  } finally {
    span.end();
  }
}

async function callAndStream(
  opts: StreamChatOptions,
  url: string,
  display: string,
  span: Span,
  started: number,
): Promise<ChatCompletionResult> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'text/event-stream',
    ...opts.headers,
  };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  // The chat span is the parent of whatever the server traces.
  propagation.inject(trace.setSpan(context.active(), span), headers);

  const body = JSON.stringify({
    model: opts.model,
    messages: opts.messages,
    temperature: opts.temperature,
    max_tokens: opts.maxTokens,
    stream: true,
    stream_options: { include_usage: true },
  });

  let response: HttpPostResponse;
  try {
    response = await httpPost(url, headers, body, opts.signal);
  } catch (err) {
    throw toCallError(err, opts.signal, display);
  }
  if (!response.ok) {
    const { message: detail, error } = await readErrorDetail(response);
    // issue 22: a context-length error says so, in whichever server's words, with its numbers where it gave them.
    const overflow = classifyContextOverflow(response.status, detail, error);
    throw new CallError('http', `HTTP ${response.status} from ${display}${detail ? `: ${detail}` : ''}`, {
      status: response.status,
      ...optional('retryAfterMs', parseRetryAfter(response.headers)),
      ...optional('contextOverflow', overflow),
    });
  }
  if (!response.body) throw new CallError('malformed', `empty response body from ${display}`);

  let text = '';
  let reasoning = '';
  let ttftMs: number | undefined;
  const finish: string[] = [];
  let usage: TokenUsage | undefined;
  let responseModel: string | undefined;
  let sawDone = false;
  const progress = opts.progress;
  if (progress) progress.messages = opts.messages;

  // One await per chunk read, not per event: see readSseBatches.
  for await (const events of readSseBatches(response.body)) {
    for (const event of events) {
      const data = event.data;
      // Keep reading after `[DONE]` so the body ends cleanly and the keep-alive connection is reused.
      if (sawDone) continue;
      if (data === '[DONE]') {
        sawDone = true;
        continue;
      }
      if (data.trim().length === 0) continue;
      let chunk: StreamChunk;
      try {
        chunk = JSON.parse(data) as StreamChunk;
      } catch (err) {
        throw new CallError('malformed', `unparsable stream chunk from ${display}: ${chunkPreview(data, [text, reasoning])}`, { cause: err });
      }
      if (chunk === null || typeof chunk !== 'object') {
        throw new CallError('malformed', `unexpected stream chunk from ${display}: ${shownChunk(data, [text, reasoning])}`);
      }
      if (chunk.error) {
        const e = chunk.error;
        const status = typeof e.code === 'number' ? e.code : typeof e.status === 'number' ? e.status : undefined;
        const message = preview(redact(String(e.message ?? JSON.stringify(e))));
        throw new CallError('http', `stream error from ${display}: ${message}`, {
          ...optional('status', status),
          ...optional('contextOverflow', classifyContextOverflow(status, message, e as Record<string, unknown>)),
        });
      }
      if (responseModel === undefined && typeof chunk.model === 'string' && chunk.model) responseModel = chunk.model;
      if (chunk.usage) {
        usage = toUsage(chunk.usage);
        if (progress) progress.usage = { ...usage, source: 'reported' };
      }
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      for (const choice of choices) {
        const index = typeof choice.index === 'number' ? choice.index : 0;
        if (typeof choice.finish_reason === 'string' && choice.finish_reason) finish[index] = choice.finish_reason;
        if (index !== 0) continue;
        const delta = choice.delta;
        if (!delta) continue;
        const think = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : typeof delta.reasoning === 'string' ? delta.reasoning : '';
        if (think) {
          // issue 17: TTFT is the start of Streaming (seed 004), not the first reasoning token.
          reasoning += think;
          if (progress) progress.reasoning = reasoning;
          if (opts.onReasoning) {
            try {
              opts.onReasoning(think);
            } catch {
              // A live-view callback never breaks a call.
            }
          }
        }
        if (typeof delta.content === 'string' && delta.content) {
          text += delta.content;
          if (progress) progress.text = text;
          if (ttftMs === undefined && answerStarted(text)) ttftMs = performance.now() - started;
          if (opts.onToken) {
            try {
              opts.onToken(delta.content);
            } catch {
              // A live-view callback never breaks a call.
            }
          }
        }
      }
    }
  }
  if (!sawDone && finish.length === 0) {
    throw new CallError('connection', `stream from ${display} ended before a finish_reason or [DONE]`);
  }
  const llmMs = performance.now() - started;
  const usageReported = usage !== undefined;
  if (usage) usage.source = 'reported';
  if (!usage) {
    const reasoningTokens = reasoning ? countTokens(reasoning) : thinkBlockTokens(text);
    usage = {
      inputTokens: opts.messages.reduce((sum, m) => sum + countTokens(m.content), 0),
      outputTokens: countTokens(text) + (reasoning ? reasoningTokens : 0),
      source: 'estimated',
    };
    if (reasoningTokens > 0) usage.reasoningTokens = reasoningTokens;
  } else if (usage.reasoningTokens === undefined) {
    const reasoningTokens = reasoning ? countTokens(reasoning) : thinkBlockTokens(text);
    if (reasoningTokens > 0) usage.reasoningTokens = reasoningTokens;
  }
  const result: ChatCompletionResult = {
    text,
    usage,
    llmMs,
    finishReasons: finish.filter((r): r is string => typeof r === 'string'),
    usageReported,
  };
  if (reasoning) result.reasoning = reasoning;
  if (ttftMs !== undefined) result.ttftMs = ttftMs;
  if (responseModel !== undefined) result.responseModel = responseModel;
  return result;
}

interface StreamChunk {
  model?: unknown;
  choices?: Array<{
    index?: unknown;
    finish_reason?: unknown;
    delta?: { content?: unknown; reasoning_content?: unknown; reasoning?: unknown } | null;
  }>;
  usage?: RawUsage | null;
  error?: { message?: unknown; code?: unknown; status?: unknown };
}

interface RawUsage {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
  completion_tokens_details?: { reasoning_tokens?: unknown } | null;
}

function toUsage(raw: RawUsage): TokenUsage {
  const usage: TokenUsage = {
    inputTokens: typeof raw.prompt_tokens === 'number' ? raw.prompt_tokens : 0,
    outputTokens: typeof raw.completion_tokens === 'number' ? raw.completion_tokens : 0,
  };
  const reasoning = raw.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning === 'number' && reasoning > 0) usage.reasoningTokens = reasoning;
  return usage;
}

/** Tokens inside `<think>…</think>` at the start of a reply (models that inline their reasoning). */
function thinkBlockTokens(text: string): number {
  if (!text.startsWith('<think>') && !text.trimStart().startsWith('<think>')) return 0;
  const end = text.indexOf('</think>');
  const start = text.indexOf('<think>') + 7;
  return countTokens(end === -1 ? text.slice(start) : text.slice(start, end));
}

// ---------------------------------------------------------------- errors

/** Maps anything thrown during a call to a CallError, preferring the abort reason. */
export function toCallError(err: unknown, signal: AbortSignal, display: string): CallError {
  if (err instanceof CallError && !signal.aborted) return err;
  if (signal.aborted) return abortError(signal.reason, display, err);
  if (err instanceof CallError) return err;
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
  const detail = [err instanceof Error ? err.message : String(err), cause?.message].filter(Boolean).join(': ');
  return new CallError('connection', `request to ${display} failed: ${redact(detail)}`, { cause: err });
}

function abortError(reason: unknown, display: string, cause: unknown): CallError {
  if (reason instanceof CallError) return reason;
  const name = reason instanceof Error || (typeof reason === 'object' && reason !== null && 'name' in reason) ? (reason as { name?: unknown }).name : undefined;
  if (name === 'TimeoutError') return new CallError('timeout', `call to ${display} timed out`, { cause });
  return new CallError('aborted', `call to ${display} was aborted`, { cause });
}

/**
 * The error body's message, secrets removed before it is shortened (a cut key
 * must not leak its head), and again after JSON decoding (issue 14: `sk-SA\/SECKEY`
 * decodes to the key).
 */
export async function readErrorBody(response: HttpPostResponse): Promise<string> {
  return (await readErrorDetail(response)).message;
}

/**
 * The error body's message (as readErrorBody) and its error object, when the body was JSON
 * (issue 22: llama.cpp puts `n_prompt_tokens` and `n_ctx` beside its message, OpenAI a `code`).
 */
export async function readErrorDetail(response: HttpPostResponse): Promise<{ message: string; error?: Record<string, unknown> }> {
  try {
    const raw = await response.text();
    try {
      const parsed = JSON.parse(raw) as { error?: Record<string, unknown> | string; message?: unknown };
      const error = parsed.error !== null && typeof parsed.error === 'object' ? parsed.error : undefined;
      const message = typeof parsed.error === 'string' ? parsed.error : (error?.['message'] ?? parsed.message);
      if (typeof message === 'string') return { message: preview(redact(message)), ...(error ? { error } : {}) };
    } catch {
      // not JSON: use the text itself
    }
    return { message: preview(redact(raw).trim()) };
  } catch {
    return { message: '' };
  }
}

/** `Retry-After` (seconds or an HTTP date) or OpenAI's `retry-after-ms`, in ms. */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Math.round(Number(ms));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function preview(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * What an error says of a chunk that is not JSON. Cut JSON is model output, and may hold the rest of
 * a secret whose start the token stream already wrote (issue 24: the two halves joined in the run's
 * files): its size only. Anything else (a proxy's page, say) is shown, redacted, unless it too ends
 * a secret that the reply streamed so far began: redacted joined with that reply's tail, as the token
 * stream itself is, it would lose more than it does alone.
 */
function chunkPreview(data: string, streamed: readonly string[]): string {
  const t = data.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) return `(${Buffer.byteLength(data)} bytes of cut or invalid JSON)`;
  return shownChunk(data, streamed);
}

/** A chunk as an error quotes it: redacted, or only its size where it ends a secret the streamed reply began. */
function shownChunk(data: string, streamed: readonly string[]): string {
  const longest = longestSecretSpelling();
  for (const before of streamed) {
    const tail = before.slice(-longest);
    if (tail && redact(tail + data) !== redact(tail) + redact(data)) return `(${Buffer.byteLength(data)} bytes, not shown: with the reply before them they spell a secret)`;
  }
  return preview(redact(data));
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

// ---------------------------------------------------------------- attributes

/** The URL without credentials or query (query strings may hold keys), for messages and spans. */
function describeUrl(url: string): { display: string; host?: string; port?: number } {
  try {
    const u = new URL(url);
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : u.protocol === 'http:' ? 80 : undefined;
    return { display: `${u.protocol}//${u.host}${u.pathname}`, host: u.hostname, ...optional('port', port) };
  } catch {
    return { display: 'the configured endpoint' };
  }
}

/**
 * Keeps the first `limitBytes` bytes of `text` in UTF-8 without splitting a
 * character. Returns the text and whether it was cut.
 */
export function truncateUtf8(text: string, limitBytes: number = TEXT_LIMIT_BYTES): { text: string; truncated: boolean } {
  // Fast path: a UTF-16 code unit is at most 3 UTF-8 bytes.
  if (text.length * 3 <= limitBytes) return { text, truncated: false };
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limitBytes) return { text, truncated: false };
  let end = limitBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return { text: bytes.subarray(0, end).toString('utf8'), truncated: true };
}

function requestAttributes(opts: StreamChatOptions, provider: string, target: { host?: string; port?: number }): Attributes {
  let inputTruncated = false;
  const attrs: Attributes = {
    [ATTR.genAiOperation]: 'chat',
    [ATTR.genAiProvider]: provider,
    [ATTR.genAiRequestModel]: opts.model,
    [ATTR.genAiTemperature]: opts.temperature,
    [ATTR.genAiMaxTokens]: opts.maxTokens,
    [OI.OPENINFERENCE_SPAN_KIND]: OpenInferenceSpanKind.LLM,
    [OI.LLM_MODEL_NAME]: opts.model,
    [OI.LLM_PROVIDER]: provider,
    [OI.LLM_INVOCATION_PARAMETERS]: JSON.stringify({ temperature: opts.temperature, max_tokens: opts.maxTokens, stream: true }),
  };
  // Per test trace the turn hands down the trace's session; the agent's own conversation goes beside it.
  const session = traceSessionOf(context.active());
  const conversation = session ?? opts.conversationId;
  if (conversation !== undefined) attrs[ATTR.genAiConversationId] = conversation;
  if (session !== undefined && opts.conversationId !== undefined && opts.conversationId !== session) attrs[ATTR.agentSession] = opts.conversationId;
  if (target.host !== undefined) attrs[ATTR.serverAddress] = target.host;
  if (target.port !== undefined) attrs[ATTR.serverPort] = target.port;
  opts.messages.forEach((m, i) => {
    const { text, truncated } = truncateUtf8(m.content);
    inputTruncated ||= truncated;
    attrs[`${OI.LLM_INPUT_MESSAGES}.${i}.${OI.MESSAGE_ROLE}`] = m.role;
    attrs[`${OI.LLM_INPUT_MESSAGES}.${i}.${OI.MESSAGE_CONTENT}`] = text;
  });
  const last = opts.messages[opts.messages.length - 1];
  if (last) {
    attrs[OI.INPUT_VALUE] = truncateUtf8(last.content).text;
    attrs[OI.INPUT_MIME_TYPE] = 'text/plain';
  }
  attrs[ATTR.inputTruncated] = inputTruncated;
  return attrs;
}

function responseAttributes(result: ChatCompletionResult): Attributes {
  const { text, truncated } = truncateUtf8(result.text);
  const attrs: Attributes = {
    [ATTR.genAiInputTokens]: result.usage.inputTokens,
    [ATTR.genAiOutputTokens]: result.usage.outputTokens,
    [ATTR.genAiFinishReasons]: result.finishReasons,
    [OI.LLM_TOKEN_COUNT_PROMPT]: result.usage.inputTokens,
    [OI.LLM_TOKEN_COUNT_COMPLETION]: result.usage.outputTokens,
    [OI.LLM_TOKEN_COUNT_TOTAL]: result.usage.inputTokens + result.usage.outputTokens,
    [ATTR.usageSource]: result.usageReported ? 'reported' : 'estimated',
    [`${OI.LLM_OUTPUT_MESSAGES}.0.${OI.MESSAGE_ROLE}`]: 'assistant',
    [`${OI.LLM_OUTPUT_MESSAGES}.0.${OI.MESSAGE_CONTENT}`]: text,
    [OI.OUTPUT_VALUE]: text,
    [OI.OUTPUT_MIME_TYPE]: 'text/plain',
    [ATTR.outputTruncated]: truncated,
  };
  if (result.usage.reasoningTokens !== undefined) attrs[OI.LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING] = result.usage.reasoningTokens;
  if (result.responseModel !== undefined) attrs[ATTR.genAiResponseModel] = result.responseModel;
  if (result.ttftMs !== undefined) attrs[ATTR.ttftMs] = result.ttftMs;
  return attrs;
}

let warnedTelemetry = false;
/** Telemetry never breaks a call (STYLE.md 7): a failure is logged once. */
function safely<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (err) {
    if (!warnedTelemetry) {
      warnedTelemetry = true;
      console.warn(`referee: could not record LLM span attributes: ${err instanceof Error ? err.message : String(err)}`);
    }
    return fallback;
  }
}

/**
 * issue 17: whether visible answer text has begun; a reply that opens with an inline
 * `<think>` block has not answered until the block closes and text follows it.
 */
export function answerStarted(text: string): boolean {
  const head = text.trimStart();
  if (!head) return false;
  if ('<think>'.startsWith(head)) return false;
  if (!head.startsWith('<think>')) return true;
  const close = head.indexOf('</think>');
  return close !== -1 && head.slice(close + '</think>'.length).trim() !== '';
}
