/**
 * Every span, attribute and metric name Referee emits, in one place
 * (STYLE.md 6). Dashboards and tests import these instead of spelling names.
 */
export const TRACER_NAME = 'referee';
export const METER_NAME = 'referee';

export const SPAN = {
  run: 'benchmark.run',
  test: 'benchmark.test',
  turn: 'benchmark.turn',
  /** Per test trace: a block of one lane's filler turns (no test's), a trace of its own. */
  filler: 'benchmark.filler',
  /** `chat {model}` per the GenAI conventions. */
  chat: (model: string) => `chat ${model}`,
  storage: (op: string) => `storage ${op}`,
  evaluate: (evaluator: string) => `evaluate ${evaluator}`,
} as const;

export const ATTR = {
  runId: 'referee.run_id',
  testId: 'referee.test_id',
  turnId: 'referee.turn_id',
  dataset: 'referee.dataset',
  agentName: 'referee.agent.name',
  role: 'referee.role',
  status: 'referee.status',
  reason: 'referee.reason',
  isFiller: 'referee.turn.is_filler',
  isQuestion: 'referee.turn.is_question',
  ttftMs: 'referee.ttft_ms',
  costUsd: 'referee.cost_usd',
  /** issue 16: `reported` (the server's usage) or `estimated` (counted locally). */
  usageSource: 'referee.usage_source',
  score: 'referee.score',
  maxScore: 'referee.max_score',
  storageOp: 'referee.storage.op',
  storageHits: 'referee.storage.hits',
  inputTruncated: 'referee.input_truncated',
  outputTruncated: 'referee.output_truncated',
  /** Per test trace: the run's trace and span, on the head span of each test's trace (beside its link). */
  runTraceId: 'referee.run_trace_id',
  runSpanId: 'referee.run_span_id',
  /** On the run span: `run` (one trace) or `test` (a trace per test). */
  tracePer: 'referee.trace_per',
  /** Per test trace: the agent's own conversation (a lane's), where `session.id` names the test. */
  agentSession: 'referee.agent.session_id',
  /** What a span link points at (`run`). */
  link: 'referee.link',
  // GenAI semantic conventions.
  genAiOperation: 'gen_ai.operation.name',
  genAiProvider: 'gen_ai.provider.name',
  genAiRequestModel: 'gen_ai.request.model',
  genAiResponseModel: 'gen_ai.response.model',
  genAiTemperature: 'gen_ai.request.temperature',
  genAiMaxTokens: 'gen_ai.request.max_tokens',
  genAiInputTokens: 'gen_ai.usage.input_tokens',
  genAiOutputTokens: 'gen_ai.usage.output_tokens',
  genAiFinishReasons: 'gen_ai.response.finish_reasons',
  genAiConversationId: 'gen_ai.conversation.id',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',
} as const;

/** Metric names; histograms are in seconds (GenAI conventions, Prometheus). */
export const METRIC = {
  llmDuration: 'gen_ai.client.operation.duration',
  tokenUsage: 'gen_ai.client.token.usage',
  ttft: 'gen_ai.client.time_to_first_chunk',
  turnDuration: 'referee.turn.duration',
  storageDuration: 'referee.storage.duration',
  evaluationDuration: 'referee.evaluation.duration',
  turns: 'referee.turns',
  retries: 'referee.retries',
  stalls: 'referee.stalls',
  cost: 'referee.cost.usd',
  testsDone: 'referee.progress.tests_done',
  testsTotal: 'referee.progress.tests_total',
  turnsDone: 'referee.progress.turns_done',
  turnsTotal: 'referee.progress.turns_total',
  /** Seconds the run has been going, at its last finished turn: the dashboards' tokens/s denominator (issue 16). */
  elapsed: 'referee.progress.elapsed',
} as const;

/**
 * Boundaries growing by `ratio` from `min` to past `max`, each rounded to 3
 * significant digits. Prometheus interpolates a quantile linearly inside a
 * bucket, so its error is at most the bucket's width: a ratio of 1.1 keeps
 * every percentile within 10% (issue 16: a p50 of 1.375 s was shown for
 * values of 1.10-1.26 s with the GenAI advice's doubling buckets).
 */
export function geometricBuckets(min: number, max: number, ratio: number): number[] {
  const out: number[] = [];
  for (let b = min; out.length === 0 || out[out.length - 1]! < max; b *= ratio) {
    const rounded = Number(b.toPrecision(3));
    if (out.length === 0 || rounded > out[out.length - 1]!) out.push(rounded);
  }
  return out;
}

/** Bucket boundaries (seconds) for LLM call and turn durations: 10 ms to 60 s, within 10%. */
export const DURATION_BUCKETS_S = geometricBuckets(0.01, 60, 1.1);
/** Bucket boundaries for time to first chunk (seconds): the same range and precision. */
export const TTFT_BUCKETS_S = DURATION_BUCKETS_S;
/** Bucket boundaries for short local operations (storage, evaluation), seconds. */
export const FAST_BUCKETS_S = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
/** Bucket boundaries for token usage: the GenAI advice (powers of 4). */
export const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

/** Head-truncation limit for prompt/completion text in spans and events (seed 003 A3). */
export const TEXT_LIMIT_BYTES = 4096;

/**
 * System sampler gauges (issue 3), OTel system/process/hardware semantic
 * convention names where one exists. GPU gauges exist only where an NVIDIA GPU
 * does: absent, not zero, elsewhere.
 */
export const SYSTEM_METRIC = {
  cpuUtilization: 'system.cpu.utilization',
  memoryUsage: 'system.memory.usage',
  memoryLimit: 'system.memory.limit',
  processRss: 'process.memory.usage',
  openFds: 'process.open_file_descriptor.count',
  diskThroughput: 'referee.system.disk.throughput',
  tokenThroughput: 'referee.tokens.throughput',
  gpuUtilization: 'hw.gpu.utilization',
  gpuMemoryUsage: 'hw.gpu.memory.usage',
  gpuMemoryLimit: 'hw.gpu.memory.limit',
  gpuTemperature: 'hw.temperature',
} as const;
