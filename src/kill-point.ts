/**
 * Issue 24: named points of a run's ending where a test kills the process (`kill -9`), so that the
 * crash tests place their kill deterministically rather than by timing. `REFEREE_KILL_AT=<point>`
 * makes the process SIGKILL itself when it reaches that point; unset, a point costs one lookup.
 * Only tests set it.
 */
export type KillPoint =
  /** runstats.json and the run_end event are written; run.json does not yet record the ending. */
  | 'ending:stats'
  /** run.json records the ending (status still `running`); report.html is not written. */
  | 'ending:marked'
  /** report.html is written; the history line is not. */
  | 'ending:report'
  /** The history line is appended; run.json does not yet say the final status. */
  | 'ending:history'
  /** A suite's cell is in the matrix summary as `running`; its run has not started. */
  | 'suite:cell-started'
  /** A suite's cell has ended; the matrix summary does not yet hold it. */
  | 'suite:cell-ended'
  /** The matrix summary holds the ended cell; the next cell has not started. */
  | 'suite:cell-recorded'
  /** A match's champion (then its challenger) has ended; nothing of the match's ending is written. */
  | 'match:champion-ended'
  | 'match:challenger-ended'
  /** match_plan.json records the match's ending (status `running`); match.json is not written. */
  | 'match:marked'
  /** match.json (the comparison's metrics) is written; comparison_report.html is not. */
  | 'match:compared'
  /** comparison_report.html is written; the match's history line is not. */
  | 'match:report'
  /** The match's history line is appended; match_plan.json does not yet say the final status. */
  | 'match:history';

export function killPoint(point: KillPoint): void {
  if (process.env['REFEREE_KILL_AT'] === point) process.kill(process.pid, 'SIGKILL');
}
