/**
 * The one CLI path around a run, whatever its plan (an LTM run or a match side, a task run, a
 * suite of either kind, a shard, each fresh or resumed): the process-level parts (telemetry,
 * Ctrl-C, the link to a match parent, the --monitor server), then the run's ending on the
 * terminal and its exit code. What a run prints at its end and how it exits is decided here only.
 */
import { dirname, join } from 'node:path';
import type { RunMeta } from '../artifacts/schemas.js';
import type { RunFlags } from '../config/run-options.js';
import { EXIT } from '../exit-codes.js';
import { linkToMatchParent } from '../match/child-link.js';
import type { MonitorHub } from '../monitor/hub.js';
import { lingerMonitor, runEnded, runsStartedSinceEnded } from '../monitor/linger.js';
import type { MonitorServer } from '../monitor/server.js';
import { exitCodeFor, isIncomplete } from '../runner/run-ending.js';
import type { RunResult } from '../runner/run-plan.js';
import { startTelemetry, type TelemetryHandle, type TelemetryOptions } from '../telemetry/setup.js';
import { incompleteNotice } from './progress.js';
import { namedStats, printRunEnding, type RunEndingOutput } from './run-ending-output.js';
import { monitorIfAsked } from './run-reporters.js';
import { abortOnInterrupt, untilInterrupted } from './signals.js';

/** What a run's body gets from its process. */
export interface RunProcess {
  /** The one provider of this process, started before any span (seed 000 3.5). */
  telemetry: TelemetryHandle;
  /** Aborted by Ctrl-C or SIGTERM, and by a match parent that asks or goes away. */
  signal: AbortSignal;
}

/** How a run (or a suite of runs) ended: what its ending prints and its exit code come from. */
export interface RunOutcome {
  status: RunMeta['status'];
  /** issue 22: finished with tests not answered and no --max-failed-turns (isIncomplete): exit 5, with a notice. */
  incomplete: boolean;
  testsErrored: number;
  ending: RunEndingOutput;
  /** What stdout gets instead of the path (a suite's matrix), --json aside. */
  stdoutLines?: string[];
  /** When the monitor has all of it: one run's `run_end`; left out, that of every run started since the monitor. */
  ended?: (hub: MonitorHub) => boolean;
}

/** What the process exits with, and what the monitor waits for and says. */
export interface ExitOutcome {
  code: number;
  status: string;
  ended?: (hub: MonitorHub) => boolean;
}

/**
 * Runs `body` with telemetry, Ctrl-C and a match parent's link, then prints its ending and maps
 * its exit code. A match side (--role) prints its run directory only: its parent reads it and
 * prints the match's own ending.
 */
export async function runProcess(flags: RunFlags, telemetryOptions: TelemetryOptions, body: (p: RunProcess) => Promise<RunOutcome>): Promise<ExitOutcome> {
  const telemetry = startTelemetry(telemetryOptions);
  const { abort, dispose: stopListening } = abortOnInterrupt();
  const unlinkParent = linkToMatchParent((why) => {
    if (!abort.signal.aborted) abort.abort(new Error(why));
  });
  try {
    const outcome = await body({ telemetry, signal: abort.signal });
    if (flags.role) process.stdout.write(`${outcome.ending.path}\n`);
    else printRunEnding(outcome.ending, { json: flags.json, quiet: flags.quiet, ...(outcome.stdoutLines ? { stdoutLines: outcome.stdoutLines } : {}) });
    if (outcome.incomplete && !flags.json) process.stderr.write(`[referee] ${incompleteNotice(outcome.testsErrored)}\n`);
    return { code: exitCodeFor(outcome.status, outcome.incomplete), status: outcome.status, ...(outcome.ended ? { ended: outcome.ended } : {}) };
  } finally {
    // Ctrl-C from here on stops the monitor's linger, it no longer interrupts a run.
    stopListening();
    unlinkParent();
    await telemetry.shutdown(5000);
  }
}

/** One run's outcome: its directory and report, runstats.json's figures; the monitor waits for its `run_end`. */
export function runOutcome(kind: 'ltm' | 'tasks', r: RunResult): RunOutcome {
  return {
    status: r.status,
    incomplete: r.incomplete,
    testsErrored: r.stats.tests_errored ?? 0,
    ending: { kind, status: r.status, path: r.runDir, report: join(r.runDir, 'report.html'), runsDir: dirname(r.runDir), summary: { stats: namedStats(r.stats) } },
    ended: runEnded(r.runId),
  };
}

/**
 * A suite's outcome from its runs: interrupted when stopped, else the first run that did not
 * finish decides, and tests not answered in any run flag it as they would one run.
 */
export function outcomeOfRuns(
  runs: { status: string; errored?: number }[],
  aborted: boolean,
  maxFailedTurns: number | undefined,
): Pick<RunOutcome, 'status' | 'incomplete' | 'testsErrored'> {
  const unfinished = runs.find((r) => r.status !== 'finished');
  const status = aborted ? 'interrupted' : ((unfinished?.status ?? 'finished') as RunMeta['status']);
  const testsErrored = runs.reduce((n, r) => n + (r.errored ?? 0), 0);
  return { status, incomplete: isIncomplete(status, testsErrored, maxFailedTurns), testsErrored };
}

/** issue 16: a suite's one provider; each of its runs opens only its own run's JSONL files. */
export function perRunTelemetry(telemetry: TelemetryHandle): <T>(run: { runId: string; runDir: string }, body: () => Promise<T>) => Promise<T> {
  return async (run, body) => {
    telemetry.openRun({ runId: run.runId, runDir: run.runDir });
    try {
      return await body();
    } finally {
      await telemetry.closeRun(run.runId);
    }
  };
}

/**
 * issue 13 and 17: --monitor works for every kind of run (LTM, task, suite and match, fresh or
 * resumed): one monitor over the output root, started before the run, and after it flushed to
 * the page and kept serving at a terminal (a flag is never silently ignored). A body that
 * returns only an exit code, or no `ended`, is waited for by every run that started since.
 */
export async function withRunMonitor(flags: RunFlags, outputDir: string, body: () => Promise<number | ExitOutcome>): Promise<number> {
  const since = Date.now();
  const monitor = await monitorIfAsked(flags, outputDir);
  const outcomeOf = (r: number | ExitOutcome): Required<ExitOutcome> =>
    typeof r === 'number'
      ? { code: r, status: r === EXIT.interrupted ? 'interrupted' : r === EXIT.ok ? 'finished' : 'failed', ended: runsStartedSinceEnded(since) }
      : { ended: runsStartedSinceEnded(since), ...r };
  if (!monitor) return outcomeOf(await body()).code;
  try {
    const outcome = outcomeOf(await body());
    await lingerAfterRun(monitor, outcome.ended, outcome.status);
    return outcome.code;
  } finally {
    await monitor.close();
  }
}

/**
 * issue 17: the monitor shows the finished run: it flushes the last events to the page,
 * and at a terminal it keeps serving until Ctrl-C (a script's run exits once flushed).
 */
async function lingerAfterRun(monitor: MonitorServer, done: (hub: MonitorHub) => boolean, status: string): Promise<void> {
  const interactive = process.stdout.isTTY === true && process.stdin.isTTY === true && status !== 'interrupted';
  if (interactive) process.stderr.write(`[referee] monitor: run ${status}; still serving ${monitor.url} (Ctrl-C to stop)\n`);
  await lingerMonitor(monitor, done, interactive ? { until: untilInterrupted() } : {});
}
