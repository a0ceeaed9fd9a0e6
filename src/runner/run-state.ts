import type { ScoringMode } from '../scoring/types.js';
import type { DatasetCoverage } from '../datasets/coverage.js';
import type { RunMeta, RunStats, TestScore, TurnMetric } from '../artifacts/schemas.js';
import type { ResolvedPricing } from '../costs/pricing.js';
import type { ProgressSnapshot } from '../events/reporter.js';
import { TurnTally } from '../events/turn-tally.js';
import { tallyTests } from '../artifacts/test-tally.js';

/** Running totals and the progress snapshot every reporter receives. */
export class RunState {
  private readonly startedAtMs: number;
  private testsDone = 0;
  private testsStarted = 0;
  /** issue 21: turns, failed turns and attempts by the one definition every reader uses. */
  private readonly tally = new TurnTally();
  /** issue 22: replies cut at max_tokens (finish_reason `length`). */
  private turnsTruncated = 0;
  private tokensIn = 0;
  private tokensOut = 0;
  private cost = 0;
  /** Spent by the benchmark itself (the LLM judge), GoodAI's `managing_costs_usd`. */
  private managingCost = 0;
  private currentTestId: string | null = null;
  /** issue 12: the scoring mode of an LTM run, recorded in runstats.json. */
  scoring?: ScoringMode;
  /** Listed datasets skipped for want of their data: the run is not the whole benchmark (runstats.json `coverage`). */
  coverage?: DatasetCoverage;
  /** issue 12: GoodAI's meanings: every message and reply (cl100k), replies only, summed response time. */
  private goodaiTotalTokens = 0;
  private goodaiAgentTokens = 0;
  private agentSeconds = 0;
  private trafficSeen = false;
  private readonly scores: TestScore[] = [];
  notice: string | null = null;
  /**
   * issue 21: whether `turnsTotal` is an expectation rather than a count: an LTM plan follows the
   * replies (a task run's total is exact: its further attempts are attempts, not turns). A run that ends settles it.
   */
  turnsTotalEstimated = false;

  constructor(
    private readonly testsTotal: number,
    private turnsTotal: number,
    readonly pricing: ResolvedPricing,
    /** A resumed run's time before this process: elapsed, ETA and duration count it. */
    priorElapsedMs = 0,
  ) {
    this.startedAtMs = Date.now() - priorElapsedMs;
  }

  testStarted(testId: string): void {
    this.testsStarted++;
    this.currentTestId = testId;
  }
  turnStarted(testId: string): void {
    if (testId !== 'filler') this.currentTestId = testId;
  }
  /**
   * issue 21: every turn the plan had is done, so the total is what was done: the bar and
   * every reader of the last snapshot end at 100%, with no estimate left to flag.
   */
  runEnded(status: RunMeta['status']): void {
    // An interrupted run still has turns to do; its total stays the expectation it was.
    if (status === 'interrupted') return;
    this.turnsTotal = this.tally.turns;
    this.turnsTotalEstimated = false;
  }
  turnFinished(r: TurnMetric): void {
    this.tally.add(r);
    if (r.finish_reason === 'length') this.turnsTruncated++;
    this.tokensIn += r.tokens_in;
    this.tokensOut += r.tokens_out;
    this.cost += r.cost_usd;
  }
  /** issue 12: one message and its reply, as GoodAI's `send_message` counts them (cl100k, counted by the plan). */
  traffic(messageTokens: number, replyTokens: number, responseMs: number): void {
    this.trafficSeen = true;
    this.goodaiTotalTokens += messageTokens + replyTokens;
    this.goodaiAgentTokens += replyTokens;
    this.agentSeconds += responseMs / 1000;
  }
  addManagingCost(usd: number): void {
    if (Number.isFinite(usd)) this.managingCost += usd;
  }
  testFinished(score: TestScore): void {
    this.testsDone++;
    this.scores.push(score);
  }

  snapshot(): ProgressSnapshot {
    const now = Date.now();
    const elapsedMs = now - this.startedAtMs;
    const { turns: turnsDone, failed: turnsFailed, prefilled: turnsPrefilled, attempts } = this.tally;
    const remaining = Math.max(0, this.turnsTotal - turnsDone);
    return {
      testsDone: this.testsDone,
      testsTotal: this.testsTotal,
      turnsDone,
      // issue 12: the total is an estimate (the plan depends on the replies); never shown below what is done.
      turnsTotal: Math.max(this.turnsTotal, turnsDone),
      turnsTotalEstimated: this.turnsTotalEstimated,
      turnsFailed,
      turnsPrefilled,
      attempts,
      tokensIn: this.tokensIn,
      tokensOut: this.tokensOut,
      costUsd: this.cost,
      startedAtMs: this.startedAtMs,
      elapsedMs,
      etaMs: turnsDone > 0 ? Math.round((elapsedMs / turnsDone) * remaining) : null,
      currentTestId: this.currentTestId,
      currentTestIndex: this.testsStarted,
      notice: this.notice,
    };
  }

  stats(runId: string, agent: string): RunStats {
    const tests = [...this.scores].sort((a, b) => a.test_id.localeCompare(b.test_id));
    // issues 22 and 25: one tally: unscored tests are in no total, errored ones count as 0 and apart.
    const tally = tallyTests(tests);
    return {
      // issue 12: GoodAI's meanings; Referee's usage totals are tokens_in/tokens_out, its wall time wall_duration_s.
      // A task run (no GoodAI traffic) keeps the usage and wall-time meanings.
      total_tokens: this.trafficSeen ? this.goodaiTotalTokens : this.tokensIn + this.tokensOut,
      agent_tokens: this.trafficSeen ? this.goodaiAgentTokens : this.tokensIn + this.tokensOut,
      agent_costs_usd: this.cost,
      managing_costs_usd: this.managingCost,
      duration: this.trafficSeen ? this.agentSeconds : (Date.now() - this.startedAtMs) / 1000,
      wall_duration_s: (Date.now() - this.startedAtMs) / 1000,
      ...(this.scoring ? { scoring: this.scoring } : {}),
      run_id: runId,
      agent,
      score: tally.score,
      max_score: tally.max_score,
      tokens_in: this.tokensIn,
      tokens_out: this.tokensOut,
      turns: this.tally.turns,
      turns_failed: this.tally.failed,
      attempts: this.tally.attempts,
      // issue 22: tests not answered (a scored call failed) and unreadable judge verdicts are counted, never passed off as scores.
      tests_errored: tally.errored,
      tests_judge_error: tally.judge_errors,
      tests_unscored: tally.unscored,
      ...(this.coverage ? { coverage: this.coverage } : {}),
      turns_truncated: this.turnsTruncated,
      pricing_source: this.pricing.source,
      per_dataset: tally.per_dataset,
      tests,
    };
  }
}
