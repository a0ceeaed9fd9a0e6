/**
 * Honest endings (issue 13), one rule for every kind of run: a run whose
 * share of failed turns exceeds `maxFailedTurns` (by default: one in which
 * every turn failed, such as a dead endpoint) is `failed`, exits 4 and is kept
 * out of benchmark_history.jsonl (seed 003); an interrupted one is
 * `interrupted` (exit 130).
 */
import type { RunMeta } from '../artifacts/schemas.js';
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

/** Whether a run's line belongs in benchmark_history.jsonl: finished and interrupted runs do, failed ones do not. */
export function belongsInHistory(status: RunMeta['status']): boolean {
  return status !== 'failed';
}

/** The process exit code for a run that ended with `status`. */
export function exitCodeFor(status: RunMeta['status']): number {
  if (status === 'finished') return EXIT.ok;
  if (status === 'interrupted') return EXIT_INTERRUPTED;
  return EXIT_RUN_FAILED;
}
