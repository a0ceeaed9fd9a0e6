import { writeFileAtomic } from '../artifacts/run-dir-writer.js';
import { join } from 'node:path';
import { readRunDir, type RunDirContents } from '../artifacts/run-dir-reader.js';
import type { MatchResult } from '../match/schemas.js';
import { matchReportData, singleReportData } from './report-data.js';
import { renderReportHtml } from './render.js';
import { redact } from '../events/secrets.js';

export const RUN_REPORT_FILE = 'report.html';
export const COMPARISON_REPORT_FILE = 'comparison_report.html';

/** Writes `<runDir>/report.html` from what the run directory holds; returns its path. */
export function writeRunReport(runDir: string, run: RunDirContents = readRunDir(runDir)): string {
  const file = join(runDir, RUN_REPORT_FILE);
  // issue 14: the one redaction, as in every file of the run.
  // Issue 24: atomic, so a full disk leaves no 0-byte report.html.
  writeFileAtomic(file, redact(renderReportHtml(singleReportData(run))));
  return file;
}

/** Writes the comparison report of a match (or of two past runs) to `file`. */
export function writeComparisonReport(file: string, match: MatchResult, champion: RunDirContents, challenger: RunDirContents): string {
  writeFileAtomic(file, redact(renderReportHtml(matchReportData(match, champion, challenger))));
  return file;
}
