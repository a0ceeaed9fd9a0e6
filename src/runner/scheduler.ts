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
}

interface ActiveTest {
  def: TestDefinition;
  next: number;
  startTokens: number;
  due: number;
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

  const emit = (step: Omit<ScheduleStep, 'turnId' | 'lane' | 'step' | 'tokens' | 'laneTokensBefore'>): number => {
    const tokens = options.countTokens(step.message);
    steps.push({ ...step, turnId: -1, lane, step: steps.length, tokens, laneTokensBefore: laneTokens });
    laneTokens += tokens + (step.expected !== undefined ? options.countTokens(step.expected) : replyEstimate);
    return tokens;
  };

  const emitLine = (a: ActiveTest): void => {
    const i = a.next;
    const def = a.def;
    emit({
      kind: 'test',
      testId: def.testId,
      dataset: def.dataset,
      message: def.script[i] ?? '',
      isQuestion: def.is_question[i] ?? false,
      lineIndex: i,
      beginsTest: i === 0,
      endsTest: i === def.script.length - 1,
    });
    a.next = i + 1;
    if (a.next >= def.script.length) {
      testSpans.set(def.testId, laneTokens - a.startTokens);
      active.splice(active.indexOf(a), 1);
      return;
    }
    const wait = def.waits[i] ?? {};
    let due = laneTokens;
    if (wait.percentage_finished !== undefined) {
      due = Math.max(due, a.startTokens + Math.ceil((wait.percentage_finished / 100) * options.memorySpan));
    }
    if (wait.tokens !== undefined) due = Math.max(due, laneTokens + wait.tokens);
    a.due = due;
  };

  while (pending.length > 0 || active.length > 0) {
    const due = active.filter((a) => a.due <= laneTokens).sort((x, y) => x.due - y.due)[0];
    if (due) {
      emitLine(due);
      continue;
    }
    const startIndex = pending.findIndex(
      (t) => t.script.length > 0 && active.every((a) => !incompatible(a.def.dataset, t.dataset)) && (active.length === 0 || t.can_be_interleaved && active.every((a) => a.def.can_be_interleaved)),
    );
    if (startIndex >= 0) {
      const def = pending.splice(startIndex, 1)[0]!;
      const a: ActiveTest = { def, next: 0, startTokens: laneTokens, due: laneTokens };
      active.push(a);
      emitLine(a);
      continue;
    }
    if (active.length === 0) {
      // Only empty-script tests remain.
      pending.length = 0;
      break;
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
