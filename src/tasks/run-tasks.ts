/**
 * Runs one task dataset against one agent (issue 8): every task is a one-turn
 * test, sent in a fresh agent session (a task never sees another's context),
 * with no filler, `concurrency` tasks in flight. The run directory, events,
 * turn metrics, spans and reports are those of an LTM run: the same
 * RunDirWriter and reporters receive the same hooks, plus `stage` events
 * (cooling, thinking, streaming, evaluating, done) for the live monitor.
 */
import { context, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { createAgentFactory, describeAgent } from '../agents/factory.js';
import { splitThink, ThinkTracker } from '../agents/llm/think.js';
import type { AgentFactory, ChatMessage } from '../agents/types.js';
import { RunDirWriter } from '../artifacts/run-dir-writer.js';
import type { RunMeta, TestScore, TurnMetric } from '../artifacts/schemas.js';
import type { AgentConfig } from '../config/agent.js';
import { resolvePricing } from '../costs/pricing.js';
import type { TestDefinition } from '../datasets/types.js';
import { ConfigError, RefereeError } from '../errors.js';
import type { TaskVerdict } from '../scoring/evaluators.js';
import { SCORING_VERSION } from '../scoring/registry.js';
import { evaluateTask, evaluatorName } from '../scoring/task-scoring.js';
import { ATTR, SPAN, TRACER_NAME } from '../telemetry/names.js';
import { openJudge } from '../runner/judge-agent.js';
import { gitCommit, hostInfo, toolVersion } from '../runner/metadata.js';
import type { Reporter, TestEndInfo } from '../runner/reporter.js';
import { appendHistory, runDirTaken, type RunResult } from '../runner/run-benchmark.js';
import { redactAgentConfig } from '../runner/secrets.js';
import { newRunId } from '../runner/run-id.js';
import { RunState } from '../runner/run-state.js';
import type { ScheduleStep } from '../runner/scheduler.js';
import { executeTurn, isCompleted } from '../runner/turn.js';
import { buildTurnMetric, endInterruptedTurnSpan, endTurnSpan, textAttrs } from '../runner/turn-record.js';
import type { TaskDataset } from './load.js';
import type { EvaluatorSpec, Task } from './schema.js';

/** The stages a task passes through (seed 004), published as `stage` events. */
export type TaskStage = 'cooling' | 'thinking' | 'streaming' | 'evaluating' | 'done';

export interface TaskRunOptions {
  agentConfig: AgentConfig;
  dataset: TaskDataset;
  /** Output root; the run directory is `<outputDir>/<runId>`. */
  outputDir: string;
  runId?: string;
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
  /** Reporters beside the run directory writer. */
  reporters?: Reporter[];
  /** Aborts the run: in-flight calls are cancelled, finished tasks stay on disk. */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** `run_type` in benchmark_history.jsonl. @default "tasks" */
  runType?: string;
  /** Suite name, recorded in run.json and the history line. */
  suite?: string;
  /** The LLM judge that `judge` evaluators ask; its calls are the run's managing cost. */
  judgeConfig?: AgentConfig;
}

export interface TaskRunResult extends RunResult {
  agent: string;
  dataset: string;
  tasks: number;
  passed: number;
  /** Tasks whose last attempt was a failed call (timeout, HTTP error), not a wrong answer. */
  errored: number;
  attempts: number;
  durationS: number;
}

const DEFAULT_EVALUATOR: EvaluatorSpec = { type: 'exact' };

/** A task as a GoodAI-shaped one-turn test definition. */
export function taskDefinition(dataset: string, task: Task, evaluator: EvaluatorSpec): TestDefinition {
  const exampleId = task.id.replace(/[^A-Za-z0-9._-]/g, '_');
  const last = task.messages ? (task.messages[task.messages.length - 1] as ChatMessage).content : (task.prompt as string);
  return {
    testId: `${dataset}/${exampleId}`,
    dataset,
    exampleId,
    script: [last],
    is_question: [true],
    waits: [{}],
    expected_responses: [task.expected],
    can_be_interleaved: false,
    is_temporal: false,
    uses_callback: false,
    evaluation: evaluatorName(evaluator),
  };
}

/**
 * Whether `dataset` has tasks a judge scores; throws the one-line config error
 * when it has and no judge is given, before anything is written or called.
 */
export function requireJudge(dataset: TaskDataset, evaluator: EvaluatorSpec | undefined, judgeConfig: AgentConfig | undefined): boolean {
  const fallback = dataset.evaluator ?? evaluator ?? DEFAULT_EVALUATOR;
  const judged = dataset.tasks.find((t) => (t.evaluator ?? fallback).type === 'judge');
  if (judged && !judgeConfig) {
    throw new ConfigError('CONFIG_INVALID', `${dataset.file}: task "${judged.id}": evaluator "judge" needs a judge: the suite's "judge" or --judge-config`);
  }
  return judged !== undefined;
}

interface Prepared {
  task: Task;
  def: TestDefinition;
  evaluator: EvaluatorSpec;
  /** The messages before the prompt; empty for a prompt task. Given even when empty: it puts the agent in task mode. */
  history: ChatMessage[];
  /** Estimated prompt tokens (the step's `tokens`). */
  tokens: number;
}

export async function runTasks(options: TaskRunOptions): Promise<TaskRunResult> {
  const { agentConfig, dataset } = options;
  const env = options.env ?? process.env;
  const runId = options.runId ?? newRunId(agentConfig.name);
  const outputDir = resolve(options.outputDir);
  const runDir = join(outputDir, runId);
  const datasetDir = join(runDir, 'dataset');
  const fallback = dataset.evaluator ?? options.evaluator ?? DEFAULT_EVALUATOR;
  const judged = requireJudge(dataset, options.evaluator, options.judgeConfig);
  if (existsSync(join(runDir, 'run.json'))) throw runDirTaken(runDir);
  try {
    mkdirSync(datasetDir, { recursive: true });
    copyFileSync(dataset.file, join(datasetDir, basename(dataset.file)));
  } catch (err) {
    throw new RefereeError('OUTPUT_UNWRITABLE', `${runDir}: cannot create run directory (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  if (agentConfig.kind === 'memory' && dataset.tasks.some((t) => t.messages && t.messages.length > 1)) {
    throw new ConfigError('CONFIG_INVALID', `${dataset.file}: tasks given as "messages" need a chat agent; agent '${agentConfig.name}' is kind memory`);
  }

  const concurrency = Math.max(1, Math.min(options.concurrency ?? 8, dataset.tasks.length));
  const attempts = Math.max(1, options.attempts ?? 1);
  const coolingMs = Math.max(0, options.coolingMs ?? 0);
  const prepared: Prepared[] = dataset.tasks.map((task) => {
    const evaluator = task.evaluator ?? fallback;
    const def = taskDefinition(dataset.name, task, evaluator);
    const history = task.messages?.slice(0, -1);
    // An estimate (4 characters a token) keeps the tokenizer out of the run; usage comes from the server.
    return { task, def, evaluator, history: history ?? [], tokens: Math.ceil((def.script[0] as string).length / 4) };
  });
  const definitions = prepared.map((p) => p.def);

  const pricing = resolvePricing(agentConfig.llm.model, agentConfig.pricing);
  const meta: RunMeta = {
    run_id: runId,
    created_at: new Date().toISOString(),
    status: 'running',
    agent: describeAgent(agentConfig),
    agent_config: redactAgentConfig(agentConfig),
    dataset_config: {
      kind: 'tasks',
      name: dataset.name,
      file: dataset.file,
      ...(options.suite ? { suite: options.suite } : {}),
      evaluator: fallback,
      ...(options.judgeConfig ? { judge: describeAgent(options.judgeConfig) } : {}),
      attempts,
      cooling_s: coolingMs / 1000,
      tasks: dataset.tasks.length,
    },
    dataset: { dir: datasetDir, sha256: dataset.sha256 },
    seed: 0,
    memory_span: 0,
    concurrency,
    scoring_version: SCORING_VERSION,
    tool_version: toolVersion(),
    git_commit: gitCommit(),
    ...hostInfo(),
  };

  const writer = new RunDirWriter(runDir, runId, { resultsJsonl: true });
  const reporters: Reporter[] = [writer, ...(options.reporters ?? [])];
  const tokenHooks = reporters.filter((r) => r.onToken);
  const state = new RunState(definitions.length, definitions.length, pricing);
  const emit = async <K extends keyof Reporter>(hook: K, ...hookArgs: Parameters<NonNullable<Reporter[K]>>): Promise<void> => {
    for (const r of reporters) {
      const fn = r[hook] as ((...a: unknown[]) => unknown) | undefined;
      if (fn) await fn.apply(r, hookArgs);
    }
  };
  const publish = (type: string, data: Record<string, unknown>): void => {
    for (const r of reporters) r.onEvent?.(type, data);
  };
  const stage = (testId: string, turnId: number, name: TaskStage, extra?: Record<string, unknown>): void =>
    publish('stage', { test_id: testId, turn_id: turnId, stage: name, at: Date.now(), ...extra });

  const tracer = trace.getTracer(TRACER_NAME);
  const factory: AgentFactory = await createAgentFactory(agentConfig, { env });
  // Only a run with judged tasks pays for the judge's set-up.
  const judge = await openJudge(judged ? options.judgeConfig : undefined, factory, { env, onCost: (usd) => state.addManagingCost(usd) });
  const runSpan = tracer.startSpan(SPAN.run, {
    attributes: {
      'openinference.span.kind': 'CHAIN',
      [ATTR.runId]: runId,
      [ATTR.agentName]: agentConfig.name,
      [ATTR.role]: 'single',
      [ATTR.dataset]: dataset.name,
      'referee.dataset.sha256': dataset.sha256,
      'referee.tests_total': definitions.length,
    },
  });
  const runCtx = trace.setSpan(context.active(), runSpan);
  const abort = new AbortController();
  const onOuterAbort = (): void => abort.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const callTimeoutMs = options.callTimeoutMs ?? agentConfig.timeouts.call_s * 1000;
  const scoring = {
    ...(options.codeTimeoutMs !== undefined ? { codeTimeoutMs: options.codeTimeoutMs } : {}),
    ...(options.codeMemoryMb !== undefined ? { codeMemoryMb: options.codeMemoryMb } : {}),
    ...(judge ? { judge } : {}),
  };

  let nextTask = 0;
  let nextTurnId = 0;
  let passed = 0;
  let errored = 0;
  let attemptsMade = 0;

  /** One task: up to `attempts` tries, each a turn in a fresh session, scored as it ends. */
  const runOne = async (p: Prepared, lane: number, laneStep: number): Promise<void> => {
    const { def } = p;
    const testSpan = tracer.startSpan(
      SPAN.test,
      { attributes: { 'openinference.span.kind': 'CHAIN', [ATTR.runId]: runId, [ATTR.testId]: def.testId, [ATTR.dataset]: def.dataset } },
      runCtx,
    );
    const testCtx = trace.setSpan(runCtx, testSpan);
    state.testStarted(def.testId);
    await emit('onTestStart', def, lane, state.snapshot());
    const log: TestEndInfo['log'] = [];
    for (const m of p.history) log.push({ role: m.role === 'user' ? 'user' : 'agent', text: m.content, turnId: -1 });
    const answers: string[] = [];
    const reasons: string[] = [];
    let verdict: TaskVerdict = { score: 0, maxScore: 1, passed: false, reasons: [] };
    let errors = 0;
    let tokens = 0;
    let characters = 0;
    let lastStatus: TurnMetric['status'] = 'success';
    let turnId = -1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      // Issue 13: a task Ctrl-C stopped before its last attempt is not scored; a resume finishes it.
      if (abort.signal.aborted) {
        testSpan.setStatus({ code: SpanStatusCode.ERROR, message: 'interrupted' });
        testSpan.end();
        return;
      }
      attemptsMade++;
      turnId = nextTurnId++;
      const step: ScheduleStep = {
        turnId,
        lane,
        step: laneStep,
        kind: 'test',
        testId: def.testId,
        dataset: def.dataset,
        message: def.script[0] as string,
        isQuestion: true,
        lineIndex: 0,
        beginsTest: attempt === 1,
        endsTest: true,
        tokens: p.tokens,
        laneTokensBefore: 0,
      };
      const sessionId = `${runId}/${def.testId}#${attempt}`;
      const agent = await factory.createSession({ sessionId, stateDir: join(runDir, 'state', def.dataset, `${def.exampleId}-${attempt}`) });
      state.turnStarted(def.testId);
      await emit('onTurnStart', step, state.snapshot());
      const turnSpan = tracer.startSpan(
        SPAN.turn,
        {
          attributes: {
            'openinference.span.kind': 'AGENT',
            [ATTR.runId]: runId,
            [ATTR.testId]: def.testId,
            [ATTR.turnId]: turnId,
            [ATTR.dataset]: def.dataset,
            [ATTR.isFiller]: false,
            [ATTR.isQuestion]: true,
            'referee.attempt': attempt,
            'session.id': sessionId,
            [ATTR.genAiConversationId]: sessionId,
            ...textAttrs('input', step.message),
          },
        },
        testCtx,
      );
      // Stage changes only: one event when thinking starts, one when the answer starts.
      const tracker = new ThinkTracker();
      let shown: TaskStage | undefined;
      const onPiece = (pieceStage: 'thinking' | 'streaming', text: string): void => {
        if (shown !== pieceStage) {
          shown = pieceStage;
          stage(def.testId, turnId, pieceStage, { attempt });
        }
        for (const r of tokenHooks) r.onToken!(step, text, pieceStage);
      };
      const onToken = (delta: string): void => {
        for (const piece of tracker.feed(delta)) onPiece(piece.stage, piece.text);
      };
      let outcome;
      try {
        outcome = await context.with(trace.setSpan(testCtx, turnSpan), () =>
          executeTurn(agent, step, {
            timeoutMs: callTimeoutMs,
            signal: abort.signal,
            onToken,
            context: { history: p.history, onReasoning: (d) => onPiece('thinking', d) },
          }),
        );
      } finally {
        await agent.close().catch(() => {});
      }
      for (const piece of tracker.flush()) onPiece(piece.stage, piece.text);
      // Issue 13: an attempt cut short by Ctrl-C is not a failed attempt, and its task is not scored.
      if (!isCompleted(outcome)) {
        endInterruptedTurnSpan(turnSpan);
        testSpan.setStatus({ code: SpanStatusCode.ERROR, message: 'interrupted' });
        testSpan.end();
        return;
      }
      const reply = outcome.reply;
      const { answer, reasoning: inline } = splitThink(reply?.text ?? '');
      const reasoning = [reply?.reasoning ?? '', inline].filter(Boolean).join('\n');
      const record = buildTurnMetric(
        { run_id: runId, test_id: def.testId, turn_id: turnId, lane, step: laneStep, dataset: def.dataset, kind: 'test', is_question: true },
        outcome,
        pricing,
        { attempts: attempt, ...(reply?.usage?.reasoningTokens ? { reasoning_tokens: reply.usage.reasoningTokens } : {}) },
      );
      endTurnSpan(turnSpan, record, answer);
      state.turnFinished(record);
      const metadata: Record<string, unknown> = { ...(reply?.metadata ?? {}), attempt };
      if (reasoning) metadata['reasoning'] = reasoning;
      await emit('onTurnEnd', { step, record, replyText: answer, metadata }, state.snapshot());

      log.push({ role: 'user', text: step.message, turnId }, { role: 'agent', text: answer, turnId });
      tokens += record.tokens_in + record.tokens_out;
      characters += step.message.length + answer.length;
      answers.push(answer);
      lastStatus = outcome.status;
      if (outcome.status === 'error') {
        errors++;
        verdict = { score: 0, maxScore: 1, passed: false, reasons: [`call failed: ${outcome.reason ?? 'error'}`] };
      } else {
        stage(def.testId, turnId, 'evaluating', { attempt });
        verdict = await evaluateSpan(p, answer, testCtx, scoring);
      }
      reasons.push(`attempt ${attempt}: ${verdict.passed ? 'pass' : 'fail'}: ${verdict.reasons.join('; ')}`);
      if (verdict.passed) break;
    }
    if (verdict.passed) passed++;
    else if (lastStatus === 'error') errored++;
    const score: TestScore = {
      test_id: def.testId,
      dataset: def.dataset,
      score: verdict.score,
      max_score: verdict.maxScore,
      reasons,
      errors,
    };
    state.testFinished(score);
    testSpan.setAttributes({ [ATTR.score]: verdict.score, [ATTR.maxScore]: verdict.maxScore, 'referee.passed': verdict.passed, 'referee.attempts': answers.length });
    testSpan.end();
    stage(def.testId, turnId, 'done', {
      result: verdict.passed ? 'pass' : lastStatus === 'error' ? 'error' : 'fail',
      score: verdict.score,
      max_score: verdict.maxScore,
      attempts: answers.length,
    });
    await emit('onTestEnd', { test: def, score, answers, log, tokens, characters, span: 0 }, state.snapshot());
  };

  const evaluateSpan = async (p: Prepared, answer: string, testCtx: ReturnType<typeof context.active>, opts: typeof scoring): Promise<TaskVerdict> => {
    const name = evaluatorName(p.evaluator);
    const span: Span = tracer.startSpan(
      SPAN.evaluate(name),
      { attributes: { 'openinference.span.kind': 'EVALUATOR', [ATTR.testId]: p.def.testId, 'referee.evaluator': name } },
      testCtx,
    );
    try {
      // The judge's LLM call is a child of this span.
      const v = await context.with(trace.setSpan(testCtx, span), () => evaluateTask(p.evaluator, answer, p.task.expected, { ...opts, question: p.def.script[0] as string }));
      span.setAttributes({ [ATTR.score]: v.score, [ATTR.maxScore]: v.maxScore, 'referee.passed': v.passed, ...textAttrs('output', v.reasons.join('\n')) });
      return v;
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      return { score: 0, maxScore: 1, passed: false, reasons: [`scoring failed: ${(err as Error).message}`] };
    } finally {
      span.end();
    }
  };

  const worker = async (lane: number): Promise<void> => {
    let laneStep = 0;
    while (!abort.signal.aborted) {
      const i = nextTask++;
      const p = prepared[i];
      if (!p) return;
      if (coolingMs > 0 && laneStep > 0) {
        stage(p.def.testId, -1, 'cooling', { ms: coolingMs });
        await sleep(coolingMs, abort.signal);
        if (abort.signal.aborted) return;
      }
      await runOne(p, lane, laneStep++);
    }
  };

  let status: RunMeta['status'] = 'finished';
  const started = performance.now();
  try {
    await emit('onRunStart', { meta, runDir, tests: definitions, progress: state.snapshot(), publish });
    await Promise.all(Array.from({ length: concurrency }, (_, lane) => worker(lane)));
    if (abort.signal.aborted) status = 'interrupted';
  } catch (err) {
    status = 'failed';
    runSpan.recordException(err as Error);
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    await factory.close().catch(() => {});
    await judge?.close().catch(() => {});
    const stats = state.stats(runId, agentConfig.name);
    runSpan.setAttributes({ [ATTR.score]: stats.score, [ATTR.maxScore]: stats.max_score, [ATTR.status]: status, 'referee.passed': passed });
    if (status !== 'finished') runSpan.setStatus({ code: SpanStatusCode.ERROR, message: status });
    runSpan.end();
    await emit('onRunEnd', stats, status, state.snapshot());
    appendHistory(outputDir, {
      run_id: runId,
      run_type: options.runType ?? 'tasks',
      role: 'single',
      agent: agentConfig.name,
      dataset: dataset.name,
      ...(options.suite ? { suite: options.suite } : {}),
      status,
      finished_at: new Date().toISOString(),
      dataset_sha256: dataset.sha256,
      seed: 0,
      score: stats.score,
      max_score: stats.max_score,
      passed,
      tasks: definitions.length,
      duration: stats.duration,
      agent_costs_usd: stats.agent_costs_usd,
      run_dir: runDir,
    });
  }
  const stats = state.stats(runId, agentConfig.name);
  return {
    runId,
    runDir,
    status,
    stats,
    agent: agentConfig.name,
    dataset: dataset.name,
    tasks: definitions.length,
    passed,
    errored,
    attempts: attemptsMade,
    durationS: (performance.now() - started) / 1000,
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

