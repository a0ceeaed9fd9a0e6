import cliProgress from 'cli-progress';
import type { RunStats } from '../artifacts/schemas.js';
import type { ProgressSnapshot, Reporter, RunStartInfo } from '../runner/reporter.js';
import { plural } from '../plural.js';

export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '--:--';
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** The plain progress line for logs (CI), one per interval. */
export function formatProgressLine(p: ProgressSnapshot, agent: string): string {
  const pct = p.turnsTotal ? Math.floor((p.turnsDone / p.turnsTotal) * 100) : 100;
  const test = p.currentTestId ? ` test ${p.currentTestIndex}/${p.testsTotal} ${p.currentTestId}` : '';
  const failed = p.turnsFailed ? ` failed ${p.turnsFailed}` : '';
  const notice = p.notice ? ` | ${p.notice}` : '';
  return (
    `[referee] ${agent} ${pct}% turns ${p.turnsDone}/${p.turnsTotal} tests ${p.testsDone}/${p.testsTotal}${test}` +
    ` tokens ${p.tokensIn + p.tokensOut}${failed} elapsed ${formatDuration(p.elapsedMs)} eta ${formatDuration(p.etaMs)}${notice}`
  );
}

export interface ProgressOptions {
  /** Where to draw; a TTY gets the bar, anything else a plain line per interval. */
  stream?: NodeJS.WriteStream;
  /** Seconds between plain lines when not a TTY. @default 5 */
  intervalS?: number;
  /** Force the plain line even on a TTY. */
  plain?: boolean;
}

/**
 * Terminal progress as a reporter: a cli-progress bar on a TTY, otherwise a
 * plain line at a steady interval so CI logs show progress throughout (seed 000 3.1).
 */
export class ProgressReporter implements Reporter {
  private bar: cliProgress.SingleBar | undefined;
  private timer: NodeJS.Timeout | undefined;
  private last: ProgressSnapshot | undefined;
  private agent = '';
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;

  constructor(private readonly options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY) && !options.plain;
  }

  onRunStart(info: RunStartInfo): void {
    this.agent = String(info.meta.agent['name'] ?? 'agent');
    this.last = info.progress;
    this.stream.write(`[referee] run ${info.meta.run_id}: ${plural(info.tests.length, 'test')}, ${plural(info.progress.turnsTotal, 'turn')} -> ${info.runDir}\n`);
    if (this.tty) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: `${this.agent} {bar} {percentage}% | {value}/{total} turns | test {testIndex}/{testsTotal} {testId} | {tokens} tok | {elapsedText} | ETA {etaText} {notice}`,
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 50,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(info.progress.turnsTotal, 0, this.payload(info.progress));
    } else {
      const every = Math.max(0.2, this.options.intervalS ?? 5) * 1000;
      this.timer = setInterval(() => this.printLine(), every);
      this.timer.unref();
    }
  }

  private payload(p: ProgressSnapshot): Record<string, unknown> {
    return {
      testIndex: p.currentTestIndex,
      testsTotal: p.testsTotal,
      testId: p.currentTestId ?? '-',
      tokens: p.tokensIn + p.tokensOut,
      elapsedText: formatDuration(p.elapsedMs),
      etaText: formatDuration(p.etaMs),
      notice: p.notice ?? '',
    };
  }

  private printLine(): void {
    if (this.last) this.stream.write(formatProgressLine({ ...this.last, elapsedMs: Date.now() - this.last.startedAtMs }, this.agent) + '\n');
  }

  private update(p: ProgressSnapshot): void {
    this.last = p;
    this.bar?.update(p.turnsDone, this.payload(p));
  }

  onTurnStart(_step: unknown, p: ProgressSnapshot): void {
    this.update(p);
  }
  onTurnEnd(_info: unknown, p: ProgressSnapshot): void {
    this.update(p);
  }
  onNotice(_kind: string, message: string, _data: unknown, p: ProgressSnapshot): void {
    this.update({ ...p, notice: message });
    if (!this.tty) this.stream.write(`[referee] ${message}\n`);
  }

  onRunEnd(stats: RunStats, status: string, p: ProgressSnapshot): void {
    this.update(p);
    this.bar?.stop();
    if (this.timer) clearInterval(this.timer);
    if (!this.tty) this.printLine();
    const pct = stats.max_score ? ((stats.score / stats.max_score) * 100).toFixed(1) : '0.0';
    this.stream.write(
      `[referee] ${status}: score ${round2(stats.score)}/${stats.max_score} (${pct}%), ${plural(stats.turns, 'turn')}` +
        `${stats.turns_failed ? ` (${stats.turns_failed} failed)` : ''}, ${plural(stats.tokens_in + stats.tokens_out, 'token')},` +
        ` $${stats.agent_costs_usd.toFixed(4)} (${stats.pricing_source} pricing), ${(stats.wall_duration_s ?? stats.duration).toFixed(1)} s\n`,
    );
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
