/**
 * A turn as the event stream carries it (issue 13): what every reader of
 * `onTurnStart`/`onToken`/`onTurnEnd` may rely on. The runner's plans (the
 * LTM schedule's ScheduleStep, a task attempt) hand out richer steps; this is
 * the part that belongs to the stream, so readers need not import the runner.
 */
export interface TurnStep {
  /** Unique in the run. */
  turnId: number;
  lane: number;
  /** Position within the lane. */
  step: number;
  kind: 'test' | 'filler';
  /** `<Dataset>/<id>`, or `filler`. */
  testId: string;
  dataset: string;
  message: string;
  isQuestion: boolean;
  /** Tokens of the message (user side). */
  tokens: number;
  /** issue 12: the benchmark's introduction (GoodAI writes SUITE_RESET after it). */
  isIntro?: boolean;
  /** The wait that starts after this step, as GoodAI's WAIT event records it. */
  waitAfter?: { tokens: number; time: number };
  /** issue 13: the reply's tokens in GoodAI's count (cl100k), set by the plan once the reply is in, so no one counts it again. */
  replyTokens?: number;
}
