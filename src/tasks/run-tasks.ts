/**
 * Runs one task dataset against one agent (issue 8): every task is a one-turn
 * test, sent in a fresh agent session (a task never sees another's context),
 * with no filler, `concurrency` tasks in flight. Issue 13: the turns go
 * through the LTM engine's turn executor (retries honouring `Retry-After`,
 * interrupt, sanitizer), under the same run directory lock, endings and
 * resume. The run directory, events, turn metrics, spans and reports are
 * those of an LTM run, plus `stage` events (cooling, thinking, streaming,
 * evaluating, done) for the live monitor.
 */
import { context, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { makeDirs } from '../artifacts/make-dir.js';
import { basename, join, resolve } from 'node:path';
import { createAgentFactory, describeAgent } from '../agents/factory.js';
import { splitThink, ThinkTracker } from '../agents/llm/think.js';
import type { AgentFactory } from '../agents/types.js';
import { RunDirWriter } from '../artifacts/run-dir-writer.js';
import type { RunMeta, RunStats, TestScore } from '../artifacts/schemas.js';
import type { AgentConfig } from '../config/agent.js';
import { agentPricing, pricingRecord } from '../costs/pricing.js';
import { ConfigError, RefereeError } from '../errors.js';
import type { TaskVerdict } from '../scoring/evaluators.js';
import { SCORING_VERSION } from '../scoring/registry.js';
import { JudgeError } from '../scoring/judge.js';
import { evaluateTask, evaluatorName } from '../scoring/task-scoring.js';
import { ATTR, SPAN, TRACER_NAME } from '../telemetry/names.js';
import { resolveTracePer, SESSION_ID, startTestSpan, testSessionId, type TracePer, type TracePerChoice } from '../telemetry/trace-per.js';
import { resendRunSpans } from '../telemetry/run-resend.js';
import { openJudge, type JudgeHandle } from '../runner/judge-agent.js';
import { gitCommit, hostInfo, toolVersion } from '../runner/metadata.js';
import type { Reporter, TestEndInfo } from '../events/reporter.js';
import { linkedAbort, runDirTaken, writeEnding, type RunResult } from '../runner/run-benchmark.js';
import { writeFailureReport } from '../runner/watchdog.js';
import { settleLanes } from '../runner/settle-lanes.js';
import { emitTo, type Emit } from '../events/emit.js';
import { belongsInHistory, endingStatus, isIncomplete } from '../runner/run-ending.js';
import { acquireRunLock, releasingLock, type RunLock } from '../runner/run-lock.js';
import { redactAgentConfig } from '../events/secrets.js';
import { requireCodeSandbox } from '../scoring/code-policy.js';
import { newRunId } from '../runner/run-id.js';
import { RunState } from '../runner/run-state.js';
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
  /** issue 14: run code tasks without bubblewrap where it is missing (`--unsafe-code-exec`). @default false */
  unsafeCodeExec?: boolean;
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
  /** Issue 13: the share of failed turns (0..1) above which the run ends `failed`. @default 1 */
  maxFailedTurns?: number;
  /** Issue 13: continue a killed or interrupted task run, from `prepareTaskResume(runDir)`. */
  resume?: TaskResumePlan;
  /** A shard's piece of a cell (`--shard i/N`): only these tasks run, recorded in run.json so a resume runs only these too. */
  shard?: TaskShard;
  /** One trace per run, or each task a trace of its own linked to the run's. @default 'auto': per test above 400 tasks */
  tracePer?: TracePerChoice;
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

export async function runTasks(options: TaskRunOptions): Promise<TaskRunResult> {
  return releasingLock(await setUpTaskRun(options), (setup) => executeTaskRun(setup, options));
}

interface TaskRunSetup {
  agentConfig: AgentConfig;
  dataset: TaskDataset;
  runId: string;
  outputDir: string;
  runDir: string;
  lock: RunLock;
  plan: PlannedTask[];
  meta: RunMeta;
  concurrency: number;
  attempts: number;
  coolingMs: number;
  state: RunState;
  factory: AgentFactory;
  judge: JudgeHandle | undefined;
}

/** Checks, creates and locks the run directory, then opens the agent and the judge; a failure leaves no run directory behind. */
async function setUpTaskRun(options: TaskRunOptions): Promise<TaskRunSetup> {
  try {
    return await checkAndOpen(options);
  } catch (err) {
    // A resume's lock was taken while reading the directory: a run that does not start gives it back.
    options.resume?.lock.release();
    throw err;
  }
}

/** The dataset a shard's piece runs: its own tasks, in file order. */
function piecesDataset(dataset: TaskDataset, shard: TaskShard | undefined): TaskDataset {
  if (!shard) return dataset;
  const ids = new Set(shard.tasks);
  return { ...dataset, tasks: dataset.tasks.filter((t) => ids.has(t.id)) };
}

async function checkAndOpen(options: TaskRunOptions): Promise<TaskRunSetup> {
  const { agentConfig, resume } = options;
  const shard = options.shard ?? taskShardOf(resume?.meta.dataset_config);
  const dataset = piecesDataset(options.dataset, shard);
  const runId = resume?.runId ?? options.runId ?? newRunId(agentConfig.name);
  const outputDir = resume ? resolve(resume.runDir, '..') : resolve(options.outputDir);
  const runDir = join(outputDir, runId);
  const fallback = dataset.evaluator ?? options.evaluator ?? DEFAULT_EVALUATOR;
  const judged = requireJudge(dataset, options.evaluator, options.judgeConfig);
  requireCodeSandbox(dataset, options.evaluator, options.unsafeCodeExec ?? false);
  if (!resume && existsSync(join(runDir, 'run.json'))) throw runDirTaken(runDir);
  if (agentConfig.kind === 'memory' && dataset.tasks.some((t) => t.messages && t.messages.length > 1)) {
    throw new ConfigError('CONFIG_INVALID', `${dataset.file}: tasks given as "messages" need a chat agent; agent '${agentConfig.name}' is kind memory`);
  }
  const createdRunDir = !existsSync(runDir);
  const datasetDir = join(runDir, 'dataset');
  try {
    makeDirs(datasetDir);
    if (!resume) copyFileSync(dataset.file, join(datasetDir, basename(dataset.file)));
  } catch (err) {
    if (createdRunDir) rmSync(runDir, { recursive: true, force: true });
    throw new RefereeError('OUTPUT_UNWRITABLE', `${runDir}: cannot create run directory (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  const lock = resume?.lock ?? acquireRunLock(runDir);
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 8, dataset.tasks.length));
  const attempts = Math.max(1, options.attempts ?? 1);
  const coolingMs = Math.max(0, options.coolingMs ?? 0);
  const plan = planTasks(dataset, fallback);
  const state = new RunState(plan.length, plan.length, agentPricing(agentConfig), resume?.priorActiveMs ?? 0);
  const meta = resume ? resumedTaskMeta(resume) : taskMeta({ options, dataset, shard, runId, datasetDir, fallback, concurrency, attempts, coolingMs });
  try {
    const factory = await createAgentFactory(agentConfig, { env: options.env ?? process.env, probe: true });
    // Only a run with judged tasks pays for the judge's set-up.
    const judge = await openJudge(judged ? options.judgeConfig : undefined, factory, { env: options.env ?? process.env, onCost: (usd) => state.addManagingCost(usd) });
    return { agentConfig, dataset, runId, outputDir, runDir, lock, plan, meta, concurrency, attempts, coolingMs, state, factory, judge };
  } catch (err) {
    lock.release();
    if (createdRunDir) rmSync(runDir, { recursive: true, force: true });
    throw err;
  }
}

function taskMeta(a: {
  options: TaskRunOptions;
  dataset: TaskDataset;
  shard: TaskShard | undefined;
  runId: string;
  datasetDir: string;
  fallback: EvaluatorSpec;
  concurrency: number;
  attempts: number;
  coolingMs: number;
}): RunMeta {
  const { options } = a;
  return {
    run_id: a.runId,
    created_at: new Date().toISOString(),
    status: 'running',
    agent: describeAgent(options.agentConfig),
    agent_config: redactAgentConfig(options.agentConfig),
    dataset_config: {
      kind: 'tasks',
      name: options.dataset.name,
      file: options.dataset.file,
      ...(options.suite ? { suite: options.suite } : {}),
      evaluator: a.fallback,
      ...(options.judgeConfig ? { judge: describeAgent(options.judgeConfig) } : {}),
      attempts: a.attempts,
      cooling_s: a.coolingMs / 1000,
      tasks: a.dataset.tasks.length,
      ...(a.shard ? { shard: a.shard } : {}),
      // Issue 13: what a resume needs to run the rest as the start did.
      ...(options.callTimeoutMs !== undefined ? { call_timeout_ms: options.callTimeoutMs } : {}),
      ...(options.codeTimeoutMs !== undefined ? { code_timeout_ms: options.codeTimeoutMs } : {}),
      ...(options.codeMemoryMb !== undefined ? { code_memory_mb: options.codeMemoryMb } : {}),
      run_type: options.runType ?? 'tasks',
    },
    dataset: { dir: a.datasetDir, sha256: options.dataset.sha256 },
    seed: 0,
    memory_span: 0,
    concurrency: a.concurrency,
    scoring_version: SCORING_VERSION,
    tool_version: toolVersion(),
    git_commit: gitCommit(),
    pricing: pricingRecord(agentPricing(options.agentConfig)),
    ...hostInfo(),
  };
}

function resumedTaskMeta(resume: TaskResumePlan): RunMeta {
  const { finished_at: _finished, ...rest } = resume.meta;
  return {
    ...rest,
    status: 'running',
    resumes: [...(resume.meta.resumes ?? []), { at: new Date().toISOString(), turns_restored: resume.turnsRestored, tool_version: toolVersion(), git_commit: gitCommit() }],
  };
}

/** What the attempts of every task share while the run executes. */
interface TaskRunContext {
  s: TaskRunSetup;
  options: TaskRunOptions;
  emit: Emit;
  tokenHooks: Reporter[];
  stage: (testId: string, turnId: number, name: TaskStage, extra?: Record<string, unknown>) => void;
  runCtx: Context;
  tracePer: TracePer;
  signal: AbortSignal;
  callTimeoutMs: number;
  scoring: { codeTimeoutMs?: number; codeMemoryMb?: number; unsafeCodeExec?: boolean; judge?: JudgeHandle };
  tally: { passed: number; errored: number; attempts: number; nextTurnId: number };
}

async function executeTaskRun(s: TaskRunSetup, options: TaskRunOptions): Promise<TaskRunResult> {
  const { agentConfig, dataset, runId, runDir, state, resume } = { ...s, resume: options.resume };
  const writer = new RunDirWriter(runDir, runId, { taskRun: true, ...(resume ? { startSeq: resume.nextSeq } : {}) });
  const reporters: Reporter[] = [writer, ...(options.reporters ?? [])];
  const emit = emitTo(reporters);
  const publish = (type: string, data: Record<string, unknown>): void => {
    for (const r of reporters) r.onEvent?.(type, data);
  };
  const tracePer = resolveTracePer(options.tracePer, s.plan.length);
  const runSpan = trace.getTracer(TRACER_NAME).startSpan(SPAN.run, {
    attributes: {
      'openinference.span.kind': 'CHAIN',
      [ATTR.runId]: runId,
      [ATTR.agentName]: agentConfig.name,
      [ATTR.role]: 'single',
      [ATTR.dataset]: dataset.name,
      'referee.dataset.sha256': dataset.sha256,
      'referee.tests_total': s.plan.length,
      [ATTR.tracePer]: tracePer,
    },
  });
  const abort = linkedAbort(options.signal);
  const c: TaskRunContext = {
    s,
    options,
    emit,
    tokenHooks: reporters.filter((r) => r.onToken),
    stage: (testId, turnId, name, extra) => publish('stage', { test_id: testId, turn_id: turnId, stage: name, at: Date.now(), ...extra }),
    runCtx: trace.setSpan(context.active(), runSpan),
    tracePer,
    signal: abort.signal,
    callTimeoutMs: options.callTimeoutMs ?? agentConfig.timeouts.call_s * 1000,
    scoring: {
      ...(options.codeTimeoutMs !== undefined ? { codeTimeoutMs: options.codeTimeoutMs } : {}),
      ...(options.codeMemoryMb !== undefined ? { codeMemoryMb: options.codeMemoryMb } : {}),
      ...(options.unsafeCodeExec ? { unsafeCodeExec: true } : {}),
      ...(s.judge ? { judge: s.judge } : {}),
    },
    tally: { passed: 0, errored: 0, attempts: 0, nextTurnId: resume?.nextTurnId ?? 0 },
  };

  let status: RunMeta['status'] = 'finished';
  let thrown: unknown;
  const started = performance.now();
  try {
    await emit('onRunStart', { meta: s.meta, runDir, tests: s.plan.map((p) => p.def), progress: state.snapshot(), publish });
    const pending = restoreTasks(c);
    let next = 0;
    const worker = async (lane: number): Promise<void> => {
      for (let laneStep = 0; !c.signal.aborted; laneStep++) {
        const p = pending[next++];
        if (!p) return;
        if (s.coolingMs > 0 && laneStep > 0) {
          c.stage(p.def.testId, -1, 'cooling', { ms: s.coolingMs });
          await sleep(s.coolingMs, c.signal);
          if (c.signal.aborted) return;
        }
        await runTask(c, p, lane, laneStep);
      }
    };
    await settleLanes(Array.from({ length: s.concurrency }, (_, lane) => worker(lane)), abort.abort);
    status = endingStatus(c.signal.aborted, state.snapshot(), options.maxFailedTurns);
    state.runEnded(status);
  } catch (err) {
    status = 'failed';
    thrown = err;
    writeFailureReport(runDir, runId, err, state.snapshot());
    runSpan.recordException(err as Error);
  }
  abort.dispose();
  await s.factory.close().catch(() => {});
  await s.judge?.close().catch(() => {});
  const durationS = (performance.now() - started) / 1000;
  const exported = await endTaskRun(c, { writer, runSpan, status, thrown, durationS });
  const stats = { ...state.stats(runId, agentConfig.name), ...exported };
  const { passed, errored, attempts } = c.tally;
  const incomplete = isIncomplete(status, stats.tests_errored, options.maxFailedTurns);
  return { runId, runDir, status, stats, incomplete, agent: agentConfig.name, dataset: dataset.name, tasks: s.plan.length, passed, errored, attempts, durationS };
}

/** Resume: the tasks already scored count as they were; the rest are returned, to run. */
function restoreTasks(c: TaskRunContext): PlannedTask[] {
  const restored = c.options.resume?.restored;
  if (!restored) return c.s.plan;
  const pending: PlannedTask[] = [];
  for (const p of c.s.plan) {
    const r = restored.get(p.def.testId);
    if (!r) {
      pending.push(p);
      continue;
    }
    c.s.state.testStarted(p.def.testId);
    for (const record of r.records) c.s.state.turnFinished(record);
    c.s.state.testFinished(r.score);
    c.tally.attempts += r.records.length;
    if (r.passed) c.tally.passed++;
    else if (r.errored) c.tally.errored++;
  }
  return pending;
}

/** Issue 24: the task run's ending, in the one order of every ending (see writeEnding). */
async function endTaskRun(
  c: TaskRunContext,
  e: { writer: RunDirWriter; runSpan: Span; status: RunMeta['status']; thrown: unknown; durationS: number },
): Promise<Pick<RunStats, 'spans_resent' | 'spans_unsent'>> {
  const { s, options } = c;
  const { runSpan, status } = e;
  const stats: RunStats = s.state.stats(s.runId, s.agentConfig.name);
  runSpan.setAttributes({ [ATTR.score]: stats.score, [ATTR.maxScore]: stats.max_score, [ATTR.status]: status, 'referee.passed': c.tally.passed });
  if (status !== 'finished') runSpan.setStatus({ code: SpanStatusCode.ERROR, message: status });
  runSpan.end();
  const config = s.meta.dataset_config;
  const finishedAt = new Date().toISOString();
  // The spans that failed to export (a collector down for a while) go again now, counted in runstats.json.
  const exported = await resendRunSpans(s.runDir);
  Object.assign(stats, exported);
  // A shard's piece is part of a run, not a run: the merge writes the history line of the whole.
  const history = config['shard'] === undefined && belongsInHistory(status, isIncomplete(status, stats.tests_errored, options.maxFailedTurns))
    ? {
        run_id: s.runId,
        run_type: String(config['run_type'] ?? options.runType ?? 'tasks'),
        ...(options.resume ? { resumed: true } : {}),
        role: 'single',
        agent: s.agentConfig.name,
        dataset: s.dataset.name,
        ...(config['suite'] !== undefined ? { suite: config['suite'] } : {}),
        status,
        finished_at: finishedAt,
        dataset_sha256: s.dataset.sha256,
        seed: 0,
        score: stats.score,
        max_score: stats.max_score,
        passed: c.tally.passed,
        tasks: s.plan.length,
        duration: stats.duration,
        agent_costs_usd: stats.agent_costs_usd,
        run_dir: s.runDir,
      }
    : null;
  const { passed, errored, attempts } = c.tally;
  await writeEnding({
    writer: e.writer,
    emit: c.emit,
    outputDir: s.outputDir,
    ending: { status, finished_at: finishedAt, history },
    stats,
    progress: s.state.snapshot(),
    thrown: e.thrown,
    runId: s.runId,
    // Issue 24: what a suite needs to build this cell from the run directory alone.
    extra: { task_tally: { tasks: s.plan.length, passed, errored, attempts, duration_s: e.durationS } },
  });
  return exported;
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
  const { s } = c;
  const { def } = p;
  // Per test trace, each task is a Phoenix session of its own (its attempts' turns carry it too).
  const session = c.tracePer === 'test' ? { [SESSION_ID]: testSessionId(s.runId, def.testId) } : {};
  const testSpan = startTestSpan(SPAN.test, c.runCtx, c.tracePer, { 'openinference.span.kind': 'CHAIN', [ATTR.runId]: s.runId, [ATTR.testId]: def.testId, [ATTR.dataset]: def.dataset, ...session });
  const testCtx = trace.setSpan(c.runCtx, testSpan);
  s.state.testStarted(def.testId);
  await c.emit('onTestStart', def, lane, s.state.snapshot());
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
  for (let attempt = 1; attempt <= s.attempts; attempt++) {
    // Issue 13: a task Ctrl-C stops before it ends is not scored; a resume runs it again.
    const ok = !c.signal.aborted && (await runAttempt(c, p, t, { lane, laneStep, attempt, testCtx }));
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
  s.state.testFinished(score);
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
  await c.emit('onTestEnd', { test: def, score, answers: t.answers, log: t.log, tokens: t.tokens, characters: t.characters, span: 0 }, s.state.snapshot());
}

/** One attempt at a task through the shared turn executor; false when Ctrl-C cut it short. */
async function runAttempt(c: TaskRunContext, p: PlannedTask, t: TaskTally, where: { lane: number; laneStep: number; attempt: number; testCtx: Context }): Promise<boolean> {
  const { s } = c;
  const { def } = p;
  const { attempt, lane, laneStep } = where;
  c.tally.attempts++;
  const turnId = (t.turnId = c.tally.nextTurnId++);
  const step = attemptStep(p, { turnId, lane, laneStep, attempt });
  const sessionId = `${s.runId}/${def.testId}#${attempt}`;
  const agent = await s.factory.createSession({ sessionId, stateDir: join(s.runDir, 'state', def.dataset, `${def.exampleId}-${attempt}`) });
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
      place: { run_id: s.runId, test_id: def.testId, turn_id: turnId, lane, step: laneStep, dataset: def.dataset, kind: 'test', is_question: true },
      runId: s.runId,
      sessionId,
      ...(c.tracePer === 'test' ? { traceSessionId: testSessionId(s.runId, def.testId) } : {}),
      parentCtx: where.testCtx,
      attributes: { 'referee.attempt': attempt },
      timeoutMs: c.callTimeoutMs,
      signal: c.signal,
      retries: s.agentConfig.retries,
      state: s.state,
      emit: c.emit,
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
