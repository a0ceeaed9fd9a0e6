import { INVALID_SPAN_CONTEXT, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { join } from 'node:path';
import { restoreAgent, trimSessionState } from '../agents/restore.js';
import type { Agent, AgentFactory } from '../agents/types.js';
import type { TestScore, TurnMetric } from '../artifacts/schemas.js';
import type { AgentConfig } from '../config/agent.js';
import type { TestDefinition } from '../datasets/types.js';
import type { Judge } from '../scoring/judge.js';
import { ATTR, SPAN, TRACER_NAME } from '../telemetry/names.js';
import type { Reporter, TestEndInfo } from '../events/reporter.js';
import { completedExchanges, type LaneRestore } from './resume.js';
import type { RunState } from './run-state.js';
import type { Schedule, ScheduleStep } from './scheduler.js';
import { textAttrs } from './turn-record.js';
import { runTurn, type Emit } from './turn-executor.js';
// issue 7: callbacks, judged scoring, measured memory span, real waits
import { CallbackWatch } from './callbacks.js';
import { evaluateTest } from './evaluate-test.js';
import { countTokens } from '../tokens.js';

/** Everything one lane (one conversation with the agent) needs. */
export interface LaneContext {
  lane: number;
  steps: ScheduleStep[];
  runId: string;
  runDir: string;
  agentConfig: AgentConfig;
  factory: AgentFactory;
  testsById: Map<string, TestDefinition>;
  state: RunState;
  emit: Emit;
  runCtx: Context;
  signal: AbortSignal;
  reporters: Reporter[];
  schedule: Schedule;
  // ---- issue 7 ----
  /** LLM judge for evaluations that GoodAI hands to an LLM. */
  judge?: Judge;
  /** The configured memory span: a test whose measured span exceeds it gets a warning. */
  memorySpan?: number;
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
  log: TestEndInfo['log'];
  tokens: number;
  characters: number;
  errors: number;
  /** Lane tokens/characters when the test began (issue 7: measured span). */
  startTokens?: number;
  startCharacters?: number;
}

/** Sends a lane's steps in order, scoring each test when its last line is answered. */
export async function runLane(c: LaneContext): Promise<void> {
  const tracer = trace.getTracer(TRACER_NAME);
  const sessionId = `${c.runId}/lane-${c.lane}`;
  const stateDir = join(c.runDir, 'state', `lane-${c.lane}`);
  const exchanges = c.restore ? completedExchanges(c.steps, c.restore) : [];
  if (c.restore) trimSessionState(stateDir, exchanges.length);
  const agent: Agent = await c.factory.createSession({ sessionId, stateDir });
  if (c.restore) restoreAgent(agent, exchanges);
  const open = new Map<string, OpenTest>();
  const tokenHooks = c.reporters.filter((r) => r.onToken);
  // ---- issue 7 ----
  const callbacks = new CallbackWatch();
  const publish = (type: string, data: Record<string, unknown>): void => c.reporters.forEach((r) => r.onEvent?.(type, data));
  const lane = { tokens: 0, characters: 0 };
  try {
    for (let i = 0; i < c.steps.length; i++) {
      const step = c.steps[i] as ScheduleStep;
      // Issue 13: a step handed out is not kept: a long run's plan would hold every message to its end.
      (c.steps as (ScheduleStep | undefined)[])[i] = undefined;
      if (c.signal.aborted) break;
      let test = open.get(step.testId);
      const restored = c.restore?.turns.get(step.step);
      // A restored turn's clock jump was waited for before the kill.
      if (!restored && step.clockJumpS && c.realWaitMaxS !== undefined) await sleep(Math.min(step.clockJumpS, c.realWaitMaxS) * 1000, c.signal);
      if (step.kind === 'test' && step.beginsTest) {
        const def = c.testsById.get(step.testId)!;
        // A test already scored before a resume was exported with its span then.
        const span = c.restore?.endedTests.has(step.testId) ? trace.wrapSpanContext(INVALID_SPAN_CONTEXT) : tracer.startSpan(
          SPAN.test,
          {
            attributes: {
              'openinference.span.kind': 'CHAIN',
              [ATTR.runId]: c.runId,
              [ATTR.testId]: step.testId,
              [ATTR.dataset]: step.dataset,
              'session.id': sessionId,
            },
          },
          c.runCtx,
        );
        test = { def, span, ctx: trace.setSpan(c.runCtx, span), answers: [], log: [], tokens: 0, characters: 0, errors: 0, startTokens: lane.tokens, startCharacters: lane.characters };
        open.set(step.testId, test);
        c.state.testStarted(step.testId);
        if (!restored) await c.emit('onTestStart', def, c.lane, c.state.snapshot());
      }
      if (restored) {
        // Resume: the turn is on disk already; only the totals and the test's answers are rebuilt.
        c.state.turnFinished(restored.record);
        // issue 7's measured span and callbacks see restored replies as they saw them the first time (events already on disk).
        lane.tokens += step.tokens + countTokens(restored.replyText);
        lane.characters += step.message.length + restored.replyText.length;
        if (step.registersCallback && test) callbacks.register(test.def);
        callbacks.observe(restored.replyText);
        if (test) {
          addToTest(test, step, restored.replyText, restored.record);
          if (step.endsTest) {
            const ended = c.restore?.endedTests.get(step.testId);
            // Closed before finishing: a write error in finishTest must not let the `finally` end its span twice (issue 13).
            open.delete(step.testId);
            if (ended) c.state.testFinished({ test_id: step.testId, dataset: step.dataset, ...ended, errors: test.errors });
            else await finishTest(c, test, callbacks, lane);
          }
        }
        continue;
      }
      // Issue 13: the one turn executor (retries, interrupt, record, sanitizer) shared with task runs.
      const done = await runTurn({
        agent,
        step,
        place: {
          run_id: c.runId,
          test_id: step.testId,
          turn_id: step.turnId,
          lane: step.lane,
          step: step.step,
          dataset: step.dataset,
          kind: step.kind,
          is_question: step.isQuestion,
        },
        runId: c.runId,
        sessionId,
        parentCtx: test?.ctx ?? c.runCtx,
        timeoutMs: c.agentConfig.timeouts.call_s * 1000,
        signal: c.signal,
        retries: c.agentConfig.retries,
        state: c.state,
        emit: c.emit,
        ...(tokenHooks.length ? { onToken: (d: string) => tokenHooks.forEach((r) => r.onToken!(step, d)) } : {}),
      });
      if (!done) break;
      const { record, replyText } = done;

      // ---- issue 7: measured span and callbacks ----
      lane.tokens += step.tokens + countTokens(replyText);
      lane.characters += step.message.length + replyText.length;
      if (step.registersCallback && test) {
        callbacks.register(test.def);
        publish('callback_register', { test_id: step.testId, turn_id: step.turnId });
      }
      for (const testId of callbacks.observe(replyText)) publish('callback_deregister', { test_id: testId, turn_id: step.turnId });

      if (test) {
        addToTest(test, step, replyText, record);
        if (step.endsTest) {
          open.delete(step.testId);
          await finishTest(c, test, callbacks, lane);
        }
      }
    }
  } finally {
    for (const t of open.values()) {
      t.span.setStatus({ code: SpanStatusCode.ERROR, message: 'test did not finish' });
      t.span.end();
    }
    await agent.close().catch(() => {});
  }
}

/** A turn's share of its test: the log, token and character counts, errors, answers. */
function addToTest(test: OpenTest, step: ScheduleStep, replyText: string, record: TurnMetric): void {
  test.log.push({ role: 'user', text: step.message, turnId: step.turnId }, { role: 'agent', text: replyText, turnId: step.turnId });
  test.tokens += step.tokens + record.tokens_out;
  test.characters += step.message.length + replyText.length;
  if (record.status === 'error') test.errors++;
  if (step.isQuestion) test.answers.push(replyText);
}

async function finishTest(c: LaneContext, test: OpenTest, callbacks: CallbackWatch, lane: { tokens: number; characters: number }): Promise<void> {
  const tracer = trace.getTracer(TRACER_NAME);
  const evaluator = test.def.evaluation ?? test.def.dataset;
  const started = performance.now();
  const result = await tracer.startActiveSpan(
    SPAN.evaluate(evaluator),
    { attributes: { 'openinference.span.kind': 'EVALUATOR', [ATTR.testId]: test.def.testId, 'referee.evaluator': evaluator } },
    test.ctx,
    async (span) => {
      try {
        const r = await evaluateTest(test.def, test.answers, { callbacks, ...(c.judge ? { judge: c.judge } : {}) });
        span.setAttributes({
          [ATTR.score]: r.score,
          [ATTR.maxScore]: r.maxScore,
          ...textAttrs('input', JSON.stringify(test.answers)),
          ...textAttrs('output', r.reasons.join('\n')),
        });
        return r;
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
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
  };
  c.state.testFinished(score);
  test.span.setAttributes({ [ATTR.score]: result.score, [ATTR.maxScore]: result.maxScore, 'referee.evaluation_ms': performance.now() - started });
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
      span: c.schedule.testSpans.get(test.def.testId) ?? 0,
      measured: { tokens: lane.tokens - (test.startTokens ?? 0), characters: lane.characters - (test.startCharacters ?? 0) },
    },
    c.state.snapshot(),
  );
}


/** Resolves after `ms`, or at once when the run is aborted. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
