import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';
import type { RunStats } from '../artifacts/schemas.js';
import { DatasetConfigSchema } from '../config/dataset.js';
import { datasetCoverage, formatCoverage } from '../datasets/coverage.js';
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

/** issue 21: a count as people read it, with thousands separated. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** The turn total as it stands: `~181` while it is the plan's expectation, exact once the run has ended. */
export function formatTurnsTotal(p: Pick<ProgressSnapshot, 'turnsTotal' | 'turnsTotalEstimated'>): string {
  return `${p.turnsTotalEstimated ? '~' : ''}${p.turnsTotal}`;
}

/** issue 21: usage tokens, named as such (runstats.json's tokens_in/tokens_out; GoodAI's total_tokens is another count). */
export function formatUsageTokens(tokensIn: number, tokensOut: number): string {
  return `${formatCount(tokensIn)} in / ${formatCount(tokensOut)} out`;
}

/** The plain progress line for logs (CI), one per interval. */
export function formatProgressLine(p: ProgressSnapshot, agent: string): string {
  const pct = p.turnsTotal ? Math.floor((p.turnsDone / p.turnsTotal) * 100) : 100;
  const test = p.currentTestId ? ` test ${p.currentTestIndex}/${p.testsTotal} ${p.currentTestId}` : '';
  const failed = p.turnsFailed ? ` failed ${p.turnsFailed}` : '';
  const notice = p.notice ? ` | ${p.notice}` : '';
  return (
    `[referee] ${agent} ${pct}% turns ${p.turnsDone}/${formatTurnsTotal(p)} tests ${p.testsDone}/${p.testsTotal}${test}` +
    ` tokens ${formatUsageTokens(p.tokensIn, p.tokensOut)}${failed} elapsed ${formatDuration(p.elapsedMs)} eta ${formatDuration(p.etaMs)}${notice}`
  );
}

/**
 * issue 21: a notice that recurs (a test over the memory span, a retry) is printed the first
 * time and counted after; the run's end says how many there were, once.
 */
/** The stall watchdog's notices: never summarised. */
const WATCHDOG_NOTICES = new Set(['stall', 'stall_cleared']);

class NoticeSummary {
  private readonly byKind = new Map<string, { count: number; data: Record<string, unknown>[] }>();

  /** True the first time a kind is seen: that one is printed in full. */
  add(kind: string, data: Record<string, unknown>): boolean {
    const k = this.byKind.get(kind) ?? { count: 0, data: [] };
    k.count++;
    if (k.data.length < 5) k.data.push(data);
    this.byKind.set(kind, k);
    return k.count === 1;
  }

  lines(): string[] {
    const out: string[] = [];
    for (const [kind, k] of this.byKind) {
      if (k.count < 2) continue;
      if (kind === 'memory_span_overrun') {
        const span = k.data[0]?.['memory_span'];
        const some = k.data.map((d) => `${String(d['test_id'])} (${String(d['tokens'])})`).join(', ');
        out.push(`${plural(k.count, 'test')} spanned more than the memory span of ${String(span)} tokens: ${some}${k.count > k.data.length ? ', …' : ''} (each in events.jsonl)`);
      } else {
        out.push(`${plural(k.count, `${kind} notice`)} in all (the first is above; each is in events.jsonl)`);
      }
    }
    return out;
  }
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
  private readonly notices = new NoticeSummary();
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;

  constructor(private readonly options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY) && !options.plain;
  }

  onRunStart(info: RunStartInfo): void {
    this.agent = String(info.meta.agent['name'] ?? 'agent');
    this.last = info.progress;
    const turns = info.progress.turnsTotalEstimated
      ? `about ${plural(info.progress.turnsTotal, 'turn')} (an estimate: the plan follows the replies)`
      : plural(info.progress.turnsTotal, 'turn');
    this.stream.write(`[referee] run ${info.meta.run_id}: ${plural(info.tests.length, 'test')}, ${turns} -> ${info.runDir}\n`);
    // A listed dataset skipped for want of its data: one line each, saying where to get it.
    const config = DatasetConfigSchema.safeParse(info.meta.dataset_config);
    if (config.success) for (const s of datasetCoverage(config.data, info.tests)?.skipped ?? []) this.stream.write(`[referee] ${s.reason}\n`);
    if (this.tty) {
      // Start-up: the bar's package is loaded where there is a terminal to draw it on.
      const bars = createRequire(import.meta.url)('cli-progress') as typeof cliProgress;
      this.bar = new bars.SingleBar(
        {
          stream: this.stream,
          format: `${this.agent} {bar} {percentage}% | {value}/{totalText} turns | test {testIndex}/{testsTotal} {testId} | tokens {tokens} | {elapsedText} | ETA {etaText} {notice}`,
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 50,
          fps: 5,
        },
        bars.Presets.shades_classic,
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
      tokens: formatUsageTokens(p.tokensIn, p.tokensOut),
      totalText: formatTurnsTotal(p),
      elapsedText: formatDuration(p.elapsedMs),
      etaText: formatDuration(p.etaMs),
      notice: p.notice ?? '',
    };
  }

  private printLine(): void {
    if (this.last) this.stream.write(formatProgressLine({ ...this.last, elapsedMs: Date.now() - this.last.startedAtMs }, this.agent) + '\n');
  }

  private update(p: ProgressSnapshot): void {
    // issue 21: the bar's total follows the plan's, so it never reads 48/47 and ends at 100%.
    if (this.bar && p.turnsTotal !== this.last?.turnsTotal) this.bar.setTotal(p.turnsTotal);
    this.last = p;
    this.bar?.update(p.turnsDone, this.payload(p));
  }

  onTurnStart(_step: unknown, p: ProgressSnapshot): void {
    this.update(p);
  }
  onTurnEnd(_info: unknown, p: ProgressSnapshot): void {
    this.update(p);
  }
  onNotice(kind: string, message: string, data: Record<string, unknown>, p: ProgressSnapshot): void {
    this.update({ ...p, notice: message });
    if (this.tty) return;
    // A stall and its end are printed each time: someone watching a long run acts on every one.
    if (WATCHDOG_NOTICES.has(kind)) this.stream.write(`[referee] ${message}\n`);
    else if (this.notices.add(kind, data)) this.stream.write(`[referee] ${message} (more like it are counted at the end)\n`);
  }

  onRunEnd(stats: RunStats, status: string, p: ProgressSnapshot): void {
    this.update(p);
    this.bar?.stop();
    if (this.timer) clearInterval(this.timer);
    if (!this.tty) this.printLine();
    for (const line of this.notices.lines()) this.stream.write(`[referee] ${line}\n`);
    this.stream.write(`[referee] ${formatRunSummary(stats, status)}\n`);
  }
}

/**
 * issue 21: the last line of a run, from runstats.json's own figures: the score, turns (and attempts
 * where a task was tried again), usage tokens, cost and wall time, each named for what it counts.
 * Issue 22: the score says of how many tests, and how many of them were not answered (a scored call
 * failed) or not judged (an unreadable verdict): their 0 is in the score but is not an answer's.
 * Replies cut at max_tokens are counted beside the turns. Issue 25: tests left unscored for want of a
 * judge are in no score; the line says how many and what --judge-config would do.
 */
export function formatRunSummary(stats: RunStats, status: string): string {
  const pct = stats.max_score ? ((stats.score / stats.max_score) * 100).toFixed(1) : '0.0';
  const attempts = stats.attempts !== undefined && stats.attempts !== stats.turns ? `, ${plural(stats.attempts, 'attempt')}` : '';
  const errored = stats.tests_errored ? `, ${stats.tests_errored} errored (not answered)` : '';
  const judge = stats.tests_judge_error ? `, ${plural(stats.tests_judge_error, 'judge error')} (not scored)` : '';
  // issue 25: tests GoodAI's LLM judge scores, left without a score for want of one, are in no total and named.
  const unscored = stats.tests_unscored ? `, ${stats.tests_unscored} unscored (need a judge: --judge-config <agent.yaml> has an LLM score them with GoodAI's prompts)` : '';
  const turnNotes = [stats.turns_failed ? `${stats.turns_failed} failed` : '', stats.turns_truncated ? `${stats.turns_truncated} truncated at max_tokens` : ''].filter(Boolean);
  return (
    `${status}: score ${round2(stats.score)}/${stats.max_score} (${pct}%) of ${plural(stats.tests.length, 'test')}${errored}${judge}${unscored}, ${plural(stats.turns, 'turn')}` +
    `${turnNotes.length ? ` (${turnNotes.join(', ')})` : ''}${attempts}, tokens ${formatUsageTokens(stats.tokens_in, stats.tokens_out)},` +
    ` ${formatCost(stats.agent_costs_usd, stats.pricing_source)}, ${tenths(stats.wall_duration_s ?? stats.duration).toFixed(1)} s${formatResent(stats)}` +
    // A listed dataset skipped for want of its data: never read as the whole benchmark's score.
    (stats.coverage ? `; ${formatCoverage(stats.coverage)}` : '')
  );
}

/** Spans whose export failed during the run: sent again at its end, or still only in spans.jsonl. */
function formatResent(stats: RunStats): string {
  const parts = [
    stats.spans_resent ? `${plural(stats.spans_resent, 'span')} sent again to the collector after failed exports` : '',
    stats.spans_unsent ? `${plural(stats.spans_unsent, 'span')} not exported (referee replay RUN_DIR sends them)` : '',
  ].filter(Boolean);
  return parts.length ? `; ${parts.join(', ')}` : '';
}

/** issue 22: why a finished run exits 5 and has no history line. */
export function incompleteNotice(testsErrored: number): string {
  return (
    `incomplete: ${plural(testsErrored, 'test')} not answered (a scored call failed: see each test's reasons); ` +
    'exit 5, not added to benchmark_history.jsonl (give --max-failed-turns to accept such a run)'
  );
}

/** issue 21: a cost with no price for the model is unknown, as the report says, never $0.0000. */
export function formatCost(usd: number, pricingSource: string): string {
  return pricingSource === 'unknown' ? 'cost unknown (no price for the model)' : `$${usd.toFixed(4)} (${pricingSource} pricing)`;
}

/** Seconds to the tenth, rounded as the monitor and the report round them (toFixed alone rounds 0.35 down). */
function tenths(s: number): number {
  return Math.round(s * 10) / 10;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
