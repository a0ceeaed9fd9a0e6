import { context, INVALID_SPAN_CONTEXT, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { join } from 'node:path';
import { restoreAgent, trimSessionState } from '../agents/restore.js';
import type { Agent, AgentFactory, AgentReply } from '../agents/types.js';
import type { TestScore, TurnMetric } from '../artifacts/schemas.js';
import type { AgentConfig } from '../config/agent.js';
import type { AskLlm, DynamicScript } from '../datasets/dynamic-script.js';
import type { TestDefinition } from '../datasets/types.js';
import type { Judge } from '../scoring/judge.js';
import type { ScoringMode } from '../scoring/types.js';
import { getScorer } from '../scoring/registry.js';
import { JudgeError } from '../scoring/judge.js';
import { ATTR, SPAN, TRACER_NAME } from '../telemetry/names.js';
import { FillerBlocks, SESSION_ID, startTestSpan, testSessionId, type TracePer } from '../telemetry/trace-per.js';
import type { Reporter, TestEndInfo } from '../events/reporter.js';
import type { EndedTest, LaneRestore, RestoredTurn } from './resume.js';
import type { RunState } from './run-state.js';
import type { ScheduleStep } from './scheduler.js';
import type { LanePlan } from './lane-plan.js';
import type { CompletedExchange } from '../agents/restore.js';
import { runTurn, type Emit } from './turn-executor.js';
import { textAttrs } from './turn-record.js';
import { pauseUntilAborted } from './retry.js';
// issue 7: callbacks, judged scoring, measured memory span, real waits
import { CallbackWatch } from './callbacks.js';
import { evaluateTest, type TestVerdict } from './evaluate-test.js';

/** Everything one lane (one conversation with the agent) needs. */
export interface LaneContext {
  lane: number;
  /** issue 12: the lane's plan hands out the next step once the previous reply is in. */
  plan: LanePlan;
  runId: string;
  runDir: string;
  agentConfig: AgentConfig;
  factory: AgentFactory;
  testsById: Map<string, TestDefinition>;
  state: RunState;
  emit: Emit;
  runCtx: Context;
  /** One trace per run, or each test (and each block of filler turns) a trace of its own. */
  tracePer: TracePer;
  signal: AbortSignal;
  reporters: Reporter[];
  // ---- issue 7 ----
  /** LLM judge for evaluations that GoodAI hands to an LLM. */
  judge?: Judge;
  /** The configured memory span: a test whose measured span exceeds it gets a warning. */
  memorySpan?: number;
  /** issue 12: the dataset config's `scoring` rule (`goodai` or `strict`). */
  scoring?: ScoringMode;
  /** Really wait on clock jumps (for agents that read their own clock), at most this many seconds each. */
  realWaitMaxS?: number;
  /** Resume (issue 4): this lane's completed turns, replayed from disk instead of sent. */
  restore?: LaneRestore;
}

interface OpenTest {
  def: TestDefinition;
  span: Span;
  ctx: Context;
  answers: string[];
  /** issue 25: the question lines as sent (a temporal test's is written at run time), for GoodAI's judge. */
  questions: string[];
  log: TestEndInfo['log'];
  tokens: number;
  characters: number;
  errors: number;
  /** issue 22: the test's questions whose call failed (HTTP error, timeout, overflow after retries): not answered. */
  unanswered: string[];
  /** issue 22: its answers cut at max_tokens. */
  truncated: number;
  /** Lane tokens/characters when the test began (issue 7: measured span). */
  startTokens?: number;
  startCharacters?: number;
  /** A dynamic test's script (GoodAI's Restaurant), and how many judge calls it has made. */
  script?: DynamicScript;
  llmCalls: number;
}

/** The lane's conversation with the agent, opened when the first live turn needs it (after a resume's replay). */
interface Conversation {
  agent?: Agent;
  /** Isolated mode (issue 12) opens one per test. */
  index: number;
  /** Successful exchanges of this conversation replayed from disk, for the agent's restore. */
  replayed: CompletedExchange[];
}

/** Sends the steps the lane's plan hands out, scoring each test when it ends. */
export async function runLane(c: LaneContext): Promise<void> {
  const open = new Map<string, OpenTest>();
  const callbacks = new CallbackWatch();
  const lane = { tokens: 0, characters: 0 };
  const conv: Conversation = { index: 0, replayed: [] };
  const filler = new FillerBlocks({ runId: c.runId, lane: c.lane, runCtx: c.runCtx, per: c.tracePer });
  try {
    for (;;) {
      if (c.signal.aborted) break;
      const step = c.plan.next();
      await finishEnded(c, open, callbacks, lane);
      if (!step) break;
      if (step.newConversation) await newConversation(c, conv);
      const restored = c.restore?.turns.get(step.step);
      // A restored step's waits are on disk already.
      for (const w of c.plan.takeWaits()) if (!restored) publishEvent(c, 'wait', { test_id: w.testId, tokens: w.tokens, time: w.time });
      // A restored turn's clock jump was waited for before the kill.
      if (!restored && step.clockJumpS && c.realWaitMaxS !== undefined) await pauseUntilAborted(Math.min(step.clockJumpS, c.realWaitMaxS) * 1000, c.signal);
      const test = step.kind === 'test' && step.beginsTest ? await beginTest(c, step, open, !!restored, lane) : open.get(step.testId);
      // issue 12: GoodAI checks callbacks after a test's steps, before its reset message goes out.
      if (step.isReset) for (const id of callbacks.decide()) if (!restored) publishEvent(c, 'callback_deregister', { test_id: id, turn_id: step.turnId });
      if (restored) {
        if (restored.record.test_id !== step.testId) throw new Error(`lane ${c.lane} step ${step.step}: recorded for ${restored.record.test_id}, but the plan rebuilt from the recorded replies has ${step.testId}`);
        await replayTurn(c, step, restored, test, callbacks, lane, conv);
      } else {
        const agent = await openAgent(c, conv);
        const done = await liveTurn(c, agent, step, test, callbacks, lane, filler);
        if (!done) break;
      }
      if (test && step.endsTest) {
        const ended = restored ? c.restore?.endedTests.get(step.testId) : undefined;
        // Closed before finishing: a write error in finishTest must not let the `finally` end its span twice (issue 13).
        open.delete(step.testId);
        if (ended) c.state.testFinished(endedScore(step.testId, step.dataset, ended, test.errors));
        else await finishTest(c, test, callbacks, lane);
      }
    }
  } finally {
    for (const t of open.values()) {
      t.span.setStatus({ code: SpanStatusCode.ERROR, message: 'test did not finish' });
      t.span.end();
    }
    filler.end();
    await conv.agent?.close().catch(() => {});
  }
}

/** A test scored before a resume, as its `test_end` recorded it. */
function endedScore(testId: string, dataset: string, ended: EndedTest, errors: number): TestScore {
  const { status, truncated, ...rest } = ended;
  return { test_id: testId, dataset, ...rest, errors, ...(status ? { status } : {}), ...(truncated ? { truncated } : {}) };
}

function publishEvent(c: LaneContext, type: string, data: Record<string, unknown>): void {
  for (const r of c.reporters) r.onEvent?.(type, data);
}

/** Tests the plan ended without a message of their own (no reset message after a wait or a callback). */
async function finishEnded(c: LaneContext, open: Map<string, OpenTest>, callbacks: CallbackWatch, lane: { tokens: number; characters: number }): Promise<void> {
  for (const id of c.plan.takeEnded()) {
    const test = open.get(id);
    if (!test) continue;
    const ended = c.restore?.endedTests.get(id);
    open.delete(id);
    if (ended) c.state.testFinished(endedScore(id, test.def.dataset, ended, test.errors));
    else await finishTest(c, test, callbacks, lane);
  }
}

/**
 * Phoenix's session (OpenInference `session.id`) of a test's spans: per test trace the test's own,
 * so Phoenix's Sessions view lists every test; in one trace per run, the lane's conversation.
 */
function traceSession(c: LaneContext, testId: string): string {
  return c.tracePer === 'test' ? testSessionId(c.runId, testId) : sessionPaths(c, 0).sessionId;
}

function sessionPaths(c: LaneContext, index: number): { sessionId: string; stateDir: string } {
  const suffix = index > 0 ? `/conv-${index}` : '';
  return { sessionId: `${c.runId}/lane-${c.lane}${suffix}`, stateDir: join(c.runDir, 'state', `lane-${c.lane}${suffix ? `-conv-${index}` : ''}`) };
}

/** The conversation's agent, created on first use; on a resume, cut back and given its replayed history. */
async function openAgent(c: LaneContext, conv: Conversation): Promise<Agent> {
  if (conv.agent) return conv.agent;
  const { sessionId, stateDir } = sessionPaths(c, conv.index);
  if (c.restore) trimSessionState(stateDir, conv.replayed.length);
  // issue 16: opened inside the run's trace, so the `storage open` span is not a trace of its own.
  conv.agent = await context.with(c.runCtx, () => c.factory.createSession({ sessionId, stateDir }));
  if (c.restore) restoreAgent(conv.agent, conv.replayed);
  const own = conv.agent.maxMessageSize;
  if (conv.index === 0 && own !== undefined && own !== c.agentConfig.max_message_size) {
    // issue 12: filler is sized from the agent YAML (a resume must rebuild the same plan); say when the adapter disagrees.
    const message = `agent ${c.agentConfig.name} takes messages of up to ${own} tokens, but max_message_size is ${c.agentConfig.max_message_size}: filler is sized to the config; set max_message_size: ${own} in the agent YAML`;
    await c.emit('onNotice', 'max_message_size_mismatch', message, { lane: c.lane, agent: own, config: c.agentConfig.max_message_size }, c.state.snapshot());
  }
  return conv.agent;
}

/** Isolated mode (issue 12): GoodAI's `agent.reset()` between tests is a new conversation. */
async function newConversation(c: LaneContext, conv: Conversation): Promise<void> {
  await conv.agent?.close().catch(() => {});
  conv.agent = undefined;
  conv.index++;
  conv.replayed = [];
}

async function beginTest(c: LaneContext, step: ScheduleStep, open: Map<string, OpenTest>, restored: boolean, lane: { tokens: number; characters: number }): Promise<OpenTest> {
  const def = c.testsById.get(step.testId)!;
  // Issue 13: the open test holds its definition from here; an ended one is let go, so a run's memory does not grow with its length.
  c.testsById.delete(step.testId);
  // A test already scored before a resume was exported with its span then.
  const span = c.restore?.endedTests.has(step.testId)
    ? trace.wrapSpanContext(INVALID_SPAN_CONTEXT)
    : startTestSpan(SPAN.test, c.runCtx, c.tracePer, {
        'openinference.span.kind': 'CHAIN',
        [ATTR.runId]: c.runId,
        [ATTR.testId]: step.testId,
        [ATTR.dataset]: step.dataset,
        [SESSION_ID]: traceSession(c, step.testId),
      });
  const test: OpenTest = { def, span, ctx: trace.setSpan(c.runCtx, span), answers: [], questions: [], log: [], tokens: 0, characters: 0, errors: 0, unanswered: [], truncated: 0, startTokens: lane.tokens, startCharacters: lane.characters, llmCalls: 0 };
  const script = c.plan.scriptOf(step.testId);
  if (script) test.script = script;
  open.set(step.testId, test);
  c.state.testStarted(step.testId);
  if (!restored) await c.emit('onTestStart', def, c.lane, c.state.snapshot());
  return test;
}

/** Resume: the turn is on disk already; the plan, the totals and the test's answers are rebuilt from it. */
async function replayTurn(c: LaneContext, step: ScheduleStep, restored: RestoredTurn, test: OpenTest | undefined, callbacks: CallbackWatch, lane: { tokens: number; characters: number }, conv: Conversation): Promise<void> {
  if (test?.script && !step.isReset) await test.script.afterReply(restored.replyText, judgeCalls(c, test));
  const replyTokens = c.plan.record(restored.replyText);
  c.state.turnFinished(restored.record);
  c.state.traffic(step.tokens, replyTokens, restored.record.total_ms);
  if (restored.record.status === 'success') conv.replayed.push({ message: step.message, reply: restored.replyText });
  lane.tokens = c.plan.totalTokens;
  lane.characters += step.message.length + restored.replyText.length;
  // issue 7's callbacks see restored replies as they saw them the first time (events already on disk).
  if (step.registersCallback && test) callbacks.register(test.def);
  callbacks.observe(restored.replyText, !step.isReset);
  if (test) addToTest(test, step, restored.replyText, restored.record);
}

/** Sends one step (or pre-fills it, issue 12); false when the run was interrupted mid-call and the turn must be sent again. */
async function liveTurn(c: LaneContext, agent: Agent, step: ScheduleStep, test: OpenTest | undefined, callbacks: CallbackWatch, lane: { tokens: number; characters: number }, filler: FillerBlocks): Promise<boolean> {
  const tokenHooks = c.reporters.filter((r) => r.onToken);
  const prefilled = step.kind === 'filler' && step.expected !== undefined && agent.prefill !== undefined;
  // Issue 13: the one turn executor (span, retries, interrupt, record, sanitizer) shared with task runs.
  // A pre-filled turn is a call too (a protocol agent's over the wire): same time limit, retries and failure reasons.
  const done = await runTurn({
    agent,
    step,
    place: { run_id: c.runId, test_id: step.testId, turn_id: step.turnId, lane: step.lane, step: step.step, dataset: step.dataset, kind: step.kind, is_question: step.isQuestion },
    runId: c.runId,
    sessionId: sessionPaths(c, 0).sessionId,
    traceSessionId: test ? traceSession(c, step.testId) : c.tracePer === 'test' ? filler.sessionId : sessionPaths(c, 0).sessionId,
    parentCtx: test?.ctx ?? (step.kind === 'filler' ? filler.parent() : c.runCtx),
    attributes: { 'referee.prefilled': prefilled },
    timeoutMs: c.agentConfig.timeouts.call_s * 1000,
    signal: c.signal,
    retries: c.agentConfig.retries,
    state: c.state,
    emit: c.emit,
    ...(prefilled ? { call: () => prefillCall(agent, step), errorPrefix: 'prefill: ', extra: { prefilled: true } } : {}),
    // The plan learns the reply first: the wait it starts (GoodAI's WAIT) and the test's end go out with the turn.
    beforeEnd: async (record, replyText) => {
      // A dynamic test's script reads the reply (its judge calls) and writes its next message before the plan moves on.
      if (test?.script && !step.isReset) await test.script.afterReply(replyText, judgeCalls(c, test));
      const replyTokens = c.plan.record(replyText);
      c.state.traffic(step.tokens, replyTokens, record.total_ms);
    },
    ...(tokenHooks.length ? { onToken: (d: string) => tokenHooks.forEach((r) => r.onToken!(step, d)) } : {}),
  });
  // issue 12/13: a message cut off by an interrupt is not a failed empty reply: it is sent again on resume (GoodAI does the same).
  if (!done) return false;
  const { record, replyText } = done;

  // ---- issue 7: measured span and callbacks ----
  lane.tokens = c.plan.totalTokens;
  lane.characters += step.message.length + replyText.length;
  if (step.registersCallback && test) {
    callbacks.register(test.def);
    publishEvent(c, 'callback_register', { test_id: step.testId, turn_id: step.turnId });
  }
  for (const testId of callbacks.observe(replyText, !step.isReset)) publishEvent(c, 'callback_deregister', { test_id: testId, turn_id: step.turnId });
  if (test) addToTest(test, step, replyText, record);
  return true;
}

/**
 * A dynamic test's judge calls (GoodAI's `ask_llm`): through the run's judge, both of GoodAI's
 * models answered by it; each reply recorded as an `llm_call` event, as GoodAI's master log caches them.
 */
function judgeCalls(c: LaneContext, test: OpenTest): AskLlm {
  return async (prompt, model) => {
    const index = test.llmCalls++;
    // A resumed run reads the replies recorded before the kill (GoodAI's master log cache), so it sends the same messages.
    const recorded = c.restore?.llmCalls?.get(test.def.testId)?.[index];
    if (recorded !== undefined) return recorded;
    if (!c.judge) throw new Error('no judge is configured (--judge-config)');
    const response = await c.judge.ask(prompt);
    publishEvent(c, 'llm_call', { test_id: test.def.testId, index, model, response });
    return response;
  };
}

/** GoodAI's `message_to_agent(msg, agent_response)`: the canned reply goes into the agent's history, no LLM call is made. */
async function prefillCall(agent: Agent, step: ScheduleStep): Promise<AgentReply> {
  await agent.prefill!(step.message, step.expected!, { testId: step.testId, turnId: step.turnId });
  return { text: step.expected!, usage: { inputTokens: 0, outputTokens: 0 } };
}

/** What a test is worth, as its deterministic scorer says (1 where it cannot say). */
function worthOf(def: TestDefinition, answers: string[], scoring: ScoringMode | undefined): number {
  try {
    return getScorer(def.evaluation ?? def.dataset)(def, answers, scoring ? { scoring } : {}).maxScore;
  } catch {
    return 1;
  }
}

/** A turn's share of its test: the log, token and character counts, errors, answers. */
function addToTest(test: OpenTest, step: ScheduleStep, replyText: string, record: TurnMetric): void {
  test.log.push({ role: 'user', text: step.message, turnId: step.turnId }, { role: 'agent', text: replyText, turnId: step.turnId });
  test.tokens += step.tokens + record.tokens_out;
  test.characters += step.message.length + replyText.length;
  if (record.status === 'error') test.errors++;
  if (step.isQuestion) {
    test.answers.push(replyText);
    test.questions.push(step.message);
    if (record.status === 'error') test.unanswered.push(`question ${test.answers.length} not answered: ${record.error ?? record.reason ?? 'the call failed'}`);
    if (record.finish_reason === 'length') test.truncated++;
  }
}

async function finishTest(c: LaneContext, test: OpenTest, callbacks: CallbackWatch, lane: { tokens: number; characters: number }): Promise<void> {
  const tracer = trace.getTracer(TRACER_NAME);
  const evaluator = test.def.evaluation ?? test.def.dataset;
  const started = performance.now();
  const result = await tracer.startActiveSpan(
    SPAN.evaluate(evaluator),
    { attributes: { 'openinference.span.kind': 'EVALUATOR', [ATTR.testId]: test.def.testId, 'referee.evaluator': evaluator } },
    test.ctx,
    async (span): Promise<TestVerdict> => {
      try {
        if (test.script) {
          // GoodAI's DynamicExample.evaluate: the points its script kept over its max score, out of 1; its reasoning.
          const v = test.script.verdict();
          test.def.expected_responses = v.expectedResponses;
          const score = v.score / v.maxScore;
          span.setAttributes({ [ATTR.score]: score, [ATTR.maxScore]: 1, ...textAttrs('output', v.reasons.join('\n')) });
          return { score, maxScore: 1, reasons: v.reasons, ...(v.judgeError !== undefined ? { status: 'judge_error' as const } : {}) };
        }
        if (test.unanswered.length > 0) {
          // issue 22: a failed call is not an answer: the scorer (and a paid judge) is not asked about
          // an empty reply; the deterministic scorer only says what the test was worth.
          span.setAttributes({ [ATTR.status]: 'error', ...textAttrs('output', test.unanswered.join('\n')) });
          return { score: 0, maxScore: worthOf(test.def, test.answers, c.scoring), reasons: test.unanswered, status: 'error' };
        }
        const r = await evaluateTest(test.def, test.answers, {
          callbacks,
          questions: test.questions,
          ...(c.judge ? { judge: c.judge } : {}),
          ...(c.scoring ? { scoring: c.scoring } : {}),
        });
        span.setAttributes({
          // issue 25: an unscored test (no judge) has no score to record.
          ...(r.score !== null && r.maxScore !== null ? { [ATTR.score]: r.score, [ATTR.maxScore]: r.maxScore } : { [ATTR.status]: 'unscored' }),
          ...textAttrs('input', JSON.stringify(test.answers)),
          ...textAttrs('output', r.reasons.join('\n')),
        });
        return r;
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        // issue 22: a judge whose verdict could not be read, even retried, is the evaluation's error, not the agent's.
        if (err instanceof JudgeError) return { score: 0, maxScore: err.maxScore ?? 1, reasons: [err.message], status: 'judge_error' };
        return { score: 0, maxScore: 1, reasons: [`scoring failed: ${(err as Error).message}`] };
      } finally {
        span.end();
      }
    },
  );
  const score: TestScore = {
    test_id: test.def.testId,
    dataset: test.def.dataset,
    score: result.score,
    max_score: result.maxScore,
    reasons: result.reasons,
    errors: test.errors,
    ...(result.status ? { status: result.status } : {}),
    ...(test.truncated ? { truncated: test.truncated } : {}),
  };
  c.state.testFinished(score);
  test.span.setAttributes({
    ...(result.score !== null && result.maxScore !== null ? { [ATTR.score]: result.score, [ATTR.maxScore]: result.maxScore } : { [ATTR.status]: 'unscored' }),
    'referee.evaluation_ms': performance.now() - started,
    // Phoenix's Sessions view shows a trace's head input and output: the test's messages and the agent's answers.
    ...textAttrs('input', test.log.filter((m) => m.role === 'user').map((m) => m.text).join('\n')),
    ...textAttrs('output', test.answers.join('\n')),
  });
  test.span.end();
  const measuredTokens = lane.tokens - (test.startTokens ?? 0);
  if (c.memorySpan !== undefined && measuredTokens > c.memorySpan) {
    // GoodAI warns the same way: a failure may be the overrun's, not the agent's.
    await c.emit(
      'onNotice',
      'memory_span_overrun',
      `${test.def.testId} spanned ${measuredTokens} tokens, more than the memory span of ${c.memorySpan}; a failure may be due to the overrun`,
      { test_id: test.def.testId, tokens: measuredTokens, memory_span: c.memorySpan },
      c.state.snapshot(),
    );
  }
  await c.emit(
    'onTestEnd',
    {
      test: test.def,
      score,
      answers: test.answers,
      log: test.log,
      tokens: test.tokens,
      characters: test.characters,
      span: c.plan.takeTestSpan(test.def.testId) ?? lane.tokens - (test.startTokens ?? 0),
      measured: { tokens: lane.tokens - (test.startTokens ?? 0), characters: lane.characters - (test.startCharacters ?? 0) },
    },
    c.state.snapshot(),
  );
}
