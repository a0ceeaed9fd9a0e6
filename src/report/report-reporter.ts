import type { RunMeta, RunStats } from '../artifacts/schemas.js';
import type { Reporter, RunStartInfo } from '../runner/reporter.js';
import { writeRunReport } from './write.js';

/**
 * Writes `report.html` into the run directory when a run ends (finished,
 * failed or interrupted), from the files the run directory writer has just
 * closed. A report that cannot be written is a warning, never a failed run.
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
      (this.options.stream ?? process.stderr).write(`referee: could not write report.html: ${(err as Error).message}\n`);
    }
  }
}
