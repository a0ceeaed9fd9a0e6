/**
 * Issue 24: a match's ending in one order, so that match_plan.json says the match ended only once
 * everything else is on disk: the ending recorded in match_plan.json (status `running`, with its
 * time, history line, the sides' exit codes and the problems seen), match.json, comparison_report.html,
 * the history line, then match_plan.json's final status. A kill -9 at any step leaves a match that
 * `--resume` completes from the recorded ending: the same match.json, one history line.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeJsonAtomic } from '../artifacts/run-dir-writer.js';
import type { RunDirContents } from '../artifacts/run-dir-reader.js';
import { killPoint } from '../kill-point.js';
import { COMPARISON_REPORT_FILE, writeComparisonReport } from '../report/write.js';
import { appendHistory } from '../runner/run-ending.js';
import { compareRunContents } from './compare.js';
import type { MatchResult } from './schemas.js';

/** What a match directory records of its start (issue 13), so a match whose parent died can be resumed. */
export const MATCH_PLAN_FILE = 'match_plan.json';

export type MatchStatus = 'finished' | 'interrupted' | 'failed';

export interface MatchEnding {
  status: MatchStatus;
  finished_at: string;
  /** What the parent saw of its sides (a crash, a hang, tests not answered): the first of match.json's problems. */
  problems: string[];
  /** Each side's exit code, champion first, as the match's own exit code is decided from them. */
  exit_codes: (number | null)[];
  /** The match's benchmark_history.jsonl line. */
  history: Record<string, unknown>;
}

/** match_plan.json as the ending reads and writes it: the plan, and what it records of the ending. */
export interface EndingPlan {
  match_id: string;
  status?: MatchStatus | 'running';
  finished_at?: string;
  ending?: MatchEnding;
}

/** A match is finished when both sides finished and were compared; interrupted and failed ones resume. */
export function matchStatus(interrupted: boolean, match: MatchResult | null): MatchStatus {
  if (interrupted) return 'interrupted';
  return match && match.champion.status === 'finished' && match.challenger.status === 'finished' ? 'finished' : 'failed';
}

/**
 * The ending a kill cut short, to complete as it was decided: only a finished match's (an interrupted
 * or failed one runs its sides again and decides anew).
 */
export function recordedEnding(plan: EndingPlan): MatchEnding | undefined {
  return plan.status === 'running' && plan.ending?.status === 'finished' ? plan.ending : undefined;
}

/** Whether the match directory's plan says its ending is complete and finished (`--resume` has nothing to do). */
export function matchFinished(matchDir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(matchDir, MATCH_PLAN_FILE), 'utf8')) as EndingPlan).status === 'finished';
  } catch {
    return false;
  }
}

/** The two sides compared, match.json as the ending writes it: stamped with the ending's time, so a completed ending writes it again the same. */
export function compareSides(a: RunDirContents, b: RunDirContents, matchId: string, ending: Pick<MatchEnding, 'problems' | 'finished_at'>): MatchResult {
  return { ...compareRunContents(a, b, { matchId, problems: [...ending.problems], allowDifferentDatasets: false }), created_at: ending.finished_at };
}

/**
 * Writes the ending's files in order (see the top of this file); a failed write throws naming its
 * file, and match_plan.json keeps the ending recorded for `--resume`.
 */
export function writeMatchEnding(
  matchDir: string,
  plan: EndingPlan,
  ending: MatchEnding,
  compared: { match: MatchResult; a: RunDirContents; b: RunDirContents } | null,
): { matchFile: string | null; reportFile: string | null } {
  const planFile = join(matchDir, MATCH_PLAN_FILE);
  const { ending: _earlier, status: _status, finished_at: _at, ...rest } = plan;
  writeJsonAtomic(planFile, { ...rest, status: 'running', ending });
  killPoint('match:marked');
  let matchFile: string | null = null;
  let reportFile: string | null = null;
  if (compared) {
    matchFile = join(matchDir, 'match.json');
    writeJsonAtomic(matchFile, compared.match);
    killPoint('match:compared');
    reportFile = writeComparisonReport(join(matchDir, COMPARISON_REPORT_FILE), compared.match, compared.a, compared.b);
    killPoint('match:report');
  }
  appendHistory(dirname(matchDir), ending.history, { once: true });
  killPoint('match:history');
  writeJsonAtomic(planFile, { ...rest, status: ending.status, finished_at: ending.finished_at });
  return { matchFile, reportFile };
}
