import { context, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createAgentFactory, describeAgent } from '../agents/factory.js';
import type { Agent, AgentFactory } from '../agents/types.js';
import { RunDirWriter } from '../artifacts/run-dir-writer.js';
import type { RunMeta, RunStats, TestScore, TurnMetric } from '../artifacts/schemas.js';
import type { AgentConfig } from '../config/agent.js';
import type { DatasetConfig } from '../config/dataset.js';
import { costUsd, resolvePricing, type ResolvedPricing } from '../costs/pricing.js';
import { createFillerSource } from '../datasets/filler.js';
import { generateDataset, type DatasetSpec } from '../datasets/generate.js';
import { loadDataset } from '../datasets/load.js';
import { deriveSeed } from '../datasets/rng.js';
import type { TestDefinition } from '../datasets/types.js';
import { DatasetError, RefereeError } from '../errors.js';
import { getScorer, SCORING_VERSION } from '../scoring/registry.js';
import { ATTR, SPAN, TRACER_NAME } from '../telemetry/names.js';
import { truncateUtf8 } from '../agents/llm/openai-client.js';
import { countTokens } from '../tokens.js';
import { gitCommit, hostInfo, toolVersion } from './metadata.js';
import type { ProgressSnapshot, Reporter, TestEndInfo } from './reporter.js';
import { newRunId } from './run-id.js';
import { buildSchedule, type ScheduleStep } from './scheduler.js';
import { executeTurn } from './turn.js';

export interface RunOptions {
  agentConfig: AgentConfig;
  datasetConfig: DatasetConfig;
  /** Output root; the run directory is `<outputDir>/<runId>`. */
  outputDir: string;
  runId?: string;
  /** A dataset generated earlier (match mode): both agents run on the very same files. */
  datasetDir?: string;
  /** Conversations run at once; turns within one stay in order. @default 1 */
  concurrency?: number;
  /** `champion`/`challenger` in match mode. */
  role?: string;
  /** Reporters beside the run directory writer (progress bar, metrics, monitor feed). */
  reporters?: Reporter[];
  /** Aborts the run (Ctrl-C): in-flight calls are cancelled, completed turns stay on disk. */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Run even if the dataset does not match the sha256 pinned in the dataset config. */
  allowDatasetMismatch?: boolean;
  /** `run_type` in benchmark_history.jsonl. @default "single" */
  runType?: string;
}

export interface RunResult {
  runId: string;
  runDir: string;
  status: RunMeta['status'];
  stats: RunStats;
}

/** Turns a GoodAI dataset config into one generator spec per dataset. */
export function datasetSpecs(config: DatasetConfig): DatasetSpec[] {
  const shared = config.datasets.args;
  return config.datasets.datasets.map((entry) => {
    const { dataset_examples, ...args } = entry.args as { dataset_examples?: unknown } & Record<string, unknown>;
    return {
      name: entry.name,
      examples: typeof dataset_examples === 'number' ? dataset_examples : shared.dataset_examples,
      seed: shared.seed,
      args,
    };
  });
}

/** Generates (or loads) the dataset and checks a pinned sha256. */
export async function prepareDataset(
  config: DatasetConfig,
  dir: string,
  options: { existing?: boolean; allowMismatch?: boolean } = {},
): Promise<{ definitions: TestDefinition[]; sha256: string; dir: string }> {
  if (!options.existing) await generateDataset(datasetSpecs(config), dir);
  const { definitions, manifest } = await loadDataset(dir, { allowMismatch: options.allowMismatch ?? false });
  const pinned = config.config.sha256;
  if (pinned && pinned !== manifest.sha256 && !options.allowMismatch) {
    throw new DatasetError(
      'DATASET_MISMATCH',
      `${dir}: dataset sha256 ${manifest.sha256} differs from the pinned config.sha256 ${pinned} (use --allow-dataset-mismatch to run anyway)`,
    );
  }
  return { definitions, sha256: manifest.sha256, dir };
}

/**
 * Runs one agent through one dataset and writes its run directory. The
 * library entry point behind `referee run`.
 */
export async function runBenchmark(options: RunOptions): Promise<RunResult> {
  const { agentConfig, datasetConfig } = options;
  const env = options.env ?? process.env;
  const runId = options.runId ?? newRunId(agentConfig.name);
  const outputDir = resolve(options.outputDir);
  const runDir = join(outputDir, runId);
  try {
    mkdirSync(runDir, { recursive: true });
  } catch (err) {
    throw new RefereeError('OUTPUT_UNWRITABLE', `${runDir}: cannot create run directory (${(err as NodeJS.ErrnoException).code ?? err})`);
  }

  const dataset = await prepareDataset(datasetConfig, options.datasetDir ?? join(runDir, 'dataset'), {
    existing: options.datasetDir !== undefined,
    ...(options.allowDatasetMismatch !== undefined ? { allowMismatch: options.allowDatasetMismatch } : {}),
  });
  const args = datasetConfig.datasets.args;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const schedule = buildSchedule(dataset.definitions, {
    memorySpan: args.memory_span,
    lanes: concurrency,
    incompatibilities: datasetConfig.config.incompatibilities,
    countTokens,
    createFiller: (lane) => createFillerSource(deriveSeed(args.seed, `filler/${lane}`)),
  });

  const pricing = resolvePricing(agentConfig.llm.model, agentConfig.pricing);
  const meta: RunMeta = {
    run_id: runId,
    created_at: new Date().toISOString(),
    status: 'running',
    ...(options.role ? { role: options.role } : {}),
    agent: describeAgent(agentConfig),
    agent_config: redactConfig(agentConfig),
    dataset_config: datasetConfig as unknown as Record<string, unknown>,
    dataset: { dir: dataset.dir, sha256: dataset.sha256 },
    seed: args.seed,
    memory_span: args.memory_span,
    concurrency,
    scoring_version: SCORING_VERSION,
    tool_version: toolVersion(),
    git_commit: gitCommit(),
    ...hostInfo(),
  };

  const writer = new RunDirWriter(runDir, runId);
  const reporters: Reporter[] = [writer, ...(options.reporters ?? [])];
  const state = new RunState(dataset.definitions.length, schedule.totalTurns, pricing);
  const emit = async <K extends keyof Reporter>(hook: K, ...hookArgs: Parameters<NonNullable<Reporter[K]>>): Promise<void> => {
    for (const r of reporters) {
      const fn = r[hook] as ((...a: unknown[]) => unknown) | undefined;
      if (fn) await fn.apply(r, hookArgs);
    }
  };

  const tracer = trace.getTracer(TRACER_NAME);
  const factory: AgentFactory = await createAgentFactory(agentConfig, { env });
  const runSpan = tracer.startSpan(SPAN.run, {
    attributes: {
      'openinference.span.kind': 'CHAIN',
      [ATTR.runId]: runId,
      [ATTR.agentName]: agentConfig.name,
      [ATTR.role]: options.role ?? 'single',
      'referee.dataset.sha256': dataset.sha256,
      'referee.tests_total': dataset.definitions.length,
      'referee.turns_total': schedule.totalTurns,
    },
  });
  const runCtx = trace.setSpan(context.active(), runSpan);
  const abort = new AbortController();
  const onOuterAbort = (): void => abort.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  let status: RunMeta['status'] = 'finished';
  try {
    await emit('onRunStart', { meta, runDir, tests: dataset.definitions, progress: state.snapshot() });
    const testsById = new Map(dataset.definitions.map((t) => [t.testId, t]));
    await Promise.all(
      schedule.lanes.map((steps, lane) =>
        runLane({
          lane,
          steps,
          runId,
          runDir,
          agentConfig,
          factory,
          testsById,
          state,
          emit,
          runCtx,
          signal: abort.signal,
          reporters,
          schedule,
        }),
      ),
    );
    if (abort.signal.aborted) status = 'interrupted';
  } catch (err) {
    status = 'failed';
    runSpan.recordException(err as Error);
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    await factory.close().catch(() => {});
    const stats = state.stats(runId, agentConfig.name);
    runSpan.setAttributes({ [ATTR.score]: stats.score, [ATTR.maxScore]: stats.max_score, [ATTR.status]: status });
    if (status !== 'finished') runSpan.setStatus({ code: SpanStatusCode.ERROR, message: status });
    runSpan.end();
    await emit('onRunEnd', stats, status, state.snapshot());
    appendHistory(outputDir, {
      run_id: runId,
      run_type: options.runType ?? 'single',
      role: options.role ?? 'single',
      agent: agentConfig.name,
      status,
      finished_at: new Date().toISOString(),
      dataset_sha256: dataset.sha256,
      seed: args.seed,
      score: stats.score,
      max_score: stats.max_score,
      duration: stats.duration,
      agent_costs_usd: stats.agent_costs_usd,
      run_dir: runDir,
    });
  }
  return { runId, runDir, status, stats: state.stats(runId, agentConfig.name) };
}

function appendHistory(outputDir: string, line: Record<string, unknown>): void {
  try {
    appendFileSync(join(outputDir, 'benchmark_history.jsonl'), JSON.stringify(line) + '\n');
  } catch (err) {
    process.stderr.write(`referee: could not append benchmark_history.jsonl: ${(err as Error).message}\n`);
  }
}

/** The agent config as recorded in run.json: header values are dropped, only names kept. */
function redactConfig(config: AgentConfig): Record<string, unknown> {
  return {
    ...config,
    llm: { ...config.llm, headers: Object.fromEntries(Object.keys(config.llm.headers).map((k) => [k, '[redacted]'])) },
  };
}

interface LaneContext {
  lane: number;
  steps: ScheduleStep[];
  runId: string;
  runDir: string;
  agentConfig: AgentConfig;
  factory: AgentFactory;
  testsById: Map<string, TestDefinition>;
  state: RunState;
  emit: <K extends keyof Reporter>(hook: K, ...args: Parameters<NonNullable<Reporter[K]>>) => Promise<void>;
  runCtx: ReturnType<typeof context.active>;
  signal: AbortSignal;
  reporters: Reporter[];
  schedule: ReturnType<typeof buildSchedule>;
}

interface OpenTest {
  def: TestDefinition;
  span: Span;
  ctx: ReturnType<typeof context.active>;
  answers: string[];
  log: TestEndInfo['log'];
  tokens: number;
  characters: number;
  errors: number;
}

async function runLane(c: LaneContext): Promise<void> {
  const tracer = trace.getTracer(TRACER_NAME);
  const sessionId = `${c.runId}/lane-${c.lane}`;
  const agent: Agent = await c.factory.createSession({ sessionId, stateDir: join(c.runDir, 'state', `lane-${c.lane}`) });
  const open = new Map<string, OpenTest>();
  const tokenHooks = c.reporters.filter((r) => r.onToken);
  try {
    for (const step of c.steps) {
      if (c.signal.aborted) break;
      let test = open.get(step.testId);
      if (step.kind === 'test' && step.beginsTest) {
        const def = c.testsById.get(step.testId)!;
        const span = tracer.startSpan(
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
        test = { def, span, ctx: trace.setSpan(c.runCtx, span), answers: [], log: [], tokens: 0, characters: 0, errors: 0 };
        open.set(step.testId, test);
        c.state.testStarted(step.testId);
        await c.emit('onTestStart', def, c.lane, c.state.snapshot());
      }
      c.state.turnStarted(step.testId);
      await c.emit('onTurnStart', step, c.state.snapshot());

      const parentCtx = test?.ctx ?? c.runCtx;
      const turnSpan = tracer.startSpan(
        SPAN.turn,
        {
          attributes: {
            'openinference.span.kind': 'AGENT',
            [ATTR.runId]: c.runId,
            [ATTR.testId]: step.testId,
            [ATTR.turnId]: step.turnId,
            [ATTR.dataset]: step.dataset,
            [ATTR.isFiller]: step.kind === 'filler',
            [ATTR.isQuestion]: step.isQuestion,
            'session.id': sessionId,
            [ATTR.genAiConversationId]: sessionId,
            ...textAttrs('input', step.message),
          },
        },
        parentCtx,
      );
      const outcome = await context.with(trace.setSpan(parentCtx, turnSpan), () =>
        executeTurn(agent, step, {
          timeoutMs: c.agentConfig.timeouts.call_s * 1000,
          signal: c.signal,
          ...(tokenHooks.length ? { onToken: (d: string) => tokenHooks.forEach((r) => r.onToken!(step, d)) } : {}),
        }),
      );
      const reply = outcome.reply;
      const replyText = reply?.text ?? '';
      const tokensIn = reply?.usage?.inputTokens ?? 0;
      const tokensOut = reply?.usage?.outputTokens ?? 0;
      const record: TurnMetric = {
        timestamp: new Date().toISOString(),
        run_id: c.runId,
        test_id: step.testId,
        turn_id: step.turnId,
        lane: step.lane,
        step: step.step,
        dataset: step.dataset,
        kind: step.kind,
        is_question: step.isQuestion,
        llm_ms: round(reply?.timings?.llmMs ?? (outcome.status === 'error' ? outcome.totalMs : 0)),
        storage_ms: round(reply?.timings?.storageMs ?? 0),
        total_ms: round(outcome.totalMs),
        ttft_ms: reply?.timings?.ttftMs !== undefined ? round(reply.timings.ttftMs) : null,
        tokens_in: tokensIn,
        tokens_out: tokensOut,
        cost_usd: costUsd(c.state.pricing, tokensIn, tokensOut),
        pricing_source: c.state.pricing.source,
        status: outcome.status,
        ...(outcome.reason ? { reason: outcome.reason } : {}),
        ...(outcome.error ? { error: outcome.error } : {}),
      };
      turnSpan.setAttributes({
        ...textAttrs('output', replyText),
        [ATTR.status]: record.status,
        [ATTR.genAiInputTokens]: tokensIn,
        [ATTR.genAiOutputTokens]: tokensOut,
        'llm.token_count.prompt': tokensIn,
        'llm.token_count.completion': tokensOut,
        [ATTR.costUsd]: record.cost_usd,
        ...(record.ttft_ms !== null ? { [ATTR.ttftMs]: record.ttft_ms } : {}),
      });
      if (outcome.status === 'error') {
        turnSpan.setAttribute(ATTR.reason, outcome.reason ?? 'error');
        turnSpan.addEvent(outcome.reason === 'timeout' ? 'timeout' : 'error', { message: outcome.error ?? '' });
        turnSpan.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error ?? outcome.reason ?? 'error' });
      }
      turnSpan.end();
      c.state.turnFinished(record);
      await c.emit(
        'onTurnEnd',
        { step, record, replyText, metadata: reply?.metadata ?? {} },
        c.state.snapshot(),
      );

      if (test) {
        test.log.push({ role: 'user', text: step.message, turnId: step.turnId }, { role: 'agent', text: replyText, turnId: step.turnId });
        test.tokens += step.tokens + tokensOut;
        test.characters += step.message.length + replyText.length;
        if (outcome.status === 'error') test.errors++;
        if (step.isQuestion) test.answers.push(replyText);
        if (step.endsTest) {
          await finishTest(c, test);
          open.delete(step.testId);
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

async function finishTest(c: LaneContext, test: OpenTest): Promise<void> {
  const tracer = trace.getTracer(TRACER_NAME);
  const evaluator = test.def.evaluation ?? test.def.dataset;
  const started = performance.now();
  const result = tracer.startActiveSpan(
    SPAN.evaluate(evaluator),
    { attributes: { 'openinference.span.kind': 'EVALUATOR', [ATTR.testId]: test.def.testId, 'referee.evaluator': evaluator } },
    test.ctx,
    (span) => {
      try {
        const r = getScorer(evaluator)(test.def, test.answers);
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
    },
    c.state.snapshot(),
  );
}

function textAttrs(kind: 'input' | 'output', text: string): Record<string, string | boolean> {
  const t = truncateUtf8(text);
  return { [`${kind}.value`]: t.text, [`referee.${kind}_truncated`]: t.truncated };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Running totals and the progress snapshot every reporter receives. */
class RunState {
  private readonly startedAtMs = Date.now();
  private testsDone = 0;
  private testsStarted = 0;
  private turnsDone = 0;
  private turnsFailed = 0;
  private tokensIn = 0;
  private tokensOut = 0;
  private cost = 0;
  private currentTestId: string | null = null;
  private readonly scores: TestScore[] = [];
  notice: string | null = null;

  constructor(
    private readonly testsTotal: number,
    private readonly turnsTotal: number,
    readonly pricing: ResolvedPricing,
  ) {}

  testStarted(testId: string): void {
    this.testsStarted++;
    this.currentTestId = testId;
  }
  turnStarted(testId: string): void {
    if (testId !== 'filler') this.currentTestId = testId;
  }
  turnFinished(r: TurnMetric): void {
    this.turnsDone++;
    if (r.status === 'error') this.turnsFailed++;
    this.tokensIn += r.tokens_in;
    this.tokensOut += r.tokens_out;
    this.cost += r.cost_usd;
  }
  testFinished(score: TestScore): void {
    this.testsDone++;
    this.scores.push(score);
  }

  snapshot(): ProgressSnapshot {
    const now = Date.now();
    const elapsedMs = now - this.startedAtMs;
    const remaining = this.turnsTotal - this.turnsDone;
    return {
      testsDone: this.testsDone,
      testsTotal: this.testsTotal,
      turnsDone: this.turnsDone,
      turnsTotal: this.turnsTotal,
      turnsFailed: this.turnsFailed,
      tokensIn: this.tokensIn,
      tokensOut: this.tokensOut,
      costUsd: this.cost,
      startedAtMs: this.startedAtMs,
      elapsedMs,
      etaMs: this.turnsDone > 0 ? Math.round((elapsedMs / this.turnsDone) * remaining) : null,
      currentTestId: this.currentTestId,
      currentTestIndex: this.testsStarted,
      notice: this.notice,
    };
  }

  stats(runId: string, agent: string): RunStats {
    const perDataset: RunStats['per_dataset'] = {};
    for (const s of this.scores) {
      const d = (perDataset[s.dataset] ??= { score: 0, max_score: 0, tests: 0 });
      d.score += s.score;
      d.max_score += s.max_score;
      d.tests++;
    }
    const tests = [...this.scores].sort((a, b) => a.test_id.localeCompare(b.test_id));
    return {
      total_tokens: this.tokensIn + this.tokensOut,
      agent_tokens: this.tokensIn + this.tokensOut,
      agent_costs_usd: this.cost,
      managing_costs_usd: 0,
      duration: (Date.now() - this.startedAtMs) / 1000,
      run_id: runId,
      agent,
      score: tests.reduce((a, s) => a + s.score, 0),
      max_score: tests.reduce((a, s) => a + s.max_score, 0),
      tokens_in: this.tokensIn,
      tokens_out: this.tokensOut,
      turns: this.turnsDone,
      turns_failed: this.turnsFailed,
      pricing_source: this.pricing.source,
      per_dataset: perDataset,
      tests,
    };
  }
}
