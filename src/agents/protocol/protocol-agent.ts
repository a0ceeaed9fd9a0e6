/**
 * issue 15: one conversation with an agent Referee did not build, over either
 * transport. The agent keeps its own memory; Referee keeps the conversation
 * it has had (`log`) only to bring the agent back when it lost it: after a
 * resume, or after a stdio agent was restarted. Then the session is put back
 * from the last checkpoint, when the agent implements `save`/`restore`, and
 * the rest of the conversation is replayed as pre-filled turns.
 */
import { redact } from '../../events/secrets.js';
import { context, propagation } from '@opentelemetry/api';
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CallError } from '../../errors.js';
import { sanitizeMetadata } from '../../runner/sanitize.js';
import type { Agent, AgentReply, ChatMessage, ReplyContext } from '../types.js';
import { ReplyResponseSchema, SaveResponseSchema, StartResponseSchema, type AgentRequest, type ReplyResponse, type StartResponse } from './schemas.js';
import type { Transport } from './transport.js';

export interface ProtocolAgentOptions {
  name: string;
  transport: Transport;
  /** Referee's id of this conversation. */
  sessionId: string;
  /** Where checkpoints are kept (the session's state directory). */
  stateDir: string;
  /** Limit of each call Referee makes outside a turn (start, replay, save), ms. */
  callTimeoutMs: number;
  /** Aborted when the factory closes: replays in flight stop. */
  closing: AbortSignal;
}

/** One exchange the agent holds: answered, or pre-filled. */
interface Exchange {
  message: string;
  reply: string;
}

export const CHECKPOINT_FILE = 'agent-checkpoint.json';

export class ProtocolAgent implements Agent {
  readonly name: string;
  maxMessageSize?: number;
  private readonly opts: ProtocolAgentOptions;
  private agentSessionId = '';
  private saveRestore = false;
  /** Transport generation the session was started on; another one means the agent lost it. */
  private generation = -1;
  /** The agent holds exactly `log`. */
  private synced = false;
  private log: Exchange[] = [];
  /** Exchanges covered by the checkpoint on disk (an empty session needs none). */
  private savedAt = 0;
  private syncing: Promise<void> | undefined;

  private constructor(opts: ProtocolAgentOptions) {
    this.name = opts.name;
    this.opts = opts;
  }

  /** Starts the agent's session; its `max_message_size` is known when this resolves. */
  static async open(opts: ProtocolAgentOptions): Promise<ProtocolAgent> {
    const agent = new ProtocolAgent(opts);
    await agent.sync();
    return agent;
  }

  async reply(message: string, ctx: ReplyContext): Promise<AgentReply> {
    await raceSignal(this.sync(), ctx.signal);
    if (this.saveRestore && this.savedAt !== this.log.length && !ctx.history) {
      // Best effort: without a fresh checkpoint a resume replays a little more.
      await this.checkpoint(ctx.signal).catch((err: unknown) => {
        if (ctx.signal.aborted) throw err;
      });
    }
    const started = performance.now();
    let ttftMs: number | undefined;
    const onToken = (delta: string): void => {
      ttftMs ??= performance.now() - started;
      ctx.onToken?.(delta);
    };
    const request: AgentRequest = {
      type: 'message',
      session_id: this.agentSessionId,
      message,
      test_id: ctx.testId,
      turn_id: ctx.turnId,
      ...(ctx.onToken ? { stream: true } : {}),
      ...(ctx.history ? { history: [...ctx.history] } : {}),
    };
    const raw = await this.opts.transport.call(request, { signal: ctx.signal, trace: traceCarrier(), onToken });
    const answer = validate(ReplyResponseSchema, raw, `message answer from agent ${this.opts.transport.display}`);
    this.log.push({ message, reply: answer.text });
    return toAgentReply(answer, performance.now() - started, ttftMs);
  }

  async prefill(message: string, reply: string, ctx: { testId: string; turnId: number }): Promise<void> {
    await this.sync();
    await this.send({ type: 'prefill', session_id: this.agentSessionId, message, reply, test_id: ctx.testId, turn_id: ctx.turnId });
    this.log.push({ message, reply });
  }

  /** Resume (issue 4): the agent is brought back to these exchanges before the next call. */
  restore(history: readonly ChatMessage[]): void {
    const log: Exchange[] = [];
    for (let i = 0; i + 1 < history.length; i += 2) log.push({ message: history[i]!.content, reply: history[i + 1]!.content });
    this.log = log;
    this.synced = false;
    // Start now, outside any turn's time limit; the first turn waits for what is left.
    this.sync().catch(() => undefined);
  }

  /** GoodAI's `reset()`: the agent forgets the conversation. */
  async reset(): Promise<void> {
    await this.sync();
    await this.send({ type: 'reset', session_id: this.agentSessionId });
    this.log = [];
  }

  async close(): Promise<void> {
    // A session lost with its process needs no `end`, and must not start a process to get one.
    if (this.generation !== -1 && this.generation === this.opts.transport.liveGeneration()) {
      await this.send({ type: 'end', session_id: this.agentSessionId }).catch(() => undefined);
    }
    this.generation = -1;
  }

  /** Puts the agent's session in step with `log` (one job at a time; a failed job is tried again next call). */
  private sync(): Promise<void> {
    this.syncing ??= this.doSync().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    const generation = await this.opts.transport.open();
    if (generation === this.generation && this.synced) return;
    if (generation !== this.generation) {
      const start: StartResponse = validate(StartResponseSchema, await this.send({ type: 'start', session_id: this.opts.sessionId }), `start answer from agent ${this.opts.transport.display}`);
      this.agentSessionId = start.session_id;
      this.saveRestore = start.save_restore === true;
      if (start.max_message_size !== undefined) this.maxMessageSize = start.max_message_size;
      this.generation = generation;
      this.synced = this.log.length === 0;
      if (this.synced) return;
    } else {
      await this.send({ type: 'reset', session_id: this.agentSessionId });
    }
    const from = await this.restoreCheckpoint();
    for (let i = from; i < this.log.length; i++) {
      const e = this.log[i]!;
      await this.send({ type: 'prefill', session_id: this.agentSessionId, message: e.message, reply: e.reply, test_id: 'replay', turn_id: i });
    }
    this.synced = true;
  }

  /** Restores the checkpoint when it holds a prefix of `log`; returns the exchanges it covers (0 without one). */
  private async restoreCheckpoint(): Promise<number> {
    const file = join(this.opts.stateDir, CHECKPOINT_FILE);
    if (!this.saveRestore || !existsSync(file)) return 0;
    let saved: { exchanges: Exchange[]; state: unknown };
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as typeof saved;
    } catch {
      return 0;
    }
    const n = saved.exchanges.length;
    if (n > this.log.length || saved.exchanges.some((e, i) => e.message !== this.log[i]!.message || e.reply !== this.log[i]!.reply)) return 0;
    await this.send({ type: 'restore', session_id: this.agentSessionId, state: saved.state });
    this.savedAt = n;
    return n;
  }

  /** Saves the session before the next message, so the checkpoint never holds a turn the run did not record. */
  private async checkpoint(signal: AbortSignal): Promise<void> {
    const raw = await this.opts.transport.call({ type: 'save', session_id: this.agentSessionId }, { signal, trace: traceCarrier() });
    const { state } = validate(SaveResponseSchema, raw, `save answer from agent ${this.opts.transport.display}`);
    mkdirSync(this.opts.stateDir, { recursive: true });
    const file = join(this.opts.stateDir, CHECKPOINT_FILE);
    // Issue 24: the checkpoint is an artifact of the run directory: no secret in it.
    writeFileSync(`${file}.tmp`, redact(JSON.stringify({ exchanges: this.log, state })));
    renameSync(`${file}.tmp`, file);
    this.savedAt = this.log.length;
  }

  /** A call outside a turn, under its own time limit. */
  private send(request: AgentRequest): Promise<unknown> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.opts.callTimeoutMs), this.opts.closing]);
    return this.opts.transport.call(request, { signal, trace: traceCarrier() });
  }
}

/** `traceparent` (and `tracestate`) of the active span: Referee's turn span during a turn. */
function traceCarrier(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

function validate<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, raw: unknown, what: string): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  throw new CallError('malformed', `${what}: field ${field}: ${issue?.message ?? 'invalid'}`);
}

function toAgentReply(answer: ReplyResponse, wallMs: number, ttftMs: number | undefined): AgentReply {
  const t = answer.timings;
  const reply: AgentReply = {
    text: answer.text,
    timings: {
      llmMs: t?.llm_ms ?? wallMs,
      storageMs: t?.storage_ms ?? 0,
      ...((t?.ttft_ms ?? ttftMs) !== undefined ? { ttftMs: (t?.ttft_ms ?? ttftMs)! } : {}),
    },
  };
  // Untrusted and unbounded: cut at the boundary, whatever kind of run reads it (seed 001's 50 KB).
  if (answer.metadata) reply.metadata = sanitizeMetadata(answer.metadata);
  const u = answer.usage;
  if (u) {
    reply.usage = { inputTokens: u.input_tokens, outputTokens: u.output_tokens, ...(u.reasoning_tokens !== undefined ? { reasoningTokens: u.reasoning_tokens } : {}) };
    if (u.cost_usd !== undefined) reply.costUsd = u.cost_usd;
  }
  return reply;
}

/** Settles with `promise`, or rejects with the signal's reason when it aborts first (the promise runs on). */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
