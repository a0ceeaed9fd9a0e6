import type { FillerMessage, TestDefinition } from '../datasets/types.js';

/** One message the runner will send, precomputed so both agents of a match face the same tokens. */
export interface ScheduleStep {
  /** Unique in the run: position in the flattened schedule (lane after lane). */
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
  /** Script line within the test; -1 for filler. */
  lineIndex: number;
  beginsTest: boolean;
  endsTest: boolean;
  /** Tokens of the message (user side). */
  tokens: number;
  /** Lane tokens before this message, measured from the lane's start. */
  laneTokensBefore: number;
  /** Known reply for filler (trivia answers). */
  expected?: string;
  // ---- issue 7 (GoodAI scheduler semantics); all optional, absent when unused ----
  /** The benchmark's introduction, first step of a lane (kind `filler`). */
  isIntro?: boolean;
  /** The dataset's reset message, sent when its test ends (GoodAI's `reset_message`). */
  isReset?: boolean;
  /** This line registers the test's callback: every reply from here on is shown to it. */
  registersCallback?: boolean;
  /** Virtual time at which the message is sent (epoch ms). */
  virtualTimeMs?: number;
  /** Seconds the virtual clock jumped forward just before this step. */
  clockJumpS?: number;
  /** The wait that starts after this step, as GoodAI's WAIT event records it. */
  waitAfter?: { tokens: number; time: number };
}

export interface Schedule {
  lanes: ScheduleStep[][];
  /** test id → lane */
  testLane: Map<string, number>;
  totalTurns: number;
  /** Tokens from each test's first line to its last, as scheduled. */
  testSpans: Map<string, number>;
}

export interface ScheduleOptions {
  memorySpan: number;
  /** Independent conversations run at once; tests are dealt to them round-robin. */
  lanes: number;
  /** Groups of datasets never active together in one lane. */
  incompatibilities: string[][];
  countTokens: (text: string) => number;
  createFiller: (lane: number) => { next(): FillerMessage };
  /** Estimated reply size when the reply is not known in advance (it counts towards waits). */
  replyTokensEstimate?: number;
  // ---- issue 7 ----
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

/** Ends a callback test whose dataset has no reset message. */
const CALLBACK_END = 'Thank you, that task is over.';

interface ActiveTest {
  def: TestDefinition;
  next: number;
  startTokens: number;
  due: number;
  /** Virtual time before which the next line may not be sent. */
  dueTime: number;
  /** Virtual times its lines were sent. */
  lineTimes: number[];
  /** `lines` while sending its script; `callback` while its callback watches replies; `reset` when only the end is left. */
  phase: 'lines' | 'callback' | 'reset';
  callbackLeft: number;
}

/**
 * GoodAI's scheduling, as a pure function: tests are interleaved (never two of
 * one dataset, nor of an incompatible group, at once), each script line waits
 * for its `percentage_finished` of the memory span (cumulative from the test's
 * first line) or its `tokens`, and filler fills the gaps. Waits count the
 * user-side tokens plus the known or estimated reply, so the schedule is the
 * same for every agent.
 */
export function buildSchedule(tests: readonly TestDefinition[], options: ScheduleOptions): Schedule {
  const laneCount = Math.max(1, Math.min(options.lanes, Math.max(1, tests.length)));
  const perLane: TestDefinition[][] = Array.from({ length: laneCount }, () => []);
  tests.forEach((t, i) => perLane[i % laneCount]!.push(t));

  const testLane = new Map<string, number>();
  const testSpans = new Map<string, number>();
  const lanes: ScheduleStep[][] = [];
  let turnId = 0;
  perLane.forEach((laneTests, lane) => {
    for (const t of laneTests) testLane.set(t.testId, lane);
    const steps = scheduleLane(laneTests, lane, options, testSpans);
    for (const s of steps) s.turnId = turnId++;
    lanes.push(steps);
  });
  return { lanes, testLane, totalTurns: turnId, testSpans };
}

function scheduleLane(
  tests: TestDefinition[],
  lane: number,
  options: ScheduleOptions,
  testSpans: Map<string, number>,
): ScheduleStep[] {
  const replyEstimate = options.replyTokensEstimate ?? 8;
  const filler = options.createFiller(lane);
  const pending = [...tests];
  const active: ActiveTest[] = [];
  const steps: ScheduleStep[] = [];
  let laneTokens = 0;

  const incompatible = (a: string, b: string): boolean =>
    a === b || options.incompatibilities.some((group) => group.includes(a) && group.includes(b));

  const clock = options.clock;
  let now = clock?.startMs ?? 0;
  let pendingJumpS = 0;

  const emit = (step: Omit<ScheduleStep, 'turnId' | 'lane' | 'step' | 'tokens' | 'laneTokensBefore'>, temporal = false): number => {
    let message = step.message;
    if (clock && (clock.prefix === 'all' || (clock.prefix === 'temporal' && temporal))) message = timestampPrefix(now) + message;
    const tokens = options.countTokens(message);
    steps.push({
      ...step,
      message,
      turnId: -1,
      lane,
      step: steps.length,
      tokens,
      laneTokensBefore: laneTokens,
      ...(clock ? { virtualTimeMs: now } : {}),
      ...(pendingJumpS > 0 ? { clockJumpS: pendingJumpS } : {}),
    });
    pendingJumpS = 0;
    laneTokens += tokens + (step.expected !== undefined ? options.countTokens(step.expected) : replyEstimate);
    // A callback counts every reply after its registering one, whoever's it is.
    for (const a of active) {
      if (a.phase === 'callback' && --a.callbackLeft <= 0) {
        a.phase = 'reset';
        a.due = laneTokens;
      }
    }
    if (clock) now += clock.stepS * 1000;
    return tokens;
  };

  const finish = (a: ActiveTest): void => {
    testSpans.set(a.def.testId, laneTokens - a.startTokens);
    active.splice(active.indexOf(a), 1);
  };

  const emitReset = (a: ActiveTest): void => {
    const def = a.def;
    emit({
      kind: 'test',
      testId: def.testId,
      dataset: def.dataset,
      message: options.resetMessage?.(def) ?? CALLBACK_END,
      isQuestion: false,
      lineIndex: lineCount(def),
      beginsTest: false,
      endsTest: true,
      isReset: true,
    });
    finish(a);
  };

  const emitLine = (a: ActiveTest): void => {
    if (a.phase === 'reset') return emitReset(a);
    const i = a.next;
    const def = a.def;
    const lines = lineCount(def);
    const last = i === lines - 1;
    const reset = options.resetMessage?.(def);
    const registers = def.uses_callback && (def.is_question[i] ?? false);
    let message = def.script[i] ?? '';
    if (i >= def.script.length) message = options.createQuestion?.(def, a.lineTimes, now) ?? message;
    a.lineTimes.push(now);
    emit(
      {
        kind: 'test',
        testId: def.testId,
        dataset: def.dataset,
        message,
        isQuestion: def.is_question[i] ?? false,
        lineIndex: i,
        beginsTest: i === 0,
        endsTest: last && reset === undefined && !def.uses_callback,
        ...(registers ? { registersCallback: true } : {}),
      },
      def.is_temporal,
    );
    a.next = i + 1;
    if (last) {
      if (def.uses_callback) {
        // The reply to the registering line is the callback's first; it needs horizon - 1 more.
        a.callbackLeft = Math.max(0, (options.callbackHorizon?.(def) ?? 1) - 1);
        a.phase = a.callbackLeft > 0 ? 'callback' : 'reset';
        a.due = a.phase === 'reset' ? laneTokens : Number.POSITIVE_INFINITY;
      } else if (reset !== undefined) {
        a.phase = 'reset';
        a.due = laneTokens;
      } else finish(a);
      return;
    }
    const wait = def.waits[i] ?? {};
    let due = laneTokens;
    if (wait.percentage_finished !== undefined) {
      due = Math.max(due, a.startTokens + Math.ceil((wait.percentage_finished / 100) * options.memorySpan));
    }
    if (wait.tokens !== undefined) due = Math.max(due, laneTokens + wait.tokens);
    a.due = due;
    if (clock && wait.time !== undefined) a.dueTime = now + wait.time * 1000;
    if (wait.percentage_finished !== undefined || wait.tokens !== undefined || wait.time !== undefined) {
      steps[steps.length - 1]!.waitAfter = { tokens: due - laneTokens, time: wait.time ?? 0 };
    }
  };

  if (options.intro !== undefined && tests.length > 0) {
    emit({ kind: 'filler', testId: 'filler', dataset: 'filler', message: options.intro, isQuestion: false, lineIndex: -1, beginsTest: false, endsTest: false, isIntro: true });
  }

  while (pending.length > 0 || active.length > 0) {
    const due = active.filter((a) => a.due <= laneTokens && a.dueTime <= now).sort((x, y) => x.due - y.due)[0];
    if (due) {
      emitLine(due);
      continue;
    }
    const startIndex = pending.findIndex(
      (t) => t.script.length > 0 && active.every((a) => !incompatible(a.def.dataset, t.dataset)) && (active.length === 0 || t.can_be_interleaved && active.every((a) => a.def.can_be_interleaved)),
    );
    if (startIndex >= 0) {
      const def = pending.splice(startIndex, 1)[0]!;
      const a: ActiveTest = { def, next: 0, startTokens: laneTokens, due: laneTokens, dueTime: now, lineTimes: [], phase: 'lines', callbackLeft: 0 };
      active.push(a);
      emitLine(a);
      continue;
    }
    if (active.length === 0) {
      // Only empty-script tests remain.
      pending.length = 0;
      break;
    }
    // Everyone waits: jumping time is cheaper than filling tokens (GoodAI does the same).
    const waitingOnTime = active.filter((a) => a.dueTime > now).map((a) => a.dueTime);
    if (clock && waitingOnTime.length > 0) {
      const target = Math.min(...waitingOnTime);
      pendingJumpS += Math.ceil((target - now) / 1000);
      now = target;
      continue;
    }
    const f = filler.next();
    emit({
      kind: 'filler',
      testId: 'filler',
      dataset: 'filler',
      message: f.message,
      isQuestion: false,
      lineIndex: -1,
      beginsTest: false,
      endsTest: false,
      ...(f.expected !== undefined ? { expected: f.expected } : {}),
    });
  }
  return steps;
}
