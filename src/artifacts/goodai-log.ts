/**
 * GoodAI's human-readable log lines (issue 12), as its `runner/master_log.py`
 * writes them into a result's `task_log` and `full_log`, so that its
 * `reporting/` and `evaluate.py` read Referee's results unmodified:
 * `Test (%Y-%m-%d %H:%M:%S.%f): msg`, `Agent (...): msg`, `System (...): msg`
 * for filler, and `SYSTEM (...): ...` lines for the scheduler's events.
 */
import { MasterLogType } from './schemas.js';

/** Python's `str(datetime)` with the microseconds always written (GoodAI's readers require six digits). Times are UTC. */
export function pyDatetime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-01T09:00:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${iso.slice(20, 23)}000`;
}

/** Python's `str(timedelta)` for whole seconds: `1:30:00`, `2 days, 0:00:05`. */
export function pyTimedelta(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const rest = seconds - days * 86400;
  const hms = `${Math.floor(rest / 3600)}:${String(Math.floor((rest % 3600) / 60)).padStart(2, '0')}:${String(rest % 60).padStart(2, '0')}`;
  return days > 0 ? `${days} day${days === 1 ? '' : 's'}, ${hms}` : hms;
}

/** One master_log event, as the writer records it. */
export interface LogEvent {
  type: number;
  ms: number;
  /** GoodAI's test id (`Colours - 0`), `` for filler. */
  testId: string;
  message?: string;
  tokens?: number;
  time?: number;
  isQuestion?: boolean;
  /** An LLM_CALL's reply. */
  response?: string;
}

/** The sender of a message event in `messages()` (task_log): `Test`, `System` (filler) or `Agent`. */
function messageSender(type: number): string | undefined {
  if (type === MasterLogType.SEND_MESSAGE) return 'Test';
  if (type === MasterLogType.SEND_FILL) return 'System';
  if (type === MasterLogType.RESPONSE_MESSAGE || type === MasterLogType.RESPONSE_FILL) return 'Agent';
  return undefined;
}

/** A message event as a `task_log` line; undefined for other events. */
export function taskLogLine(e: LogEvent): string | undefined {
  const sender = messageSender(e.type);
  return sender === undefined ? undefined : `${sender} (${pyDatetime(e.ms)}): ${e.message ?? ''}`;
}

/** Any event as GoodAI's `human_readable_full_log` line. */
export function fullLogLine(e: LogEvent): string | undefined {
  const at = pyDatetime(e.ms);
  const message = taskLogLine(e);
  if (message !== undefined) return message;
  switch (e.type) {
    case MasterLogType.WAIT: {
      const cond: string[] = [];
      if ((e.tokens ?? 0) > 0) cond.push(`${e.tokens} TOKENS`);
      if ((e.time ?? 0) % 86400 > 0) cond.push(`${pyTimedelta(e.time!)} TIME`);
      return `SYSTEM (${at}): Test '${e.testId}' WAITING for ${cond.join(', ')}.`;
    }
    case MasterLogType.BEGIN:
      return `SYSTEM (${at}): Test '${e.testId}' BEGINS`;
    case MasterLogType.END:
      return `SYSTEM (${at}): Test '${e.testId}' ENDS`;
    case MasterLogType.SUITE_RESET:
      return `SYSTEM (${at}):  Suite was RESET`;
    case MasterLogType.LLM_CALL:
      return `SYSTEM (${at}): Test '${e.testId}' CALLS an LLM. Response:\n${e.response ?? ''}`;
    case MasterLogType.REGISTER_CALLBACK:
      return `SYSTEM (${at}): Test '${e.testId}' REGISTERS a callback.`;
    case MasterLogType.DEREGISTER_CALLBACK:
      return `SYSTEM (${at}): Test '${e.testId}' DEREGISTERS a callback.`;
    default:
      return undefined;
  }
}

/**
 * The events an open test's result will need: GoodAI's `full_log` runs from
 * the test's first message to its end, through everything else sent
 * meanwhile. Events no open test needs are dropped, so memory stays bounded
 * by the longest open test, not the run.
 */
export class GoodaiLogBuffer {
  private events: LogEvent[] = [];
  private base = 0;
  /** test id → absolute index of its first message. */
  private readonly starts = new Map<string, number>();

  add(e: LogEvent): void {
    if (e.type === MasterLogType.SEND_MESSAGE && e.testId !== '' && !this.starts.has(e.testId)) this.starts.set(e.testId, this.base + this.events.length);
    if (this.starts.size > 0) this.events.push(e);
  }

  /** The test's result logs, and forgets it. A callback test's task_log runs on past its question through every message (GoodAI's `messages_past_question`). */
  take(testId: string, usesCallback: boolean): { taskLog: string[]; fullLog: string[] } {
    const start = this.starts.get(testId);
    this.starts.delete(testId);
    const events = start === undefined ? [] : this.events.slice(start - this.base);
    const fullLog = events.map(fullLogLine).filter((l): l is string => l !== undefined);
    const taskLog: string[] = [];
    let past = false;
    for (const e of events) {
      const line = taskLogLine(e);
      if (line === undefined || (!past && e.testId !== testId)) continue;
      taskLog.push(line);
      if (usesCallback && e.isQuestion === true) past = true;
    }
    this.trim();
    return { taskLog, fullLog };
  }

  private trim(): void {
    const keepFrom = this.starts.size === 0 ? this.base + this.events.length : Math.min(...this.starts.values());
    this.events = this.events.slice(keepFrom - this.base);
    this.base = keepFrom;
  }
}
