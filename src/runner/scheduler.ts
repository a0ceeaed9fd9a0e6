import type { DynamicScript } from '../datasets/dynamic-script.js';
import type { TestDefinition } from '../datasets/types.js';
import type { TurnStep } from '../events/turn-step.js';
import type { GoodaiFillerSource } from './goodai-filler.js';
import { LanePlan } from './lane-plan.js';

/**
 * One message the runner sends, handed out by a lane's plan as the replies arrive (issue 12):
 * the event stream's TurnStep (issue 13) plus what the plan and the lane need.
 */
export interface ScheduleStep extends TurnStep {
  /** Script line within the test; -1 for filler. */
  lineIndex: number;
  beginsTest: boolean;
  /** Set when the test ends with this step's reply (known once the reply is recorded). */
  endsTest: boolean;
  /** Lane tokens (messages and replies) before this message. */
  laneTokensBefore: number;
  /** GoodAI's canned reply: filler is pre-filled with it (no model call) when no callback is active (issue 12). */
  expected?: string;
  /** The dataset's reset message, sent when its test ends (GoodAI's `reset_message`). */
  isReset?: boolean;
  /** This line registers the test's callback: every reply from here on is shown to it. */
  registersCallback?: boolean;
  /** Virtual time at which the message is sent (epoch ms). */
  virtualTimeMs?: number;
  /** Seconds the virtual clock jumped forward just before this step. */
  clockJumpS?: number;
  /** Isolated mode (issue 12): this step opens a new conversation with the agent. */
  newConversation?: boolean;
}

/** The steps of a run, as far as they are known (a dry run, or a replay of recorded replies). */
export interface Schedule {
  lanes: ScheduleStep[][];
  /** test id → lane */
  testLane: Map<string, number>;
  totalTurns: number;
  /** Tokens from each test's BEGIN to its END, as measured. */
  testSpans: Map<string, number>;
}

export interface ScheduleOptions {
  memorySpan: number;
  /** Independent conversations run at once; tests are dealt to them round-robin (Referee's extension). */
  lanes: number;
  /** Groups of datasets never active together in one lane. */
  incompatibilities: string[][];
  /** GoodAI's token counter (cl100k). */
  countTokens: (text: string) => number;
  createFiller: (lane: number) => GoodaiFillerSource;
  /** The agent's max message size: one filler message is at most this large. @default 4096 */
  maxMessageSize?: number;
  /** GoodAI's `-i`: each test alone in its own conversation, no filler between lines. */
  isolated?: boolean;
  /** Sent first in every lane (GoodAI's benchmark introduction). */
  intro?: string;
  /** A test's reset message, sent when it ends; undefined for none. */
  resetMessage?: (def: TestDefinition) => string | undefined;
  /** Replies a callback test's callback needs, counting the reply to the registering line. @default 1 */
  callbackHorizon?: (def: TestDefinition) => number;
  /** Writes a temporal test's last question from the virtual times its lines were sent. */
  createQuestion?: (def: TestDefinition, lineTimesMs: readonly number[], nowMs: number) => string;
  /** The virtual clock; without it `time` waits are ignored and no step carries a time. */
  clock?: VirtualClockOptions;
  /** A dynamic test's script (GoodAI's Restaurant); undefined for a test with a fixed script. */
  dynamicScript?: (def: TestDefinition) => DynamicScript | undefined;
  /** A resume's rebuild: a dynamic test's recorded judge replies, which its script reads in `record`. */
  llmReplies?: (testId: string) => readonly string[];
  /** Keep every handed-out step in `LanePlan.steps` (a dry run, a replay). @default true */
  keepSteps?: boolean;
}

/** How virtual time passes and how the agent is told (issue 7). */
export interface VirtualClockOptions {
  /** Virtual time of a lane's first message, epoch ms. */
  startMs: number;
  /** Virtual seconds each message takes. */
  stepS: number;
  /** Which messages get a `[YYYY-MM-DD HH:MM:SS] ` prefix: temporal tests' lines, every message, or none. */
  prefix: 'temporal' | 'all' | 'none';
}

/** The prefix that tells the agent the virtual time. */
export function timestampPrefix(ms: number): string {
  return `[${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}] `;
}

/** Lines a test sends: a temporal test's last question is not in its script yet. */
export function lineCount(def: TestDefinition): number {
  return def.is_temporal && def.is_question.length === def.script.length + 1 ? def.script.length + 1 : def.script.length;
}

/** Tests dealt to lanes round-robin; one lane is GoodAI's single conversation. */
export function dealTests(tests: readonly TestDefinition[], lanes: number): TestDefinition[][] {
  const laneCount = Math.max(1, Math.min(lanes, Math.max(1, tests.length)));
  const perLane: TestDefinition[][] = Array.from({ length: laneCount }, () => []);
  tests.forEach((t, i) => perLane[i % laneCount]!.push(t));
  return perLane;
}

/** One plan per lane. */
export function createLanePlans(tests: readonly TestDefinition[], options: ScheduleOptions): LanePlan[] {
  const perLane = dealTests(tests, options.lanes);
  return perLane.map((laneTests, lane) => new LanePlan(laneTests, lane, perLane.length, options));
}

/** A dry run's reply: filler gets its canned reply, a test line `OK`. */
export function dryRunReply(step: ScheduleStep): string {
  return step.expected ?? 'OK';
}

/**
 * Drives a plan, answering each step with `replyOf`, until it ends or a step
 * has no reply (that step is the lane's last); returns the steps handed out.
 */
export function playPlan(plan: LanePlan, replyOf: (step: ScheduleStep) => string | undefined): number {
  let steps = 0;
  for (let step = plan.next(); step; step = plan.next()) {
    steps++;
    const reply = replyOf(step);
    if (reply === undefined) break;
    plan.record(reply);
  }
  return steps;
}

/**
 * Runs the plans through, each step answered by `replyOf` (by default the
 * canned reply for filler and `OK` for a test line), or, for a resume, as far
 * as `replyOf` knows the replies (issue 12: the schedule is rebuilt from the
 * recorded traffic). A step `replyOf` cannot answer is the lane's last.
 */
export function buildSchedule(tests: readonly TestDefinition[], options: ScheduleOptions, replyOf: (step: ScheduleStep) => string | undefined = dryRunReply): Schedule {
  const plans = createLanePlans(tests, options);
  const testLane = new Map<string, number>();
  const testSpans = new Map<string, number>();
  const lanes = plans.map((plan) => {
    playPlan(plan, replyOf);
    for (const [id, span] of plan.testSpans) testSpans.set(id, span);
    return plan.steps;
  });
  dealTests(tests, options.lanes).forEach((laneTests, lane) => laneTests.forEach((t) => testLane.set(t.testId, lane)));
  return { lanes, testLane, totalTurns: lanes.reduce((n, l) => n + l.length, 0), testSpans };
}
