/**
 * GoodAI's scheduler (its `runner/scheduler.py` `TestRunner`) as a plan that
 * hands out one message at a time and learns each reply before it picks the
 * next (issue 12). Waits are measured on the real traffic: every message and
 * reply, counted with GoodAI's tokeniser, and a token wait loses the tokens of
 * the test's previous reply. Tests are picked as GoodAI picks them (waiting
 * tests whose wait is over first, smallest token target first; then the next
 * compatible test by `<Dataset> - <id>`); when every test waits, the virtual
 * clock jumps, then filler is sent one trivia message at a time, as large as
 * the agent's max message size allows, pre-filled unless a callback watches.
 */
import type { DynamicScript } from '../datasets/dynamic-script.js';
import type { TestDefinition, Wait } from '../datasets/types.js';
import { DEFAULT_MAX_MESSAGE_SIZE, type GoodaiFillerSource } from './goodai-filler.js';
import { lineCount, timestampPrefix, type ScheduleOptions, type ScheduleStep } from './scheduler.js';

/** A dynamic test's send carries its message, written by its script as the run goes. */
type Action = { kind: 'send'; line: number; message?: string; isQuestion?: boolean } | { kind: 'wait'; wait: Wait };

interface PlanTest {
  def: TestDefinition;
  /** GoodAI's `unique_id`: `<Dataset> - <id>`, the order tests are started in. */
  uniqueId: string;
  actions: Action[];
  /** A dynamic test's script (GoodAI's `DynamicExample`): it extends `actions` as the replies come in. */
  script?: DynamicScript;
  /** Recorded judge replies its script has read (a resume's rebuild). */
  llmRead?: number;
  pos: number;
  started: boolean;
  startTokens: number;
  lineTimes: number[];
  lastReplyTokens: number;
  /** Replies the registered callback still needs; undefined when none is registered. */
  callbackLeft?: number;
  /** Script (and callback) done: the reset message, then END. */
  finished: boolean;
  /** END written: the test left the plan. */
  ended: boolean;
}

const byUniqueId = (a: PlanTest, b: PlanTest): number => (a.uniqueId < b.uniqueId ? -1 : a.uniqueId > b.uniqueId ? 1 : 0);

/** A wait GoodAI acts on: its dict is not empty. */
const isWait = (w: Wait | undefined): w is Wait => w !== undefined && Object.keys(w).length > 0;

/** GoodAI's `default_waits`: percentages up to 90 of the span, when a definition has none. */
function waitsOf(def: TestDefinition): Wait[] {
  const n = def.is_question.length;
  if (def.waits.length === n || def.waits.length > 0 || n < 2) return def.waits;
  const step = 90 / (n - 1);
  return [...Array.from({ length: n - 1 }, (_, i) => ({ percentage_finished: (i + 1) * step })), {}];
}

function actionsOf(def: TestDefinition): Action[] {
  const waits = waitsOf(def);
  const actions: Action[] = [];
  for (let i = 0; i < def.script.length; i++) {
    actions.push({ kind: 'send', line: i });
    if (isWait(waits[i])) actions.push({ kind: 'wait', wait: waits[i]! });
  }
  if (lineCount(def) > def.script.length) actions.push({ kind: 'send', line: def.script.length });
  return actions;
}

export class LanePlan {
  /** Steps handed out so far (kept only for a dry run or a replay: a live lane forgets them, issue 13's memory per turn). */
  readonly steps: ScheduleStep[] = [];
  private stepCount = 0;
  /** Tokens from each ended test's BEGIN to its END. */
  readonly testSpans = new Map<string, number>();
  /** GoodAI's `total_token_count` for this lane. */
  totalTokens = 0;
  private now: number;
  private pendingJumpS = 0;
  /**
   * Tests not yet ended, one queue per dataset in `<Dataset> - <id>` order. Issue 13: GoodAI's
   * `pick_next_test_id` scans every test; compatibility depends only on a test's dataset, so the
   * first compatible test is the earliest head among compatible datasets, and picking costs the
   * same on the last turn of a 500k run as on the first. Ended tests are dropped (with their
   * definitions) as the heads pass them.
   */
  private readonly queues: { dataset: string; tests: (PlanTest | undefined)[]; head: number }[] = [];
  private remaining: number;
  /** Tests whose callback watches the replies (issue 13: counted down on every reply, so kept apart). */
  private readonly watchers = new Set<PlanTest>();
  private readonly byId = new Map<string, PlanTest>();
  private readonly waitList = new Map<string, { tokens: number; time: number }>();
  private current: PlanTest | undefined;
  private fillerOwed = 0;
  private fillerFor: PlanTest | undefined;
  private awaiting: { step: ScheduleStep; test?: PlanTest; expectedTokens?: number } | undefined;
  private introDue: boolean;
  private conversationFresh = true;
  private readonly ended: string[] = [];
  private readonly waitEvents: { testId: string; tokens: number; time: number }[] = [];
  private readonly filler: GoodaiFillerSource;

  constructor(
    tests: readonly TestDefinition[],
    readonly lane: number,
    private readonly laneCount: number,
    private readonly o: ScheduleOptions,
  ) {
    const sorted = tests
      .map((def): PlanTest => {
        const script = o.dynamicScript?.(def);
        return { def, uniqueId: def.testId.replace('/', ' - '), actions: script ? script.actions : actionsOf(def), ...(script ? { script } : {}), pos: 0, started: false, startTokens: 0, lineTimes: [], lastReplyTokens: 0, finished: false, ended: false };
      })
      .filter((t) => t.def.script.length > 0 || t.script)
      .sort(byUniqueId);
    const queueOf = new Map<string, PlanTest[]>();
    for (const t of sorted) {
      this.byId.set(t.def.testId, t);
      let q = queueOf.get(t.def.dataset);
      if (!q) queueOf.set(t.def.dataset, (q = []));
      q.push(t);
    }
    for (const [dataset, queue] of queueOf) this.queues.push({ dataset, tests: queue, head: 0 });
    this.remaining = sorted.length;
    this.now = o.clock?.startMs ?? 0;
    this.introDue = o.intro !== undefined && !o.isolated && this.remaining > 0;
    this.filler = o.createFiller(lane);
  }

  /** A dynamic test's script, which must see each reply (`afterReply`) before `record` does. */
  scriptOf(testId: string): DynamicScript | undefined {
    return this.byId.get(testId)?.script;
  }

  /** The ended test's span in tokens, forgotten once taken (a live lane asks once per test). */
  takeTestSpan(testId: string): number | undefined {
    const span = this.testSpans.get(testId);
    this.testSpans.delete(testId);
    return span;
  }

  /** Waits taken between messages (a callback test's one-token waits), for GoodAI's WAIT events. */
  takeWaits(): { testId: string; tokens: number; time: number }[] {
    return this.waitEvents.splice(0);
  }

  /** Tests that ended without a message of their own since the last call (their reply-less END). */
  takeEnded(): string[] {
    return this.ended.splice(0);
  }

  /** The next message to send, or undefined when the lane is done. Call `record` with its reply before asking again. */
  next(): ScheduleStep | undefined {
    if (this.awaiting) throw new Error(`lane ${this.lane}: step ${this.awaiting.step.step} has no recorded reply yet`);
    if (this.introDue) {
      this.introDue = false;
      return this.emit({ kind: 'filler', testId: 'filler', dataset: 'filler', message: this.o.intro!, isQuestion: false, lineIndex: -1, isIntro: true });
    }
    for (;;) {
      if (this.fillerOwed > 0) return this.emitFiller();
      if (this.fillerFor) {
        const t = this.fillerFor;
        this.fillerFor = undefined;
        if (!this.isWaiting(t, true)) this.current = t;
      }
      if (!this.current) {
        if (this.remaining === 0) return undefined;
        this.current = this.pick();
        if (!this.current) continue; // filler owed
      }
      const step = this.stepCurrent(this.current);
      if (step) return step;
    }
  }

  /** The reply to the step last handed out; returns its tokens (counted once here, issue 13). */
  record(reply: string): number {
    const a = this.awaiting;
    if (!a) throw new Error(`lane ${this.lane}: no step awaits a reply`);
    this.awaiting = undefined;
    const step = a.step;
    const replyTokens = a.expectedTokens !== undefined && reply === step.expected ? a.expectedTokens : this.o.countTokens(reply);
    step.replyTokens = replyTokens;
    this.totalTokens += step.tokens + replyTokens;
    for (const t of this.watchers) if (t.callbackLeft !== undefined && t.callbackLeft > 0) t.callbackLeft--;
    if (step.kind === 'filler' && !step.isIntro) {
      this.fillerOwed -= step.tokens + replyTokens;
      return replyTokens;
    }
    const t = a.test;
    if (!t) return replyTokens;
    if (step.isReset) {
      this.end(t);
      return replyTokens;
    }
    t.lastReplyTokens = replyTokens;
    if (t.script && this.o.llmReplies) {
      const recorded = this.o.llmReplies(t.def.testId);
      t.script.replay(reply, () => recorded[(t.llmRead = (t.llmRead ?? 0) + 1) - 1]);
    }
    if (step.registersCallback) {
      t.callbackLeft = Math.max(0, (this.o.callbackHorizon?.(t.def) ?? 1) - 1);
      this.watchers.add(t);
    }
    this.afterSend(t, step);
    return replyTokens;
  }

  /** GoodAI's `pick_next_test_id`; undefined when filler is owed first. */
  private pick(): PlanTest | undefined {
    const waiting = [...this.waitList.entries()].sort((x, y) => x[1].tokens - y[1].tokens);
    for (const [id] of waiting) {
      const t = this.byId.get(id)!;
      if (!this.isWaiting(t, true)) return t;
    }
    const next = this.firstCompatible();
    if (next) return next;
    // Jumping the clock is cheaper than filling tokens (GoodAI does it first, one second past the target).
    for (;;) {
      const t = this.blocked('time');
      if (!t) break;
      const target = this.waitList.get(t.def.testId)!.time;
      this.jump(Math.max(target - this.now, 0) + 1000);
      if (!this.isWaiting(t, true)) return t;
    }
    const t = this.blocked('tokens');
    if (!t) throw new Error(`lane ${this.lane}: no test to run and none waiting`);
    this.fillerOwed = this.waitList.get(t.def.testId)!.tokens - this.totalTokens;
    this.fillerFor = t;
    return undefined;
  }

  /** Steps the current test: its next line, or undefined when it starts waiting or ends without a message. */
  private stepCurrent(t: PlanTest): ScheduleStep | undefined {
    const first = !t.started;
    if (first) {
      t.started = true;
      t.startTokens = this.totalTokens;
    }
    if (t.finished || this.callbackDone(t)) return this.finish(t);
    const action = t.actions[t.pos];
    if (!action) {
      if (t.callbackLeft !== undefined && this.o.isolated) {
        // Isolated: filler in 100-token portions until the callback decides (GoodAI's run_filler_task(100)).
        this.fillerOwed = 100;
        return undefined;
      }
      if (t.callbackLeft !== undefined) {
        // GoodAI's callback test waits one token at a time until its callback decides, a WAIT each time.
        this.waitEvents.push({ testId: t.def.testId, ...this.setToWait(t, { tokens: 1 }) });
        this.current = undefined;
        return undefined;
      }
      return this.finish(t);
    }
    if (action.kind === 'wait') {
      // Defensive: a wait is taken right after the line it follows (afterSend).
      t.pos++;
      this.takeWait(t, action.wait);
      return undefined;
    }
    t.pos++;
    return this.sendLine(t, action, first);
  }

  private sendLine(t: PlanTest, action: Extract<Action, { kind: 'send' }>, first: boolean): ScheduleStep {
    const def = t.def;
    const i = action.line;
    let message = action.message ?? def.script[i] ?? '';
    if (action.message === undefined && i >= def.script.length) message = this.o.createQuestion?.(def, t.lineTimes, this.now) ?? message;
    t.lineTimes.push(this.now);
    const registers = def.uses_callback && (def.is_question[i] ?? false);
    return this.emit(
      {
        kind: 'test',
        testId: def.testId,
        dataset: def.dataset,
        message,
        isQuestion: action.isQuestion ?? def.is_question[i] ?? false,
        lineIndex: i,
        ...(first ? { beginsTest: true } : {}),
        ...(registers ? { registersCallback: true } : {}),
      },
      t,
    );
  }

  /** After a line's reply: GoodAI takes the wait that follows it at once, or sees the script end. */
  private afterSend(t: PlanTest, step: ScheduleStep): void {
    const action = t.actions[t.pos];
    if (action?.kind === 'wait') {
      t.pos++;
      const w = this.takeWait(t, action.wait);
      if (w) step.waitAfter = w;
      return;
    }
    if (!action && t.callbackLeft === undefined && this.o.resetMessage?.(t.def) === undefined) {
      step.endsTest = true;
      this.end(t);
    }
  }

  /** GoodAI's `set_to_wait` (or, isolated, only the clock jump); returns the WAIT event's fields. */
  private takeWait(t: PlanTest, wait: Wait): { tokens: number; time: number } | undefined {
    if (this.o.isolated) {
      if ((wait.time ?? 0) > 0) this.jump((wait.time ?? 0) * 1000);
      return undefined;
    }
    const w = this.setToWait(t, wait);
    this.current = undefined;
    return w;
  }

  private setToWait(t: PlanTest, wait: Wait): { tokens: number; time: number } {
    let tokenWait: number;
    if ((wait.percentage_finished ?? 0) > 0) {
      const asTokens = Math.floor((this.o.memorySpan / 100) * wait.percentage_finished!);
      tokenWait = Math.max(0, asTokens - (this.totalTokens - t.startTokens), wait.tokens ?? 0);
    } else tokenWait = wait.tokens ?? 0;
    // A nominal wait is 1 token; a real one counts the reply to the previous line as waited.
    if (tokenWait > 1) tokenWait = Math.max(0, tokenWait - t.lastReplyTokens);
    const time = this.o.clock ? (wait.time ?? 0) : 0;
    this.waitList.set(t.def.testId, { tokens: this.totalTokens + tokenWait, time: this.now + time * 1000 });
    return { tokens: tokenWait, time };
  }

  private isWaiting(t: PlanTest, remove: boolean): boolean {
    const w = this.waitList.get(t.def.testId);
    if (!w) return false;
    if (w.tokens > this.totalTokens || w.time > this.now) return true;
    if (remove) this.waitList.delete(t.def.testId);
    return false;
  }

  /**
   * The first test, by `<Dataset> - <id>`, that GoodAI's `are_compatible` accepts beside every
   * waiting test. A compatible dataset has no test waiting (never two of one dataset), so its
   * queue's head is not waiting either.
   */
  private firstCompatible(): PlanTest | undefined {
    let best: PlanTest | undefined;
    for (const q of this.queues) {
      const head = this.headOf(q);
      if (!head || !this.compatible(q.dataset) || (best && byUniqueId(head, best) >= 0)) continue;
      best = head;
    }
    return best;
  }

  /** The queue's first test not yet ended; ended ones before it are let go. */
  private headOf(q: { tests: (PlanTest | undefined)[]; head: number }): PlanTest | undefined {
    while (q.head < q.tests.length && q.tests[q.head]!.ended) q.tests[q.head++] = undefined;
    return q.tests[q.head];
  }

  /** GoodAI's `are_compatible` against every waiting test: never two of one dataset, nor of an incompatible group. */
  private compatible(mine: string): boolean {
    for (const id of this.waitList.keys()) {
      const other = this.byId.get(id)!.def.dataset;
      if (other === mine || this.o.incompatibilities.some((g) => g.includes(other) && g.includes(mine))) return false;
    }
    return true;
  }

  /** The waiting test with the nearest target still ahead on `on`. */
  private blocked(on: 'tokens' | 'time'): PlanTest | undefined {
    const target = on === 'tokens' ? this.totalTokens : this.now;
    let best: [string, number] | undefined;
    for (const [id, w] of this.waitList) if (w[on] > target && (!best || w[on] < best[1])) best = [id, w[on]];
    return best ? this.byId.get(best[0]) : undefined;
  }

  private callbackDone(t: PlanTest): boolean {
    return t.callbackLeft === 0 && t.pos >= t.actions.length;
  }

  /** The script and callback are done: the reset message, or END now. */
  private finish(t: PlanTest): ScheduleStep | undefined {
    t.finished = true;
    const reset = this.o.resetMessage?.(t.def);
    if (reset !== undefined && reset !== '') {
      const lineIndex = t.script ? t.actions.filter((a) => a.kind === 'send').length : lineCount(t.def);
      return this.emit({ kind: 'test', testId: t.def.testId, dataset: t.def.dataset, message: reset, isQuestion: false, lineIndex, isReset: true, endsTest: true }, t);
    }
    this.ended.push(t.def.testId);
    this.end(t);
    return undefined;
  }

  private end(t: PlanTest): void {
    this.testSpans.set(t.def.testId, this.totalTokens - t.startTokens);
    t.ended = true;
    this.remaining--;
    this.watchers.delete(t);
    this.waitList.delete(t.def.testId);
    this.byId.delete(t.def.testId);
    if (this.current === t) this.current = undefined;
    if (this.o.isolated) this.conversationFresh = true;
  }

  private emitFiller(): ScheduleStep {
    const f = this.filler.next(this.fillerOwed, this.o.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE);
    // GoodAI hands filler a canned reply only while no callback watches the replies.
    const watched = this.watchers.size > 0;
    const step = this.emit({ kind: 'filler', testId: 'filler', dataset: 'filler', message: f.message, isQuestion: false, lineIndex: -1, ...(watched ? {} : { expected: f.expected }) }, undefined, f.tokens);
    if (!watched) this.awaiting = { step, expectedTokens: f.expectedTokens };
    return step;
  }

  private emit(
    partial: Pick<ScheduleStep, 'kind' | 'testId' | 'dataset' | 'message' | 'isQuestion' | 'lineIndex'> & Partial<ScheduleStep>,
    test?: PlanTest,
    /** The message's tokens when already known (the filler counts its own). */
    knownTokens?: number,
  ): ScheduleStep {
    const clock = this.o.clock;
    let message = partial.message;
    const temporal = test?.def.is_temporal === true && partial.kind === 'test' && !partial.isReset;
    if (clock && (clock.prefix === 'all' || (clock.prefix === 'temporal' && temporal))) message = timestampPrefix(this.now) + message;
    const n = this.stepCount++;
    const step: ScheduleStep = {
      beginsTest: false,
      endsTest: false,
      ...partial,
      message,
      turnId: n * this.laneCount + this.lane,
      lane: this.lane,
      step: n,
      tokens: knownTokens !== undefined && message === partial.message ? knownTokens : this.o.countTokens(message),
      laneTokensBefore: this.totalTokens,
      ...(clock ? { virtualTimeMs: this.now } : {}),
      ...(this.pendingJumpS > 0 ? { clockJumpS: this.pendingJumpS } : {}),
      ...(this.o.isolated && this.conversationFresh && n > 0 && partial.kind === 'test' ? { newConversation: true } : {}),
    };
    if (partial.kind === 'test') this.conversationFresh = false;
    this.pendingJumpS = 0;
    if (clock) this.now += clock.stepS * 1000;
    if (this.o.keepSteps !== false) this.steps.push(step);
    this.awaiting = test ? { step, test } : { step };
    return step;
  }

  private jump(ms: number): void {
    this.now += ms;
    this.pendingJumpS += Math.ceil(ms / 1000);
  }
}
