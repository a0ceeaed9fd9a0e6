/**
 * issue 15: how a protocol request reaches the agent. The session logic
 * (protocol-agent.ts) is the same for both transports; only this differs.
 */
import type { AgentRequest } from './schemas.js';

export interface CallOptions {
  signal: AbortSignal;
  /** W3C trace context of Referee's span for this call (`traceparent`, maybe `tracestate`). */
  trace: Record<string, string>;
  /** Streamed reply pieces, when the agent streams. */
  onToken?: (delta: string) => void;
}

export interface Transport {
  /** Shown in errors: the URL without credentials, or the command. */
  readonly display: string;
  /**
   * Makes the agent reachable (a stdio transport starts its process) and
   * returns its generation: a different number than before means the agent
   * was restarted and has lost every session.
   */
  open(): Promise<number>;
  /** The generation now reachable without starting anything; -1 when none is (a stdio agent not running). */
  liveGeneration(): number;
  /** Sends one request and resolves with the agent's JSON answer (not yet validated). Throws CallError. */
  call(request: AgentRequest, options: CallOptions): Promise<unknown>;
  close(): Promise<void>;
}
