/**
 * issue 22 (item 9): an OpenAI-compatible `/v1/chat/completions` in front of llama.cpp (through
 * node-llama-cpp), shaped like llama.cpp's own server where a client can tell:
 *
 * - the prompt is the model's chat template (from the GGUF) rendered and tokenized by the model;
 * - `usage` is the model's token counts (`prompt_tokens`, `completion_tokens`, the end-of-turn
 *   token included as llama.cpp counts it), streamed as OpenAI's last chunk when
 *   `stream_options.include_usage` asks, with llama.cpp's `timings` beside it;
 * - one slot, requests served in order; the slot keeps its evaluated tokens, and a request that
 *   starts with them only evaluates the rest (llama.cpp's `cache_prompt`), so a stable prefix is
 *   cheap and a changed one costs a full prefill;
 * - a prompt of the window's size or more is refused before any work as llama.cpp refuses it:
 *   HTTP 400, `{"error":{"code":400,"message":"request (N tokens) exceeds the available context
 *   size (C tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":N,
 *   "n_ctx":C}}`; a reply that fills the window stops there with `finish_reason: "length"`;
 * - a client that goes away stops its generation.
 *
 * Every request is one line of the log (`logFile`): its counts and the server's own times, which
 * the real-model test sets against what Referee recorded.
 */
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { loadJinja, loadLlama, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from './engine.js';

export interface RealModelServerOptions {
  modelPath: string;
  engineDir: string;
  /** The slot's window, prompt and reply together. @default 2048 */
  contextSize?: number;
  /** @default the machine's core count */
  threads?: number;
  /** @default 0 (an ephemeral port) */
  port?: number;
  /** The name `/v1/models` and responses give. @default the GGUF's file name */
  modelName?: string;
  /** One JSON line per request (see ServedRequest). */
  logFile?: string;
}

/** One request as the server saw it (the log's line). */
export interface ServedRequest {
  id: string;
  status: number;
  stream: boolean;
  /** ms since the epoch when the request arrived. */
  received_at: number;
  n_prompt_tokens: number;
  /** Prompt tokens the slot already held (not evaluated again). */
  n_cached: number;
  completion_tokens: number;
  finish_reason?: string;
  /** Time waiting for the slot, ms. */
  queue_ms: number;
  /** From arrival to the first content written, ms. */
  ttft_ms?: number;
  /** From arrival to the response's end, ms. */
  total_ms: number;
  /** Prompt evaluation (the part not cached), ms. */
  prompt_ms?: number;
  error?: string;
}

export interface RealModelServer {
  /** Base URL up to and including `/v1`. */
  url: string;
  contextSize: number;
  threads: number;
  llama: Llama;
  /** Tokens of the rendered prompt of `messages`, as a request would count them. */
  promptTokens(messages: ChatInput[]): number;
  /** The model's own tokenizer (plain text, special-token text parsed as llama.cpp parses a prompt). */
  tokenize(text: string): Token[];
  requests: ServedRequest[];
  close(): Promise<void>;
}

interface ChatInput {
  role: string;
  content: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body['message'] ?? status));
  }
}

/** llama.cpp's error body (server-common.cpp's format_error_response). */
function errorBody(code: number, message: string, type: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { code, message, type, ...extra };
}

export async function startRealModelServer(opts: RealModelServerOptions): Promise<RealModelServer> {
  const threads = opts.threads ?? availableParallelism();
  const contextSize = opts.contextSize ?? 2048;
  const llama = await loadLlama(opts.engineDir, threads);
  const model = await llama.loadModel({ modelPath: opts.modelPath });
  const context = await model.createContext({ contextSize, threads, sequences: 1 });
  const slot = context.getSequence();
  const jinja = loadJinja(opts.engineDir);
  const metadata = model.fileInfo.metadata;
  const templateText = metadata.tokenizer?.chat_template;
  if (!templateText) throw new Error(`${opts.modelPath} has no chat template`);
  const template = new jinja.Template(templateText);
  const ggml = metadata.tokenizer?.ggml ?? {};
  const vocab = ggml.tokens ?? [];
  const bosId = ggml.bos_token_id;
  const bosText = bosId !== undefined ? (vocab[bosId] ?? '') : '';
  const eosText = ggml.eos_token_id !== undefined ? (vocab[ggml.eos_token_id] ?? '') : '';
  const modelName = opts.modelName ?? opts.modelPath.split('/').pop() ?? 'model';
  const requests: ServedRequest[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  let served = 0;

  const tokenize = (text: string): Token[] => model.tokenize(text, true);
  const render = (messages: ChatInput[]): Token[] => {
    const text = template.render({ messages, add_generation_prompt: true, bos_token: bosText, eos_token: eosText });
    const tokens = tokenize(text);
    // llama.cpp adds BOS where the vocabulary asks for it and the template did not write it.
    if (ggml.add_bos_token === true && bosId !== undefined && tokens[0] !== bosId) tokens.unshift(bosId);
    return tokens;
  };

  const log = (r: ServedRequest): void => {
    requests.push(r);
    if (opts.logFile) appendFileSync(opts.logFile, `${JSON.stringify(r)}\n`);
  };

  const server = createServer((req, res) => {
    const receivedAt = Date.now();
    const t0 = performance.now();
    void handle(req, res, receivedAt, t0).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: errorBody(500, (err as Error).message, 'server_error') });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, receivedAt: number, t0: number): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/health' || path === '/v1/health')) return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, { object: 'list', data: [{ id: modelName, object: 'model', owned_by: 'referee', meta: { n_ctx_train: model.trainContextSize, n_ctx: contextSize } }] });
    }
    if (req.method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/chat/completions')) {
      return sendJson(res, 404, { error: errorBody(404, 'File Not Found', 'not_found_error') });
    }
    const id = `chatcmpl-${++served}`;
    const raw = await readBody(req);
    let parsed: ParsedRequest;
    let prompt: Token[];
    try {
      parsed = parseRequest(raw);
      prompt = render(parsed.messages);
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(400, errorBody(400, (err as Error).message, 'invalid_request_error'));
      log({ id, status: e.status, stream: false, received_at: receivedAt, n_prompt_tokens: 0, n_cached: 0, completion_tokens: 0, queue_ms: 0, total_ms: performance.now() - t0, error: e.message });
      return sendJson(res, e.status, { error: e.body });
    }
    // llama.cpp refuses a prompt as large as the window before it is queued (n_tokens >= n_ctx).
    if (prompt.length >= contextSize) {
      const message = `request (${prompt.length} tokens) exceeds the available context size (${contextSize} tokens), try increasing it`;
      log({ id, status: 400, stream: parsed.stream, received_at: receivedAt, n_prompt_tokens: prompt.length, n_cached: 0, completion_tokens: 0, queue_ms: 0, total_ms: performance.now() - t0, error: message });
      return sendJson(res, 400, { error: errorBody(400, message, 'exceed_context_size_error', { n_prompt_tokens: prompt.length, n_ctx: contextSize }) });
    }
    let gone = false;
    res.on('close', () => {
      if (!res.writableFinished) gone = true;
    });
    // One slot: requests take their turn.
    const turn = queue.then(() => serve({ id, parsed, prompt, res, receivedAt, t0, isGone: () => gone }));
    queue = turn.catch(() => undefined);
    await turn;
  }

  interface ServeArgs {
    id: string;
    parsed: ParsedRequest;
    prompt: Token[];
    res: ServerResponse;
    receivedAt: number;
    t0: number;
    isGone: () => boolean;
  }

  async function serve({ id, parsed, prompt, res, receivedAt, t0, isGone }: ServeArgs): Promise<void> {
    const queueMs = performance.now() - t0;
    const record: ServedRequest = { id, status: 200, stream: parsed.stream, received_at: receivedAt, n_prompt_tokens: prompt.length, n_cached: 0, completion_tokens: 0, queue_ms: queueMs, total_ms: 0 };
    if (isGone()) {
      record.status = 499;
      record.total_ms = performance.now() - t0;
      record.error = 'client closed the connection while queued';
      log(record);
      return;
    }
    const created = Math.floor(Date.now() / 1000);
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: modelName, system_fingerprint: 'referee-llama.cpp', choices, ...extra })}\n\n`;
    if (parsed.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write(chunk([{ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null }]));
    }

    // Reuse what the slot holds (cache_prompt): evaluate from the first token that differs, at least one.
    const cached = Math.min(slot.compareContextTokens(prompt).firstDifferentIndex, prompt.length - 1);
    if (slot.nextTokenIndex > cached) await slot.eraseContextTokenRanges([{ start: cached, end: slot.nextTokenIndex }]);
    record.n_cached = cached;
    const promptStart = performance.now();
    const generated: Token[] = [];
    let emitted = '';
    let text = '';
    let finish: 'stop' | 'length' = 'stop';
    const maxTokens = parsed.maxTokens ?? contextSize;
    for await (const token of evaluate(slot, prompt.slice(cached), parsed.temperature, parsed.seed)) {
      if (record.prompt_ms === undefined) record.prompt_ms = performance.now() - promptStart;
      generated.push(token);
      if (isGone()) break;
      if (model.isEogToken(token)) break;
      text = model.detokenize(generated.filter((t) => !model.isEogToken(t)));
      // Hold back an incomplete UTF-8 character until its next byte arrives.
      const ready = text.endsWith('\uFFFD') ? text.slice(0, text.lastIndexOf('\uFFFD')) : text;
      if (ready.length > emitted.length && parsed.stream) {
        if (record.ttft_ms === undefined) record.ttft_ms = performance.now() - t0;
        res.write(chunk([{ index: 0, delta: { content: ready.slice(emitted.length) }, finish_reason: null }]));
        emitted = ready;
      }
      if (generated.length >= maxTokens) {
        finish = 'length';
        break;
      }
      // The window is full (prompt and reply): llama.cpp stops the slot there, truncated.
      if (prompt.length + generated.length >= contextSize) {
        finish = 'length';
        break;
      }
    }
    record.completion_tokens = generated.length;
    record.finish_reason = finish;
    if (isGone()) {
      record.status = 499;
      record.error = 'client closed the connection';
      record.total_ms = performance.now() - t0;
      log(record);
      return;
    }
    const usage = { prompt_tokens: prompt.length, completion_tokens: generated.length, total_tokens: prompt.length + generated.length, prompt_tokens_details: { cached_tokens: cached } };
    const timings = { cache_n: cached, prompt_n: prompt.length - cached, prompt_ms: record.prompt_ms ?? 0, predicted_n: generated.length };
    if (parsed.stream) {
      if (text.length > emitted.length) {
        if (record.ttft_ms === undefined) record.ttft_ms = performance.now() - t0;
        res.write(chunk([{ index: 0, delta: { content: text.slice(emitted.length) }, finish_reason: null }]));
      }
      res.write(chunk([{ index: 0, delta: {}, finish_reason: finish }], { timings }));
      if (parsed.includeUsage) res.write(chunk([], { usage }));
      record.total_ms = performance.now() - t0;
      res.end('data: [DONE]\n\n');
    } else {
      record.ttft_ms = performance.now() - t0;
      record.total_ms = record.ttft_ms;
      sendJson(res, 200, { id, object: 'chat.completion', created, model: modelName, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }], usage, timings });
    }
    log(record);
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    contextSize,
    threads,
    llama,
    promptTokens: (messages) => render(messages).length,
    tokenize,
    requests,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await queue;
      await disposeAll(context, model, llama);
    },
  };
}

async function disposeAll(context: LlamaContext, model: LlamaModel, llama: Llama): Promise<void> {
  await context.dispose();
  await model.dispose();
  await llama.dispose();
}

/** Greedy at temperature 0 (what the tests use), else the engine's sampling. */
function evaluate(slot: LlamaContextSequence, tokens: Token[], temperature: number, seed: number | undefined): AsyncGenerator<Token, void, void | Token | Token[]> {
  return slot.evaluate(tokens, { temperature, ...(seed !== undefined ? { seed } : {}) });
}

interface ParsedRequest {
  messages: ChatInput[];
  stream: boolean;
  includeUsage: boolean;
  maxTokens?: number;
  temperature: number;
  seed?: number;
}

function parseRequest(raw: string): ParsedRequest {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw new HttpError(400, errorBody(400, 'Failed to parse the request body as JSON', 'invalid_request_error'));
  }
  if (!Array.isArray(body['messages']) || body['messages'].length === 0) throw new HttpError(400, errorBody(400, "'messages' is required and must be a non-empty array", 'invalid_request_error'));
  const messages = (body['messages'] as unknown[]).map((m): ChatInput => {
    const msg = m as { role?: unknown; content?: unknown };
    if (typeof msg.role !== 'string') throw new HttpError(400, errorBody(400, "each message needs a 'role'", 'invalid_request_error'));
    // OpenAI's content parts: the text parts, joined.
    const content = Array.isArray(msg.content)
      ? (msg.content as { type?: unknown; text?: unknown }[]).filter((p) => p.type === 'text' && typeof p.text === 'string').map((p) => p.text as string).join('')
      : typeof msg.content === 'string'
        ? msg.content
        : msg.content === null || msg.content === undefined
          ? ''
          : String(msg.content);
    return { role: msg.role, content };
  });
  const max = body['max_completion_tokens'] ?? body['max_tokens'];
  const options = body['stream_options'] as { include_usage?: unknown } | undefined;
  const parsed: ParsedRequest = {
    messages,
    stream: body['stream'] === true,
    includeUsage: options?.include_usage === true,
    temperature: typeof body['temperature'] === 'number' ? body['temperature'] : 0.8,
  };
  if (typeof max === 'number' && max > 0) parsed.maxTokens = Math.floor(max);
  if (typeof body['seed'] === 'number') parsed.seed = body['seed'];
  return parsed;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
