/**
 * Honest endings (issue 13), one rule for every kind of run: a run whose
 * share of failed turns exceeds `maxFailedTurns` (by default: one in which
 * every turn failed, such as a dead endpoint) is `failed`, exits 4 and is kept
 * out of benchmark_history.jsonl (seed 003); an interrupted one is
 * `interrupted` (exit 130). Issue 22: a finished run with tests not answered is
 * incomplete (exit 5, no history line) unless --max-failed-turns was given.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { JsonlWriter } from '../artifacts/jsonl-writer.js';
import { finalMeta, releaseSpaceReserve, writeJsonAtomic } from '../artifacts/run-dir-writer.js';
import type { RunMeta } from '../artifacts/schemas.js';
import { killPoint } from '../kill-point.js';
import { writeRunReport } from '../report/write.js';
import type { ProgressSnapshot } from '../events/reporter.js';
import { EXIT } from '../exit-codes.js';

/** Exit code of a run that ended `failed` (too many failed turns). */
export const EXIT_RUN_FAILED = EXIT.runFailed;
/** Exit code of a run stopped by Ctrl-C or SIGTERM. */
export const EXIT_INTERRUPTED = EXIT.interrupted;

/**
 * The status a run that was not thrown out of ends with. `maxFailedTurns`
 * is a share, 0..1; at its default of 1 only a run in which every turn failed
 * is failed.
 */
export function endingStatus(aborted: boolean, progress: Pick<ProgressSnapshot, 'turnsDone' | 'turnsFailed' | 'turnsPrefilled'>, maxFailedTurns = 1): RunMeta['status'] {
  if (aborted) return 'interrupted';
  // issue 12: a pre-filled filler turn makes no call, so it cannot vouch for a dead endpoint.
  const turnsDone = progress.turnsDone - (progress.turnsPrefilled ?? 0);
  const { turnsFailed } = progress;
  if (turnsDone === 0 || turnsFailed === 0) return 'finished';
  const share = turnsFailed / turnsDone;
  return share > maxFailedTurns || turnsFailed === turnsDone ? 'failed' : 'finished';
}

/**
 * issue 22: a finished run in which some tests were not answered (a scored turn failed for
 * infrastructure reasons: HTTP error, timeout, overflow after retries) is flagged: its score is
 * not the agent's alone. By default (no --max-failed-turns given) it exits 5 and is kept out of
 * benchmark_history.jsonl; a user who gives --max-failed-turns has set the tolerance themselves,
 * and only that share decides (exit 4 above it).
 */
export function isIncomplete(status: RunMeta['status'], testsErrored: number | undefined, maxFailedTurns: number | undefined): boolean {
  return status === 'finished' && (testsErrored ?? 0) > 0 && maxFailedTurns === undefined;
}

/** Whether a run's line belongs in benchmark_history.jsonl: finished and interrupted runs do, failed (and, issue 22, incomplete) ones do not. */
export function belongsInHistory(status: RunMeta['status'], incomplete = false): boolean {
  return status !== 'failed' && !incomplete;
}

/** The process exit code for a run that ended with `status` (issue 22: `incomplete`, see isIncomplete). */
export function exitCodeFor(status: RunMeta['status'], incomplete = false): number {
  if (status === 'finished') return incomplete ? EXIT.testsErrored : EXIT.ok;
  if (status === 'interrupted') return EXIT_INTERRUPTED;
  return EXIT_RUN_FAILED;
}

/**
 * Appends the run's benchmark_history.jsonl line. Issue 24: `once` (an ending completed by
 * `--resume`) skips a line already there for this run and ending (`run_id`, or a match's `match_id`,
 * and `finished_at`), so a kill between the append and run.json's final status never makes two.
 * A failure throws, naming the file: the ending stays recorded as under way, for `--resume` to
 * complete.
 */
export function appendHistory(outputDir: string, line: Record<string, unknown>, options: { once?: boolean } = {}): void {
  const file = join(outputDir, 'benchmark_history.jsonl');
  if (options.once && historyHolds(file, line)) return;
  new JsonlWriter(file).writeOnce(line);
}

function historyHolds(file: string, line: Record<string, unknown>): boolean {
  if (!existsSync(file)) return false;
  // A match's line is named by its match_id (its sides' run ids sit under champion and challenger).
  const key = 'run_id' in line ? 'run_id' : 'match_id';
  const id = JSON.stringify(line[key]);
  const at = JSON.stringify(line['finished_at']);
  // Cheap first: only lines naming both are parsed.
  return readFileSync(file, 'utf8')
    .split('\n')
    .some((l) => {
      if (!l.includes(id) || !l.includes(at)) return false;
      try {
        const h = JSON.parse(l) as Record<string, unknown>;
        return h[key] === line[key] && h['finished_at'] === line['finished_at'];
      } catch {
        return false;
      }
    });
}

/**
 * Issue 24: the rest of an ending a kill cut short. run.json records the ending (`ending`, status
 * `running`): runstats.json and the last events are on disk; report.html and the history line may not
 * be. Writes the report again, the history line unless it is there, then run.json's final status.
 * Returns run.json as it now is.
 */
export function completeEnding(runDir: string, meta: RunMeta & Record<string, unknown>): RunMeta & Record<string, unknown> {
  const ending = meta.ending;
  if (!ending) return meta;
  writeRunReport(runDir);
  killPoint('ending:report');
  if (ending.history) appendHistory(dirname(runDir), ending.history, { once: true });
  killPoint('ending:history');
  const done = finalMeta(meta);
  writeJsonAtomic(join(runDir, 'run.json'), done);
  releaseSpaceReserve(runDir);
  return done;
}
