/**
 * issue 15, `kind: stdio`: the protocol as JSON lines over a child process.
 * One process serves every session of a run (requests carry `session_id` and
 * an `id` that its answer repeats). Referee starts it on first use, starts it
 * again after it dies or after a call to it times out (a hung agent would
 * hang every later call too), and at the end closes its stdin and kills its
 * process group. Its stderr goes to a log file in the run directory.
 */
import { StreamRedactor } from '../../events/secrets.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { CallError } from '../../errors.js';
import { toCallError } from '../llm/openai-client.js';
import { agentFailure, preview } from './http-transport.js';
import { StdioLineSchema, type AgentRequest } from './schemas.js';
import type { CallOptions, Transport } from './transport.js';

export interface StdioTransportOptions {
  command: string;
  args: string[];
  cwd?: string;
  /** The child's whole environment (already expanded); never recorded anywhere. */
  env: Record<string, string>;
  /** Where the child's stderr is appended; resolved when the process first starts. */
  stderrLog: () => string;
  /** Grace for a clean exit after stdin closes, before the group is killed. @default 2000 */
  exitGraceMs?: number;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: CallError) => void;
  onToken?: ((delta: string) => void) | undefined;
}

interface Live {
  child: ChildProcess;
  generation: number;
  exited: Promise<void>;
  /** stdout lines read so far, for error messages that name the line. */
  lines: number;
  /** Whether anything at all came on stdout: a silent child is most likely buffering it (issue 21). */
  heard: boolean;
  buffer: string;
  /** Calls waiting for this process's answer; a restart fails only its own. */
  pending: Map<number, Pending>;
}

export class StdioTransport implements Transport {
  readonly display: string;
  private live: Live | undefined;
  private generation = 0;
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: StdioTransportOptions) {
    this.display = `'${[opts.command, ...opts.args].join(' ')}'`;
  }

  open(): Promise<number> {
    if (this.closed) return Promise.reject(new CallError('aborted', `stdio agent ${this.display} was closed`));
    return Promise.resolve((this.live ?? this.start()).generation);
  }

  liveGeneration(): number {
    return this.live?.generation ?? -1;
  }

  call(request: AgentRequest, options: CallOptions): Promise<unknown> {
    if (this.closed && !this.live) return Promise.reject(new CallError('aborted', `stdio agent ${this.display} was closed`));
    const live = this.live ?? this.start();
    const id = this.nextId++;
    const line = `${JSON.stringify({ id, ...request, ...options.trace })}\n`;
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = (): void => {
        live.pending.delete(id);
        const err = toCallError(options.signal.reason, options.signal, `stdio agent ${this.display}`);
        // A hung child would hang every later call: start a fresh one for them.
        if (err.reason === 'timeout') this.kill(live);
        reject(err.reason === 'timeout' && !live.heard ? silentHint(err) : err);
      };
      if (options.signal.aborted) return onAbort();
      options.signal.addEventListener('abort', onAbort, { once: true });
      const done = <T>(fn: (v: T) => void) => (v: T): void => {
        options.signal.removeEventListener('abort', onAbort);
        live.pending.delete(id);
        fn(v);
      };
      live.pending.set(id, { resolve: done(resolve), reject: done(reject), onToken: options.onToken });
      live.child.stdin?.write(line);
    });
  }

  private start(): Live {
    const log = this.opts.stderrLog();
    mkdirSync(dirname(log), { recursive: true });
    const fd = openSync(log, 'a');
    let child: ChildProcess;
    try {
      // detached: the child leads its own process group, so the whole group can be killed at the end.
      child = spawn(this.opts.command, this.opts.args, { cwd: this.opts.cwd, env: this.opts.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    // Issue 24: the child's stderr reaches its log through the redaction (a secret split across two writes included).
    const redactor = new StreamRedactor();
    const append = (text: string): void => {
      try {
        if (text) writeSync(fd, text);
      } catch {
        // The log is a diagnostic: a full disk must not fail the agent's calls.
      }
    };
    child.stderr?.on('data', (d: Buffer) => append(redactor.push(d.toString('utf8'))));
    child.stderr?.once('close', () => {
      append(redactor.end());
      closeSync(fd);
    });
    const live: Live = { child, generation: ++this.generation, lines: 0, heard: false, buffer: '', pending: new Map(), exited: Promise.resolve() };
    live.exited = new Promise<void>((resolve) => {
      child.once('close', (code, signal) => {
        if (this.live === live) this.live = undefined;
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        failAll(live, new CallError('connection', `stdio agent ${this.display} ${how}; its stderr is in ${log}`));
        resolve();
      });
    });
    child.once('error', (err) => {
      if (this.live === live) this.live = undefined;
      failAll(live, new CallError('connection', `stdio agent ${this.display} could not run: ${err.message}`, { cause: err }));
    });
    child.stdin?.on('error', () => undefined); // EPIPE after a crash: the 'close' handler reports it
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.onData(live, chunk));
    this.live = live;
    return live;
  }

  private onData(live: Live, chunk: string): void {
    live.heard = true;
    live.buffer += chunk;
    let nl: number;
    while ((nl = live.buffer.indexOf('\n')) !== -1) {
      const text = live.buffer.slice(0, nl).replace(/\r$/, '');
      live.buffer = live.buffer.slice(nl + 1);
      live.lines++;
      if (text.trim() === '') continue;
      if (!this.onLine(live, text)) return;
    }
  }

  /** Handles one stdout line; false (and the process killed) when it is not the protocol. */
  private onLine(live: Live, text: string): boolean {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const line = StdioLineSchema.safeParse(parsed);
    if (!line.success) {
      // Stdout is the protocol channel: after garbage nothing on it can be trusted.
      failAll(
        live,
        new CallError('malformed', `stdio agent ${this.display} wrote line ${live.lines} of its stdout, which is not a protocol message (logs belong on stderr): ${preview(text)}`),
      );
      this.kill(live);
      return false;
    }
    const msg = line.data;
    const waiter = live.pending.get(msg.id);
    if (!waiter) return true; // the answer to a call that already timed out
    if ('delta' in msg) {
      try {
        waiter.onToken?.(msg.delta);
      } catch {
        // A live-view callback never breaks a call.
      }
    } else if ('error' in msg) waiter.reject(agentFailure(msg.error, this.display));
    else waiter.resolve(msg.result);
    return true;
  }

  private kill(live: Live): void {
    if (this.live === live) this.live = undefined;
    signalGroup(live.child, 'SIGKILL');
    // Its pipes go too: a child the signal missed (it is gone from the group, say) must not keep this process alive.
    releasePipes(live.child);
  }

  async close(): Promise<void> {
    this.closed = true;
    const live = this.live;
    if (!live) return;
    live.child.stdin?.end();
    const grace = new Promise<void>((resolve) => setTimeout(resolve, this.opts.exitGraceMs ?? 2000).unref());
    await Promise.race([live.exited, grace]);
    // Whatever the agent started (a model server, workers) goes with it.
    signalGroup(live.child, 'SIGKILL');
    // A helper that left the group may still hold stdout open: do not wait on it for ever.
    await Promise.race([live.exited, new Promise<void>((resolve) => setTimeout(resolve, 1000).unref())]);
    releasePipes(live.child);
  }
}

/**
 * issue 21: a child that has written nothing on stdout when a call times out is,
 * most often, not hung but buffering: Python buffers a piped stdout until exit.
 */
export const SILENT_STDOUT_HINT = 'the agent wrote nothing on stdout: flush after each line, or run Python with `python -u`';

function silentHint(err: CallError): CallError {
  return new CallError(err.reason, `${err.message} (${SILENT_STDOUT_HINT})`, { cause: err });
}

function failAll(live: Live, err: CallError): void {
  for (const p of [...live.pending.values()]) p.reject(err);
  live.pending.clear();
}

/** The child's three pipes closed on our side, and the child no longer holds the event loop open. */
function releasePipes(child: ChildProcess): void {
  child.stdin?.destroy();
  child.stdout?.destroy();
  child.stderr?.destroy();
  child.unref();
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}
