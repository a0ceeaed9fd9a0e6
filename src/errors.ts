/**
 * Typed errors with stable codes (STYLE.md 3). Deep code throws these; only the
 * CLI turns them into a one-line message and an exit code.
 */
import type { ContextOverflow } from './agents/llm/context-errors.js';
import { EXIT } from './exit-codes.js';

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'OVERRIDE_INVALID'
  | 'DATASET_INVALID'
  | 'DATASET_MISMATCH'
  | 'AGENT_ERROR'
  | 'RUN_DIR_INVALID'
  | 'OUTPUT_UNWRITABLE'
  // issue 3: the native telemetry stack and replay
  | 'STACK_UNAVAILABLE'
  | 'REPLAY_FAILED';

export class RefereeError extends Error {
  readonly code: ErrorCode;
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options?.exitCode ?? EXIT.usage;
  }
}

export class ConfigError extends RefereeError {}
export class DatasetError extends RefereeError {}
export class AgentError extends RefereeError {}
export class RunDirError extends RefereeError {}
/** The native collector/Phoenix/Prometheus stack could not be built or started (issue 3). */
export class StackError extends RefereeError {}

/** Errors a single LLM/agent call can end with; `reason` lands in turn_metrics.jsonl. */
export class CallError extends Error {
  readonly reason: 'timeout' | 'http' | 'connection' | 'malformed' | 'aborted';
  readonly status?: number;
  readonly retryAfterMs?: number;
  /** issue 22: the server said the prompt does not fit its context window (see agents/llm/context-errors.ts). */
  readonly contextOverflow?: ContextOverflow;
  constructor(
    reason: CallError['reason'],
    message: string,
    options?: { status?: number; retryAfterMs?: number; contextOverflow?: ContextOverflow; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CallError';
    this.reason = reason;
    if (options?.status !== undefined) this.status = options.status;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options?.contextOverflow !== undefined) this.contextOverflow = options.contextOverflow;
  }
}
