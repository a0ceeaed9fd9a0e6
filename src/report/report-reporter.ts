import type { RunMeta, RunStats } from '../artifacts/schemas.js';
import type { Reporter, RunStartInfo } from '../runner/reporter.js';
import { writeRunReport } from './write.js';

/** An error of the file system (it carries an errno code: ENOSPC, EACCES, EIO ...), not of rendering. */
function isWriteFailure(err: unknown): boolean {
  return /^E[A-Z]+$/.test(String((err as NodeJS.ErrnoException | undefined)?.code ?? ''));
}

/**
 * Writes `report.html` into the run directory when a run ends (finished,
 * failed or interrupted), from the files the run directory writer has just
 * closed. A report that cannot be rendered is a warning, never a failed run; one that cannot be
 * written to disk fails the ending, which `--resume` completes (issue 24).
 */
export class HtmlReportReporter implements Reporter {
  private runDir: string | undefined;

  constructor(private readonly options: { stream?: NodeJS.WritableStream } = {}) {}

  onRunStart(info: RunStartInfo): void {
    this.runDir = info.runDir;
  }

  onRunEnd(_stats: RunStats, _status: RunMeta['status']): void {
    if (!this.runDir) return;
    try {
      writeRunReport(this.runDir);
    } catch (err) {
      // Issue 24: a file that cannot be written (a full disk) ends the run: it is not finished without its report.
      if (isWriteFailure(err)) throw err;
      (this.options.stream ?? process.stderr).write(`referee: could not write report.html: ${(err as Error).message}\n`);
    }
  }
}
