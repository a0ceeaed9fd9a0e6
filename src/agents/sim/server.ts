/**
 * The simulated model: a real loopback HTTP server speaking the OpenAI chat
 * completions protocol (streaming and not). It answers from the messages of
 * the request only, through the skills in ./skills/, so an agent that loses a
 * fact from its context window loses the answer too.
 *
 * Cheap per request by design (a benchmark pushes 10,000 turns through it):
 * no framework, token counts of repeated message contents are cached, and at
 * `tokensPerSec: 0` a whole streamed reply leaves in one write.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countTokens, decodeTokens, encodeTokens } from '../../tokens.js';
import type { ChatMessage } from '../types.js';
import { fallbackReply, simSkills } from './skills/index.js';
import { applyProspectiveMemory } from './skills/v3.js';

/** A validated chat completions request. */
export interface SimChatRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  maxTokens?: number;
}

/** What the simulated model decided to answer, before it is sent. */
export interface SimReplyPlan {
  /** Reply text, already cut to `max_tokens`. */
  text: string;
  finishReason: 'stop' | 'length';
  promptTokens: number;
  completionTokens: number;
  /** Name of the skill that answered, or `fallback`. */
  skill: string;
}

/**
 * The seam for fault injection (not implemented here). Called once per chat
 * request after the reply is planned and before anything is written. Return
 * `'handled'` when the hook has taken over the response (it may hang, answer
 * with an error status, write part of a stream with `sseData()` and destroy
 * the socket, ...); return undefined to let the server answer normally.
 */
export type SimInterceptor = (call: {
  /** 1-based count of chat requests this server has received. */
  requestNumber: number;
  request: SimChatRequest;
  plan: SimReplyPlan;
  req: IncomingMessage;
  res: ServerResponse;
}) => 'handled' | undefined | Promise<'handled' | undefined>;

export interface SimServerOptions {
  /** @default "127.0.0.1" (loopback only) */
  host?: '127.0.0.1';
  /** 0 picks an ephemeral port. @default 0 */
  port?: number;
  /** First content token this long after the request arrived, ms. @default 0 */
  ttftMs?: number;
  /** Output pacing; 0 sends every token at once. @default 0 */
  tokensPerSec?: number;
  /**
   * The finish chunk leaves this long after the last token is due, ms: with no
   * ttft or pacing, `latencyMs` after the request arrived, the server's own
   * parsing and planning included. @default 0
   */
  latencyMs?: number;
  /** Fault-injection seam; see SimInterceptor. */
  intercept?: SimInterceptor;
  /**
   * Plan one reply before listening, so the tokenizer's tables (~0.2-0.4 s)
   * load before the first request rather than stalling it: for a standalone
   * server, whose first requests a benchmark would otherwise time (issue 8: the
   * first 8 calls of the 500-task bench waited 170 ms). In-process servers
   * leave it off, keeping the tables out of runs that never count tokens.
   * @default false
   */
  warm?: boolean;
}

export interface SimServer {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:41234/v1`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const MODEL_ID = 'sim-1';
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Token counts of message contents; a conversation resends the same history every turn. Issue 13: a few lanes' recent messages, not a run's every prompt. */
const TOKEN_CACHE_LIMIT = 2_000;

export async function startSimServer(opts: SimServerOptions = {}): Promise<SimServer> {
  const host = opts.host ?? '127.0.0.1';
  const timing: Timing = {
    ttftMs: Math.max(0, opts.ttftMs ?? 0),
    tokensPerSec: Math.max(0, opts.tokensPerSec ?? 0),
    latencyMs: Math.max(0, opts.latencyMs ?? 0),
  };
  const tokenCache = new Map<string, number>();
  const countCached = (text: string): number => {
    let n = tokenCache.get(text);
    if (n === undefined) {
      n = countTokens(text);
      if (tokenCache.size >= TOKEN_CACHE_LIMIT) tokenCache.clear();
      tokenCache.set(text, n);
    }
    return n;
  };
  let requestNumber = 0;
  let idCounter = 0;
  if (opts.warm) planReply({ model: MODEL_ID, messages: [{ role: 'user', content: 'What is 1 + 1?' }], stream: true, includeUsage: true }, countCached);

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')) {
      const arrivedAt = performance.now();
      readBody(req)
        .then(async (raw) => {
          const request = parseRequest(raw);
          if (typeof request === 'string') return sendError(res, 400, request);
          const plan = planReply(request, countCached);
          requestNumber++;
          if (opts.intercept && (await opts.intercept({ requestNumber, request, plan, req, res })) === 'handled') return;
          const id = `chatcmpl-sim-${++idCounter}`;
          if (request.stream) await streamReply(res, request, plan, id, timing, arrivedAt);
          else await jsonReply(res, request, plan, id, timing, arrivedAt);
        })
        .catch((err: unknown) => {
          if (!res.headersSent) sendError(res, err instanceof BodyTooLarge ? 413 : 500, err instanceof Error ? err.message : String(err));
          else res.destroy();
        });
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, { object: 'list', data: [{ id: MODEL_ID, object: 'model', created: 0, owned_by: 'referee' }] });
    }
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'ok' });
    sendError(res, 404, `no route for ${req.method ?? '?'} ${path ?? ''}`);
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/v1`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Pacing of a streamed reply; exported for the fault injector's slow drip. */
export interface Timing {
  ttftMs: number;
  tokensPerSec: number;
  latencyMs: number;
}

// ---------------------------------------------------------------- answering

/** Picks the reply: the first skill that answers the last user message, else the fallback. */
export function planReply(request: SimChatRequest, count: (text: string) => number = countTokens): SimReplyPlan {
  let question = '';
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i];
    if (m && m.role === 'user') {
      question = m.content;
      break;
    }
  }
  let text: string | undefined;
  let skill = 'fallback';
  for (const s of simSkills) {
    text = s.answer(question, request.messages, request.model);
    if (text !== undefined) {
      skill = s.name;
      break;
    }
  }
  text ??= fallbackReply(question);
  // issue 7: a pending "append the quote to your n-th response" changes any reply.
  text = applyProspectiveMemory(text, request.messages);
  let promptTokens = 0;
  for (const m of request.messages) promptTokens += count(m.content);
  let completionTokens = countTokens(text);
  let finishReason: SimReplyPlan['finishReason'] = 'stop';
  if (request.maxTokens !== undefined && completionTokens > request.maxTokens) {
    text = decodeTokens(encodeTokens(text).slice(0, request.maxTokens));
    completionTokens = request.maxTokens;
    finishReason = 'length';
  }
  return { text, finishReason, promptTokens, completionTokens, skill };
}

/** Splits a reply into word-ish pieces (a word with its leading space), the unit of streaming. */
export function splitReply(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

// ---------------------------------------------------------------- protocol

/** One `data:` event; payloads are JSON, so they never hold a raw newline. */
export function sseData(payload: unknown): string {
  return `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
}

/** An OpenAI `chat.completion.chunk`. */
export function chunkPayload(
  base: { id: string; created: number; model: string; includeUsage: boolean },
  delta: Record<string, string>,
  finishReason: string | null,
): unknown {
  const chunk: Record<string, unknown> = {
    id: base.id,
    object: 'chat.completion.chunk',
    created: base.created,
    model: base.model,
    system_fingerprint: 'referee-sim',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
  if (base.includeUsage) chunk.usage = null;
  return chunk;
}

function usagePayload(plan: SimReplyPlan) {
  return {
    prompt_tokens: plan.promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: plan.promptTokens + plan.completionTokens,
  };
}

/** Streams `plan`; every delay of `timing` counts from `arrivedAt` (performance.now() time). */
export async function streamReply(
  res: ServerResponse,
  request: SimChatRequest,
  plan: SimReplyPlan,
  id: string,
  timing: Timing,
  arrivedAt = performance.now(),
): Promise<void> {
  const base = { id, created: Math.floor(Date.now() / 1000), model: request.model, includeUsage: request.includeUsage };
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const head = sseData(chunkPayload(base, { role: 'assistant', content: '' }, null));
  const pieces = splitReply(plan.text);
  const tail = () => {
    let out = sseData(chunkPayload(base, {}, plan.finishReason));
    if (request.includeUsage) {
      out += sseData({
        id,
        object: 'chat.completion.chunk',
        created: base.created,
        model: request.model,
        system_fingerprint: 'referee-sim',
        choices: [],
        usage: usagePayload(plan),
      });
    }
    return out + sseData('[DONE]');
  };

  if (timing.ttftMs === 0 && timing.tokensPerSec === 0 && timing.latencyMs === 0) {
    // The benchmark's fast path: one write per request.
    let out = head;
    for (const piece of pieces) out += sseData(chunkPayload(base, { content: piece }, null));
    res.end(out + tail());
    return;
  }

  const gone = closedSignal(res);
  // Without a first-token delay the role chunk leaves with the first content: one write
  // (and one wake-up of the client) fewer per request (issue 8, workload B).
  let pending = head;
  let lastTokenDue = arrivedAt + timing.ttftMs;
  if (timing.ttftMs > 0) {
    res.write(head);
    pending = '';
    if (!(await deadlines.sleepUntil(lastTokenDue, gone))) return;
  }
  if (timing.tokensPerSec === 0) {
    let out = pending;
    pending = '';
    for (const piece of pieces) out += sseData(chunkPayload(base, { content: piece }, null));
    if (out) res.write(out);
  } else {
    // Batched pacing: each wake-up writes every token that is due, so timers never outnumber tokens.
    const start = performance.now();
    const msPerToken = 1000 / timing.tokensPerSec;
    let sent = 0;
    while (sent < pieces.length) {
      const due = Math.min(pieces.length, Math.max(sent + 1, Math.floor((performance.now() - start) / msPerToken) + 1));
      let out = pending;
      pending = '';
      for (; sent < due; sent++) out += sseData(chunkPayload(base, { content: pieces[sent] ?? '' }, null));
      res.write(out);
      if (sent < pieces.length && !(await deadlines.sleepUntil(start + sent * msPerToken, gone))) return;
    }
    lastTokenDue = start + Math.max(0, pieces.length - 1) * msPerToken;
  }
  if (!(await deadlines.sleepUntil(lastTokenDue + timing.latencyMs, gone))) return;
  // `pending` still holds the role chunk when a paced reply had no content at all.
  res.end(pending + tail());
}

async function jsonReply(res: ServerResponse, request: SimChatRequest, plan: SimReplyPlan, id: string, timing: Timing, arrivedAt: number): Promise<void> {
  const gone = closedSignal(res);
  const generationMs = timing.tokensPerSec > 0 ? (plan.completionTokens * 1000) / timing.tokensPerSec : 0;
  if (!(await deadlines.sleepUntil(arrivedAt + timing.ttftMs + generationMs + timing.latencyMs, gone))) return;
  sendJson(res, 200, {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    system_fingerprint: 'referee-sim',
    choices: [{ index: 0, message: { role: 'assistant', content: plan.text }, logprobs: null, finish_reason: plan.finishReason }],
    usage: usagePayload(plan),
  });
}

function parseRequest(raw: string): SimChatRequest | string {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return 'request body is not valid JSON';
  }
  if (typeof body !== 'object' || body === null) return 'request body must be a JSON object';
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.messages) || b.messages.length === 0) return "'messages' must be a non-empty array";
  const messages: ChatMessage[] = [];
  for (const [i, m] of b.messages.entries()) {
    const msg = m as Record<string, unknown> | null;
    if (!msg || typeof msg !== 'object') return `messages[${i}] must be an object`;
    const role = msg.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'developer') return `messages[${i}].role is invalid`;
    const content = contentText(msg.content);
    if (content === undefined) return `messages[${i}].content must be a string or text parts`;
    messages.push({ role: role === 'developer' ? 'system' : role, content });
  }
  const so = b.stream_options as { include_usage?: unknown } | undefined;
  const maxTokens = typeof b.max_completion_tokens === 'number' ? b.max_completion_tokens : b.max_tokens;
  const request: SimChatRequest = {
    model: typeof b.model === 'string' && b.model ? b.model : MODEL_ID,
    messages,
    stream: b.stream === true,
    includeUsage: b.stream === true && so?.include_usage === true,
  };
  if (typeof maxTokens === 'number' && maxTokens > 0) request.maxTokens = Math.floor(maxTokens);
  return request;
}

function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (content === null) return '';
  if (Array.isArray(content)) {
    let out = '';
    for (const part of content) {
      const p = part as { type?: unknown; text?: unknown } | null;
      if (p && p.type === 'text' && typeof p.text === 'string') out += p.text;
    }
    return out;
  }
  return undefined;
}

// ---------------------------------------------------------------- plumbing

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge(`request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null } });
}

/** Aborts when the client goes away before the response is finished. */
function closedSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/**
 * Sleeps to absolute deadlines. A Node timer fires about a millisecond late
 * (whole-ms loop clock plus wake-up), which made a "50 ms" model answer in
 * 51.5 ms (issue 8, workload B); this one learns how late this process's
 * timers fire and aims that much earlier, so replies end on time on average.
 */
export class DeadlineSleeper {
  /** Running mean of how late a timer fired after the time it aimed at, ms. */
  private lateMs = 0;

  /** Resolves true at `deadline` (performance.now() time), false at once (or early) when `signal` aborts. */
  sleepUntil(deadline: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    const aim = deadline - this.lateMs;
    const wait = aim - performance.now();
    if (wait <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        const late = performance.now() - aim;
        // A busy event loop can make one timer very late: clamp, so one outlier cannot make every reply early.
        this.lateMs = Math.min(MAX_TIMER_CORRECTION_MS, Math.max(0, this.lateMs + (late - this.lateMs) / 16));
        resolve(true);
      }, wait);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

const MAX_TIMER_CORRECTION_MS = 2;
const deadlines = new DeadlineSleeper();
