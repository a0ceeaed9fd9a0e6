/**
 * The stall watchdog (seed 000 3.3, issue 4). Nothing for `thresholdMs` (no
 * turn started or ended, no token streamed, no retry) means a warning on
 * stderr, `run_error.json` with the stalled turns and the last progress
 * snapshot, and a `stall` notice (event, metric, progress line). The run is
 * left alone: when activity resumes a `stall_cleared` notice follows.
 */
import { join } from 'node:path';
import { writeJsonAtomic } from '../artifacts/run-dir-writer.js';
import type { RunError } from '../artifacts/schemas.js';
import type { ProgressSnapshot, Reporter, RunStartInfo, TurnStep } from '../events/index.js';

export interface WatchdogOptions {
  /** Inactivity that counts as a stall (the agent config's `timeouts.stall_s`). */
  thresholdMs: number;
  runDir: string;
  runId: string;
  /** Sends a notice to every reporter (the runner's `onNotice`). */
  notify: (kind: 'stall' | 'stall_cleared', message: string, data: Record<string, unknown>) => void | Promise<void>;
  snapshot: () => ProgressSnapshot;
  /** Where the warning goes. @default process.stderr */
  stream?: NodeJS.WritableStream;
}

interface InFlight {
  lane: number;
  test_id: string;
  turn_id: number;
  since: string;
}

export class StallWatchdog implements Reporter {
  private lastActivity = Date.now();
  private stalledSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Map<number, InFlight>();
  private lastError: RunError | undefined;

  constructor(private readonly options: WatchdogOptions) {}

  onRunStart(_info: RunStartInfo): void {
    this.touch();
    // Checked at a quarter of the threshold (at most every 5 s), so a stall is reported within 25 % of it.
    const every = Math.max(50, Math.min(5000, this.options.thresholdMs / 4));
    this.timer = setInterval(() => this.check(), every);
    this.timer.unref();
  }

  onTurnStart(step: TurnStep): void {
    this.inFlight.set(step.lane, { lane: step.lane, test_id: step.testId, turn_id: step.turnId, since: new Date().toISOString() });
    this.touch();
  }

  onToken(): void {
    this.lastActivity = Date.now();
    if (this.stalledSince !== undefined) this.touch();
  }

  onTurnEnd(info: { step: TurnStep }): void {
    this.inFlight.delete(info.step.lane);
    this.touch();
  }

  onNotice(kind: string): void {
    // A retry is activity: a 429 storm must not look like a hang.
    if (kind === 'retry') this.touch();
  }

  onRunEnd(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Runs one check now (the timer does this on its own). */
  check(now: number = Date.now()): void {
    const idle = now - this.lastActivity;
    if (this.stalledSince !== undefined || idle < this.options.thresholdMs) return;
    this.stalledSince = this.lastActivity;
    const stalled = [...this.inFlight.values()];
    const where = stalled.length
      ? stalled.map((s) => `${s.test_id} turn ${s.turn_id} (lane ${s.lane})`).join(', ')
      : 'no turn in flight';
    const message = `stalled: no progress for ${formatSeconds(idle)}, waiting on ${where}`;
    const progress = this.options.snapshot();
    this.lastError = {
      run_id: this.options.runId,
      reason: 'stall',
      message,
      at: new Date(now).toISOString(),
      threshold_s: this.options.thresholdMs / 1000,
      idle_s: Math.round(idle / 100) / 10,
      stalled,
      progress: { ...progress },
    };
    const file = join(this.options.runDir, 'run_error.json');
    try {
      writeJsonAtomic(file, this.lastError);
    } catch (err) {
      (this.options.stream ?? process.stderr).write(`referee: warning: could not write ${file}: ${(err as Error).message}\n`);
    }
    (this.options.stream ?? process.stderr).write(`referee: warning: ${message}; wrote ${file}\n`);
    this.send('stall', message, { idle_s: this.lastError.idle_s, threshold_s: this.lastError.threshold_s, stalled, turns_done: progress.turnsDone });
  }

  private touch(): void {
    this.lastActivity = Date.now();
    if (this.stalledSince === undefined) return;
    const stalledMs = this.lastActivity - this.stalledSince;
    this.stalledSince = undefined;
    if (this.lastError) {
      this.lastError = { ...this.lastError, cleared_at: new Date().toISOString() };
      try {
        writeJsonAtomic(join(this.options.runDir, 'run_error.json'), this.lastError);
      } catch {
        // The warning already went out; the clearing is a nicety.
      }
    }
    this.send('stall_cleared', `stall cleared after ${formatSeconds(stalledMs)}`, { stalled_s: Math.round(stalledMs / 100) / 10 });
  }

  private send(kind: 'stall' | 'stall_cleared', message: string, data: Record<string, unknown>): void {
    Promise.resolve(this.options.notify(kind, message, data)).catch((err: unknown) => {
      (this.options.stream ?? process.stderr).write(`referee: warning: could not report ${kind}: ${(err as Error).message}\n`);
    });
  }
}

/** Writes `run_error.json` for a run that failed outright (DESIGN.md: "or on a fatal error"). */
export function writeFailureReport(runDir: string, runId: string, err: unknown, progress: ProgressSnapshot): void {
  const report: RunError = {
    run_id: runId,
    reason: 'failed',
    message: err instanceof Error ? err.message : String(err),
    at: new Date().toISOString(),
    progress: { ...progress },
  };
  try {
    writeJsonAtomic(join(runDir, 'run_error.json'), report);
  } catch {
    // The error itself is reported by the CLI; this file is a diagnostic extra.
  }
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${Math.round(s * 10) / 10} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}
