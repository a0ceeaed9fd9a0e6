/**
 * issue 15, `kind: http`: each protocol request is a POST of its JSON to the
 * agent's URL, over the same keep-alive client the LLM calls use. Errors are
 * the LLM client's CallErrors, so the runner's retries (429/5xx/connection,
 * `Retry-After`) and per-call timeout apply unchanged.
 */
import { CallError } from '../../errors.js';
import { httpPost, type HttpPostResponse } from '../../net/http-post.js';
import { classifyContextOverflow } from '../llm/context-errors.js';
import { parseRetryAfter, readErrorBody, toCallError } from '../llm/openai-client.js';
import { readSseBatches } from '../llm/sse.js';
import { endpointSecrets, registerSecrets } from '../../events/secrets.js';
import { AgentErrorBodySchema, TokenEventSchema, type AgentRequest } from './schemas.js';
import type { CallOptions, Transport } from './transport.js';

export interface HttpTransportOptions {
  url: string;
  /** Already expanded; never recorded anywhere. */
  headers: Record<string, string>;
}

export class HttpTransport implements Transport {
  readonly display: string;
  /** Bumped when the server says it does not know a session (404): it was restarted and lost them all. */
  private generation = 0;

  constructor(private readonly opts: HttpTransportOptions) {
    this.display = safeDisplay(opts.url);
    // issue 14: the expanded header values and URL credentials must reach no artifact.
    registerSecrets(endpointSecrets(undefined, opts.headers, opts.url));
  }

  open(): Promise<number> {
    return Promise.resolve(this.generation);
  }

  liveGeneration(): number {
    return this.generation;
  }

  async call(request: AgentRequest, options: CallOptions): Promise<unknown> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: request.type === 'message' && request.stream ? 'text/event-stream, application/json' : 'application/json',
      ...this.opts.headers,
      ...options.trace,
    };
    let response: HttpPostResponse;
    try {
      response = await httpPost(this.opts.url, headers, JSON.stringify(request), options.signal);
    } catch (err) {
      throw toCallError(err, options.signal, this.display);
    }
    try {
      if (!response.ok) {
        const detail = await readErrorBody(response);
        if (response.status === 404 && request.type !== 'start') {
          // A restarted server: the retry starts a fresh session and gives it the conversation back.
          this.generation++;
          throw new CallError('connection', `agent ${this.display} does not know session ${request.session_id} (restarted?)${detail ? `: ${detail}` : ''}`);
        }
        const retryAfterMs = parseRetryAfter(response.headers);
        // issue 22: an agent passing on its model's context-length error, in the model server's words.
        const overflow = classifyContextOverflow(response.status, detail);
        throw new CallError('http', `HTTP ${response.status} from agent ${this.display} (${request.type})${detail ? `: ${detail}` : ''}`, {
          status: response.status,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          ...(overflow ? { contextOverflow: overflow } : {}),
        });
      }
      const type = response.headers.get('content-type') ?? '';
      if (type.includes('text/event-stream')) return await this.readStream(response, request.type, options);
      return parseJson(await response.text(), `${request.type} answer from agent ${this.display}`);
    } catch (err) {
      throw toCallError(err, options.signal, this.display);
    }
  }

  /** SSE: `token` events carry `{delta}`, one `reply` event the whole answer, an `error` event a failure. */
  private async readStream(response: HttpPostResponse, what: string, options: CallOptions): Promise<unknown> {
    let result: unknown;
    let done = false;
    for await (const events of readSseBatches(response.body)) {
      for (const event of events) {
        if (done) continue;
        const where = `${what} stream from agent ${this.display}`;
        if (event.event === 'token') {
          const token = TokenEventSchema.safeParse(parseJson(event.data, where));
          if (!token.success) throw new CallError('malformed', `${where}: a token event without a string "delta": ${preview(event.data)}`);
          safeCall(options.onToken, token.data.delta);
        } else if (event.event === 'reply') {
          result = parseJson(event.data, where);
          done = true;
        } else if (event.event === 'error') {
          const body = AgentErrorBodySchema.safeParse(parseJson(event.data, where));
          const message = body.success ? body.data.message : preview(event.data);
          throw agentFailure(body.success ? body.data : { message }, this.display);
        }
      }
    }
    if (!done) throw new CallError('connection', `${what} stream from agent ${this.display} ended before its reply event`);
    return result;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A failure the agent reported itself: retried only when it says so (as a
 * connection error would be); otherwise an `http` error without a status,
 * which the runner does not retry.
 */
export function agentFailure(body: { message: string; retryable?: boolean | undefined; retry_after_ms?: number | undefined }, display: string): CallError {
  const message = `agent ${display} failed: ${preview(body.message)}`;
  const overflow = classifyContextOverflow(undefined, body.message);
  if (!body.retryable) return new CallError('http', message, overflow ? { contextOverflow: overflow } : {});
  return new CallError('connection', message, body.retry_after_ms !== undefined ? { retryAfterMs: body.retry_after_ms } : {});
}

export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CallError('malformed', `${where} is not JSON: ${preview(text)}`, { cause: err });
  }
}

function safeCall(fn: ((delta: string) => void) | undefined, delta: string): void {
  try {
    fn?.(delta);
  } catch {
    // A live-view callback never breaks a call.
  }
}

export function preview(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

/** The URL without credentials or query, for messages. */
export function safeDisplay(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '[invalid url]';
  }
}
