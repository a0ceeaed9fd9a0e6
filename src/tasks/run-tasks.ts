/**
 * The task plan (issue 8): every task is a one-turn test, sent in a fresh
 * agent session (a task never sees another's context), with no filler,
 * `concurrency` tasks in flight, each retried up to `attempts` times and
 * scored as it ends. The one driver (src/runner/run-plan.ts) runs it: the same
 * set-up, run directory lock, run.json, endings and resume as an LTM run; its
 * turns go through the one turn executor (retries honouring `Retry-After`,
 * interrupt, sanitizer). The run directory, events, turn metrics, spans and
 * reports are those of an LTM run, plus `stage` events (cooling, thinking,
 * streaming, evaluating, done) for the live monitor.
 */
import { context, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { copyFileSync } from 'node:fs';
import { makeDirs, unwritableOutput } from '../artifacts/make-dir.js';
import { basename, join } from 'node:path';
import { describeAgent } from '../agents/factory.js';
import { splitThink, ThinkTracker } from '../agents/llm/think.js';
import type { TestScore } from '../artifacts/schemas.js';
import type { AgentConfig } from '../config/agent.js';
import { ConfigError } from '../errors.js';
import type { TaskVerdict } from '../scoring/evaluators.js';
import { JudgeError } from '../scoring/judge.js';
import { evaluateTask, evaluatorName } from '../scoring/task-scoring.js';
import { ATTR, SPAN, TRACER_NAME } from '../telemetry/names.js';
import { SESSION_ID, startTestSpan, testSessionId } from '../telemetry/trace-per.js';
import type { JudgeHandle } from '../runner/judge-agent.js';
import type { Reporter, TestEndInfo } from '../events/reporter.js';
import type { Plan, RunContext } from '../runner/plan.js';
import { runPlan, type DriverOptions, type RunResult } from '../runner/run-plan.js';
import { requireCodeSandbox } from '../scoring/code-policy.js';
import { pauseUntilAborted } from '../runner/retry.js';
import { runTurn } from '../runner/turn-executor.js';
import { textAttrs } from '../runner/turn-record.js';
import type { TaskDataset } from './load.js';
import type { EvaluatorSpec } from './schema.js';
import { attemptStep, DEFAULT_EVALUATOR, planTasks, requireJudge, type PlannedTask } from './task-plan.js';
import type { TaskResumePlan } from './task-resume.js';
import { taskShardOf, type TaskShard } from '../shards/shard-info.js';

export { requireJudge, taskDefinition } from './task-plan.js';

/** The stages a task passes through (seed 004), published as `stage` events. */
export type TaskStage = 'cooling' | 'thinking' | 'streaming' | 'evaluating' | 'done';

export interface TaskRunOptions extends DriverOptions {
  dataset: TaskDataset;
  /** Tasks in flight at once, each in its own agent session. @default 8 */
  concurrency?: number;
  /** Tries per task; a failed one is retried until it passes or this many were made. @default 1 */
  attempts?: number;
  /** Pause before each task after a worker's first, ms (the Cooling stage). @default 0 */
  coolingMs?: number;
  /** Evaluator of tasks whose task and dataset name none. @default exact */
  evaluator?: EvaluatorSpec;
  /** Per LLM call, ms. @default the agent's `timeouts.call_s` */
  callTimeoutMs?: number;
  /** Per code-execution run, ms. @default 5000 */
  codeTimeoutMs?: number;
  /** Memory limit of code execution, MB. @default 256 */
  codeMemoryMb?: number;
  /** issue 14: run code tasks without bubblewrap where it is missing (`--unsafe-code-exec`). @default false */
  unsafeCodeExec?: boolean;
  /** `run_type` in benchmark_history.jsonl. @default "tasks" */
  runType?: string;
  /** Suite name, recorded in run.json and the history line. */
  suite?: string;
  /** The LLM judge that `judge` evaluators ask; its calls are the run's managing cost. */
  judgeConfig?: AgentConfig;
  /** Issue 13: continue a killed or interrupted task run, from `prepareTaskResume(runDir)`. */
  resume?: TaskResumePlan;
  /** A shard's piece of a cell (`--shard i/N`): only these tasks run, recorded in run.json so a resume runs only these too. */
  shard?: TaskShard;
}

/** What a task run's result adds to every run's. */
export interface TaskTallyResult {
  agent: string;
  dataset: string;
  tasks: number;
  passed: number;
  /** Tasks whose last attempt was a failed call (timeout, HTTP error), not a wrong answer. */
  errored: number;
  attempts: number;
  durationS: number;
}

export type TaskRunResult = RunResult & TaskTallyResult;

export async function runTasks(options: TaskRunOptions): Promise<TaskRunResult> {
  return runPlan(taskPlan(options), options);
}

/** The dataset a shard's piece runs: its own tasks, in file order. */
function piecesDataset(dataset: TaskDataset, shard: TaskShard | undefined): TaskDataset {
  if (!shard) return dataset;
  const ids = new Set(shard.tasks);
  return { ...dataset, tasks: dataset.tasks.filter((t) => ids.has(t.id)) };
}

/** What the attempts of every task share while the run executes. */
interface TaskRunContext {
  run: RunContext;
  attempts: number;
  coolingMs: number;
  tokenHooks: Reporter[];
  stage: (testId: string, turnId: number, name: TaskStage, extra?: Record<string, unknown>) => void;
  callTimeoutMs: number;
  scoring: { codeTimeoutMs?: number; codeMemoryMb?: number; unsafeCodeExec?: boolean; judge?: JudgeHandle };
  tally: { passed: number; errored: number; attempts: number; nextTurnId: number };
  /** The tasks still to run, handed to the lanes in file order. */
  pending: PlannedTask[];
  next: number;
}

/** A task dataset as a plan: `concurrency` lanes take the next task as they free up. */
export function taskPlan(options: TaskRunOptions): Plan<TaskTallyResult> {
  const { resume } = options;
  const shard = options.shard ?? taskShardOf(resume?.meta.dataset_config);
  const dataset = piecesDataset(options.dataset, shard);
  const fallback = dataset.evaluator ?? options.evaluator ?? DEFAULT_EVALUATOR;
  const attempts = Math.max(1, options.attempts ?? 1);
  const coolingMs = Math.max(0, options.coolingMs ?? 0);
  const planned = planTasks(dataset, fallback);
  const tally = { passed: 0, errored: 0, attempts: 0, nextTurnId: resume?.nextTurnId ?? 0 };
  let agentName = options.agentConfig.name;
  let judged = false;
  let c: TaskRunContext | undefined;
  return {
    check(agentConfig) {
      agentName = agentConfig.name;
      judged = requireJudge(dataset, options.evaluator, options.judgeConfig);
      requireCodeSandbox(dataset, options.evaluator, options.unsafeCodeExec ?? false);
      if (agentConfig.kind === 'memory' && dataset.tasks.some((t) => t.messages && t.messages.length > 1)) {
        throw new ConfigError('CONFIG_INVALID', `${dataset.file}: tasks given as "messages" need a chat agent; agent '${agentConfig.name}' is kind memory`);
      }
    },
    async prepare({ runDir }) {
      const datasetDir = join(runDir, 'dataset');
      try {
        makeDirs(datasetDir);
        if (!resume) copyFileSync(dataset.file, join(datasetDir, basename(dataset.file)));
      } catch (err) {
        // The driver removes the run directory it made.
        throw unwritableOutput(runDir, 'cannot create run directory', err);
      }
      return {
        tests: planned.map((p) => p.def),
        lanes: Math.max(1, Math.min(options.concurrency ?? 8, dataset.tasks.length)),
        turnsTotal: planned.length,
        meta: {
          dataset_config: {
            kind: 'tasks',
            name: options.dataset.name,
            file: options.dataset.file,
            ...(options.suite ? { suite: options.suite } : {}),
            evaluator: fallback,
            ...(options.judgeConfig ? { judge: describeAgent(options.judgeConfig) } : {}),
            attempts,
            cooling_s: coolingMs / 1000,
            tasks: dataset.tasks.length,
            ...(shard ? { shard } : {}),
            // Issue 13: what a resume needs to run the rest as the start did.
            ...(options.callTimeoutMs !== undefined ? { call_timeout_ms: options.callTimeoutMs } : {}),
            ...(options.codeTimeoutMs !== undefined ? { code_timeout_ms: options.codeTimeoutMs } : {}),
            ...(options.codeMemoryMb !== undefined ? { code_memory_mb: options.codeMemoryMb } : {}),
            run_type: options.runType ?? 'tasks',
          },
          dataset: { dir: datasetDir, sha256: options.dataset.sha256 },
          seed: 0,
          memory_span: 0,
        },
        spanAttributes: { [ATTR.dataset]: dataset.name },
        // Only a run with judged tasks pays for the judge's set-up.
        judgeConfig: judged ? options.judgeConfig : undefined,
        taskRun: true,
      };
    },
    begin(run) {
      c = {
        run,
        attempts,
        coolingMs,
        tokenHooks: run.reporters.filter((r) => r.onToken),
        stage: (testId, turnId, name, extra) => run.publish('stage', { test_id: testId, turn_id: turnId, stage: name, at: Date.now(), ...extra }),
        callTimeoutMs: options.callTimeoutMs ?? run.agentConfig.timeouts.call_s * 1000,
        scoring: {
          ...(options.codeTimeoutMs !== undefined ? { codeTimeoutMs: options.codeTimeoutMs } : {}),
          ...(options.codeMemoryMb !== undefined ? { codeMemoryMb: options.codeMemoryMb } : {}),
          ...(options.unsafeCodeExec ? { unsafeCodeExec: true } : {}),
          ...(run.judge ? { judge: run.judge } : {}),
        },
        tally,
        pending: restoreTasks(planned, resume, run, tally),
        next: 0,
      };
    },
    async runLane(lane) {
      const t = c as TaskRunContext;
      for (let laneStep = 0; !t.run.signal.aborted; laneStep++) {
        const p = t.pending[t.next++];
        if (!p) return;
        if (coolingMs > 0 && laneStep > 0) {
          t.stage(p.def.testId, -1, 'cooling', { ms: coolingMs });
          await pauseUntilAborted(coolingMs, t.run.signal);
          if (t.run.signal.aborted) return;
        }
        await runTask(t, p, lane, laneStep);
      }
    },
    ending({ stats, meta, durationS }) {
      const config = meta.dataset_config;
      const { passed, errored, attempts: made } = tally;
      return {
        spanAttributes: { 'referee.passed': passed },
        // A shard's piece is part of a run, not a run: the merge writes the history line of the whole.
        inHistory: config['shard'] === undefined,
        runType: String(config['run_type'] ?? options.runType ?? 'tasks'),
        about: { dataset: dataset.name, ...(config['suite'] !== undefined ? { suite: config['suite'] } : {}) },
        tally: { passed, tasks: planned.length, duration: stats.duration },
        // Issue 24: what a suite needs to build this cell from the run directory alone.
        extra: { task_tally: { tasks: planned.length, passed, errored, attempts: made, duration_s: durationS } },
      };
    },
    result: (durationS) => ({ agent: agentName, dataset: dataset.name, tasks: planned.length, passed: tally.passed, errored: tally.errored, attempts: tally.attempts, durationS }),
  };
}

/** Resume: the tasks already scored count as they were; the rest are returned, to run. */
function restoreTasks(planned: PlannedTask[], resume: TaskResumePlan | undefined, run: RunContext, tally: TaskRunContext['tally']): PlannedTask[] {
  const restored = resume?.restored;
  if (!restored) return planned;
  const pending: PlannedTask[] = [];
  for (const p of planned) {
    const r = restored.get(p.def.testId);
    if (!r) {
      pending.push(p);
      continue;
    }
    run.state.testStarted(p.def.testId);
    for (const record of r.records) run.state.turnFinished(record);
    run.state.testFinished(r.score);
    tally.attempts += r.records.length;
    if (r.passed) tally.passed++;
    else if (r.errored) tally.errored++;
  }
  return pending;
}

/** What one task gathers over its attempts. */
interface TaskTally {
  log: TestEndInfo['log'];
  answers: string[];
  reasons: string[];
  verdict: TaskVerdict;
  errors: number;
  tokens: number;
  characters: number;
  lastErrored: boolean;
  /** issue 22: the last attempt's judge verdict could not be read, even asked again. */
  lastJudgeError: boolean;
  /** issue 22: answers cut at max_tokens. */
  truncated: number;
  turnId: number;
}

/** One task: up to `attempts` tries, each a turn in a fresh session, scored as it ends. Ctrl-C leaves it unscored, for a resume. */
async function runTask(c: TaskRunContext, p: PlannedTask, lane: number, laneStep: number): Promise<void> {
  const { run } = c;
  const { def } = p;
  // Per test trace, each task is a Phoenix session of its own (its attempts' turns carry it too).
  const session = run.tracePer === 'test' ? { [SESSION_ID]: testSessionId(run.runId, def.testId) } : {};
  const testSpan = startTestSpan(SPAN.test, run.runCtx, run.tracePer, { 'openinference.span.kind': 'CHAIN', [ATTR.runId]: run.runId, [ATTR.testId]: def.testId, [ATTR.dataset]: def.dataset, ...session });
  const testCtx = trace.setSpan(run.runCtx, testSpan);
  run.state.testStarted(def.testId);
  await run.emit('onTestStart', def, lane, run.state.snapshot());
  const t: TaskTally = {
    log: p.history.map((m) => ({ role: m.role === 'user' ? 'user' : 'agent', text: m.content, turnId: -1 })),
    answers: [],
    reasons: [],
    verdict: { score: 0, maxScore: 1, passed: false, reasons: [] },
    errors: 0,
    tokens: 0,
    characters: 0,
    lastErrored: false,
    lastJudgeError: false,
    truncated: 0,
    turnId: -1,
  };
  for (let attempt = 1; attempt <= c.attempts; attempt++) {
    // Issue 13: a task Ctrl-C stops before it ends is not scored; a resume runs it again.
    const ok = !run.signal.aborted && (await runAttempt(c, p, t, { lane, laneStep, attempt, testCtx }));
    if (!ok) {
      testSpan.setStatus({ code: SpanStatusCode.ERROR, message: 'interrupted' });
      testSpan.end();
      return;
    }
    if (t.verdict.passed) break;
  }
  if (t.verdict.passed) c.tally.passed++;
  else if (t.lastErrored) c.tally.errored++;
  // issue 22: a task whose last attempt failed (a call error) or could not be judged is not a wrong answer.
  const status: TestScore['status'] = t.verdict.passed ? undefined : t.lastErrored ? 'error' : t.lastJudgeError ? 'judge_error' : undefined;
  const score: TestScore = {
    test_id: def.testId,
    dataset: def.dataset,
    score: t.verdict.score,
    max_score: t.verdict.maxScore,
    reasons: t.reasons,
    errors: t.errors,
    ...(status ? { status } : {}),
    ...(t.truncated ? { truncated: t.truncated } : {}),
  };
  run.state.testFinished(score);
  testSpan.setAttributes({
    [ATTR.score]: t.verdict.score,
    [ATTR.maxScore]: t.verdict.maxScore,
    'referee.passed': t.verdict.passed,
    'referee.attempts': t.answers.length,
    // Phoenix's Sessions view shows a trace's head input and output: the task as asked, the last answer.
    ...textAttrs('input', t.log.filter((m) => m.role === 'user').at(-1)?.text ?? ''),
    ...textAttrs('output', t.answers.at(-1) ?? ''),
  });
  testSpan.end();
  c.stage(def.testId, t.turnId, 'done', {
    result: t.verdict.passed ? 'pass' : (status ?? 'fail'),
    score: t.verdict.score,
    max_score: t.verdict.maxScore,
    attempts: t.answers.length,
  });
  await run.emit('onTestEnd', { test: def, score, answers: t.answers, log: t.log, tokens: t.tokens, characters: t.characters, span: 0 }, run.state.snapshot());
}

/** One attempt at a task through the shared turn executor; false when Ctrl-C cut it short. */
async function runAttempt(c: TaskRunContext, p: PlannedTask, t: TaskTally, where: { lane: number; laneStep: number; attempt: number; testCtx: Context }): Promise<boolean> {
  const { run } = c;
  const { def } = p;
  const { attempt, lane, laneStep } = where;
  c.tally.attempts++;
  const turnId = (t.turnId = c.tally.nextTurnId++);
  const step = attemptStep(p, { turnId, lane, laneStep, attempt });
  const sessionId = `${run.runId}/${def.testId}#${attempt}`;
  const agent = await run.factory.createSession({ sessionId, stateDir: join(run.runDir, 'state', def.dataset, `${def.exampleId}-${attempt}`) });
  // Stage changes only: one event when thinking starts, one when the answer starts.
  const tracker = new ThinkTracker();
  let shown: TaskStage | undefined;
  const onPiece = (pieceStage: 'thinking' | 'streaming', text: string): void => {
    if (shown !== pieceStage) {
      shown = pieceStage;
      c.stage(def.testId, turnId, pieceStage, { attempt });
    }
    for (const r of c.tokenHooks) r.onToken!(step, text, pieceStage);
  };
  let done;
  try {
    done = await runTurn({
      agent,
      step,
      place: { run_id: run.runId, test_id: def.testId, turn_id: turnId, lane, step: laneStep, dataset: def.dataset, kind: 'test', is_question: true },
      runId: run.runId,
      sessionId,
      ...(run.tracePer === 'test' ? { traceSessionId: testSessionId(run.runId, def.testId) } : {}),
      parentCtx: where.testCtx,
      attributes: { 'referee.attempt': attempt },
      timeoutMs: c.callTimeoutMs,
      signal: run.signal,
      retries: run.agentConfig.retries,
      state: run.state,
      emit: run.emit,
      onToken: (delta) => {
        for (const piece of tracker.feed(delta)) onPiece(piece.stage, piece.text);
      },
      context: { history: p.history, onReasoning: (d) => onPiece('thinking', d) },
      show: (outcome) => {
        for (const piece of tracker.flush()) onPiece(piece.stage, piece.text);
        const reply = outcome.reply;
        const { answer, reasoning: inline } = splitThink(reply?.text ?? '');
        const reasoning = [reply?.reasoning ?? '', inline].filter(Boolean).join('\n');
        return {
          replyText: answer,
          metadata: { ...(reply?.metadata ?? {}), attempt, ...(reasoning ? { reasoning } : {}) },
          extra: { attempts: attempt, ...(reply?.usage?.reasoningTokens ? { reasoning_tokens: reply.usage.reasoningTokens } : {}) },
        };
      },
    });
  } finally {
    await agent.close().catch(() => {});
  }
  if (!done) return false;
  const { record, replyText: answer } = done;
  t.log.push({ role: 'user', text: step.message, turnId }, { role: 'agent', text: answer, turnId });
  t.tokens += record.tokens_in + record.tokens_out;
  t.characters += step.message.length + answer.length;
  t.answers.push(answer);
  t.lastErrored = record.status === 'error';
  t.lastJudgeError = false;
  if (record.finish_reason === 'length') t.truncated++;
  if (record.status === 'error') {
    t.errors++;
    t.verdict = { score: 0, maxScore: 1, passed: false, reasons: [`not answered: the call failed (${record.reason ?? 'error'}${record.error ? `: ${record.error}` : ''})`] };
  } else {
    c.stage(def.testId, turnId, 'evaluating', { attempt });
    const v = await evaluateSpan(c, p, answer, where.testCtx);
    t.lastJudgeError = v.judgeError === true;
    t.verdict = v;
  }
  const word = t.verdict.passed ? 'pass' : t.lastErrored ? 'error' : t.lastJudgeError ? 'judge_error' : 'fail';
  const cut = record.finish_reason === 'length' ? ' (answer cut at max_tokens: finish_reason length)' : '';
  t.reasons.push(`attempt ${attempt}: ${word}: ${t.verdict.reasons.join('; ')}${cut}`);
  return true;
}

async function evaluateSpan(c: TaskRunContext, p: PlannedTask, answer: string, testCtx: Context): Promise<TaskVerdict & { judgeError?: boolean }> {
  const name = evaluatorName(p.evaluator);
  const span: Span = trace.getTracer(TRACER_NAME).startSpan(
    SPAN.evaluate(name),
    { attributes: { 'openinference.span.kind': 'EVALUATOR', [ATTR.testId]: p.def.testId, 'referee.evaluator': name } },
    testCtx,
  );
  try {
    // The judge's LLM call is a child of this span.
    const v = await context.with(trace.setSpan(testCtx, span), () => evaluateTask(p.evaluator, answer, p.task.expected, { ...c.scoring, question: p.def.script[0] as string }));
    span.setAttributes({ [ATTR.score]: v.score, [ATTR.maxScore]: v.maxScore, 'referee.passed': v.passed, ...textAttrs('output', v.reasons.join('\n')) });
    return v;
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    // issue 22: an unreadable judge verdict is the evaluation's error, counted apart from the agent's fails.
    if (err instanceof JudgeError) return { score: 0, maxScore: 1, passed: false, reasons: [err.message], judgeError: true };
    return { score: 0, maxScore: 1, passed: false, reasons: [`scoring failed: ${(err as Error).message}`] };
  } finally {
    span.end();
  }
}
