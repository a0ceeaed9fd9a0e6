import type { RunMeta, RunStats, TestScore, TurnMetric } from '../artifacts/schemas.js';
import type { TestDefinition } from '../datasets/types.js';
import type { TurnStep } from './turn-step.js';

/** Where the run stands; every hook gets the latest snapshot. */
export interface ProgressSnapshot {
  testsDone: number;
  testsTotal: number;
  turnsDone: number;
  turnsTotal: number;
  /** issue 21: `turnsTotal` is an expectation (it may still change) until the run ends; readers mark it as one. */
  turnsTotalEstimated: boolean;
  turnsFailed: number;
  /** issue 21: calls made (one per turn_metrics line): a task tried twice is one turn of two attempts. */
  attempts: number;
  /** issue 12: turns pre-filled without a call that succeeded (GoodAI's filler); they never count toward a failed run. */
  turnsPrefilled?: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  startedAtMs: number;
  elapsedMs: number;
  /** Estimated remaining time from the average turn so far; null before the first turn. */
  etaMs: number | null;
  currentTestId: string | null;
  /** 1-based index of the current test in start order. */
  currentTestIndex: number;
  /** A short line about retries or stalls, shown next to the bar. */
  notice: string | null;
}

export interface RunStartInfo {
  meta: RunMeta;
  runDir: string;
  tests: readonly TestDefinition[];
  progress: ProgressSnapshot;
  /**
   * Publishes an event to every reporter's `onEvent` (the run directory writer
   * appends it to events.jsonl). For reporters that produce data of their own,
   * such as the system sampler's `telemetry` samples.
   */
  publish: (type: string, data: Record<string, unknown>) => void;
}

export interface TestEndInfo {
  test: TestDefinition;
  score: TestScore;
  answers: string[];
  /** Every message of the test, in order, as `{role, text}`. */
  log: { role: 'user' | 'agent'; text: string; turnId: number }[];
  tokens: number;
  characters: number;
  /** Tokens from the test's first line to its question, as scheduled. */
  span: number;
  /** issue 7: tokens and characters of the conversation from the test's first line to its end, as it happened (GoodAI's `tokens`/`characters`). */
  measured?: { tokens: number; characters: number };
}

export interface TurnEndInfo {
  step: TurnStep;
  record: TurnMetric;
  replyText: string;
  metadata: Record<string, unknown>;
}

/**
 * Every output is a reporter on one event stream (STYLE.md 2): the run
 * directory writers, the progress bar, the metrics bridge, the monitor feed.
 * Hooks may be async; the runner awaits them in order.
 */
export interface Reporter {
  onRunStart?(info: RunStartInfo): void | Promise<void>;
  onTestStart?(test: TestDefinition, lane: number, progress: ProgressSnapshot): void | Promise<void>;
  onTurnStart?(step: TurnStep, progress: ProgressSnapshot): void | Promise<void>;
  /**
   * Streamed text of the current reply; synchronous and cheap by contract.
   * `stage` is `thinking` inside a reasoning block (issue 8), else `streaming`.
   */
  onToken?(step: TurnStep, delta: string, stage?: 'thinking' | 'streaming'): void;
  onTurnEnd?(info: TurnEndInfo, progress: ProgressSnapshot): void | Promise<void>;
  onTestEnd?(info: TestEndInfo, progress: ProgressSnapshot): void | Promise<void>;
  /** Warnings such as retries and stalls, already worded for a person. */
  onNotice?(kind: string, message: string, data: Record<string, unknown>, progress: ProgressSnapshot): void | Promise<void>;
  /** Any published event (see RunStartInfo.publish); synchronous. */
  onEvent?(type: string, data: Record<string, unknown>): void;
  onRunEnd?(stats: RunStats, status: RunMeta['status'], progress: ProgressSnapshot): void | Promise<void>;
}
