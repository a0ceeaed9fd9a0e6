import { metrics, type Attributes, type ObservableResult } from '@opentelemetry/api';
import type { Reporter, TestEndInfo, TurnEndInfo, ProgressSnapshot, RunStartInfo } from '../runner/reporter.js';
import { activeTelemetry } from './setup.js';
import { DURATION_BUCKETS_S, FAST_BUCKETS_S, METER_NAME, METRIC, TOKEN_BUCKETS, TTFT_BUCKETS_S } from './names.js';

/**
 * Turns run events into OpenTelemetry metrics. Instruments are created when
 * the run starts, after the MeterProvider is registered (an API meter taken
 * earlier would be a no-op).
 */
export class MetricsReporter implements Reporter {
  private inst: ReturnType<typeof createInstruments> | undefined;
  private base: Attributes = {};
  private progress: ProgressSnapshot | undefined;

  constructor(private readonly provider: { name: string; model: string | null; system: string }) {}

  onRunStart(info: RunStartInfo): void {
    this.inst = createInstruments(() => this.progress, () => this.base);
    this.progress = info.progress;
    this.base = {
      'referee.run_id': info.meta.run_id,
      'referee.agent.name': this.provider.name,
      'referee.role': info.meta.role ?? 'single',
    };
    // Counters start at zero so a run without errors, retries, stalls or cost
    // still has those series: dashboards show 0 rather than "no data".
    for (const status of ['success', 'error']) this.inst.turns.add(0, { ...this.base, 'referee.status': status });
    this.inst.retries.add(0, this.base);
    this.inst.stalls.add(0, this.base);
    this.inst.cost.add(0, this.base);
  }

  onTurnEnd(info: TurnEndInfo, progress: ProgressSnapshot): void {
    this.progress = progress;
    const i = this.inst;
    if (!i) return;
    const r = info.record;
    const genAi: Attributes = {
      ...this.base,
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': this.provider.system,
      // issue 21: a protocol agent's model is unknown to Referee: no attribute rather than sim-1.
      ...(this.provider.model !== null ? { 'gen_ai.request.model': this.provider.model } : {}),
    };
    i.turnDuration.record(r.total_ms / 1000, { ...this.base, 'referee.status': r.status, 'referee.turn.kind': r.kind });
    i.turns.add(1, { ...this.base, 'referee.status': r.status, ...(r.reason ? { 'referee.reason': r.reason } : {}) });
    if (r.status === 'success') {
      i.llmDuration.record(r.llm_ms / 1000, genAi);
      if (r.ttft_ms !== null) i.ttft.record(r.ttft_ms / 1000, genAi);
      // issue 16: an agent without a memory store spends 0 s on storage (turn_metrics says so too), and its panel shows that.
      i.storageDuration.record(r.storage_ms / 1000, this.base);
    } else {
      i.llmDuration.record(r.llm_ms / 1000, { ...genAi, 'error.type': r.reason ?? 'error' });
    }
    i.tokens.record(r.tokens_in, { ...genAi, 'gen_ai.token.type': 'input' });
    i.tokens.record(r.tokens_out, { ...genAi, 'gen_ai.token.type': 'output' });
    if (r.cost_usd > 0) i.cost.add(r.cost_usd, { ...this.base, 'referee.pricing_source': r.pricing_source });
  }

  onTestEnd(info: TestEndInfo, progress: ProgressSnapshot): void {
    this.progress = progress;
    void info;
  }

  onNotice(kind: string, _message: string, data: Record<string, unknown>): void {
    const i = this.inst;
    if (!i) return;
    if (kind === 'retry') i.retries.add(1, { ...this.base, 'referee.reason': String(data['reason'] ?? 'unknown') });
    if (kind === 'stall') i.stalls.add(1, this.base);
  }

  /** Evaluation durations are recorded by the runner's evaluate span; this keeps the histogram beside the others. */
  recordEvaluation(seconds: number, evaluator: string): void {
    this.inst?.evaluationDuration.record(seconds, { ...this.base, 'referee.evaluator': evaluator });
  }

  async onRunEnd(_stats: unknown, _status: unknown, progress: ProgressSnapshot): Promise<void> {
    this.progress = progress;
    // issue 16: the provider outlives the run (a suite's next cell): the final values go out, then the progress gauges stop reporting this run.
    await activeTelemetry()?.forceFlush();
    this.inst?.stopGauges();
  }
}

function createInstruments(progress: () => ProgressSnapshot | undefined, attrs: () => Attributes) {
  const meter = metrics.getMeter(METER_NAME);
  const seconds = (name: string, description: string, buckets: number[]) =>
    meter.createHistogram(name, { unit: 's', description, advice: { explicitBucketBoundaries: buckets } });
  const inst = {
    llmDuration: seconds(METRIC.llmDuration, 'GenAI operation duration', DURATION_BUCKETS_S),
    ttft: seconds(METRIC.ttft, 'Time to the first streamed chunk', TTFT_BUCKETS_S),
    turnDuration: seconds(METRIC.turnDuration, 'Benchmark turn duration, agent reply end to end', DURATION_BUCKETS_S),
    storageDuration: seconds(METRIC.storageDuration, 'Memory store time per turn', FAST_BUCKETS_S),
    evaluationDuration: seconds(METRIC.evaluationDuration, 'Scoring time per test', FAST_BUCKETS_S),
    tokens: meter.createHistogram(METRIC.tokenUsage, {
      unit: '{token}',
      description: 'Tokens per LLM call',
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    }),
    turns: meter.createCounter(METRIC.turns, { unit: '{turn}', description: 'Turns by status' }),
    retries: meter.createCounter(METRIC.retries, { unit: '{retry}', description: 'Retried LLM calls' }),
    stalls: meter.createCounter(METRIC.stalls, { unit: '{stall}', description: 'Watchdog stall warnings' }),
    cost: meter.createCounter(METRIC.cost, { unit: '{USD}', description: 'Agent cost' }),
  };
  const stops: (() => void)[] = [];
  const gauge = (name: string, description: string, read: (p: ProgressSnapshot) => number, unit?: string): void => {
    const g = meter.createObservableGauge(name, { description, ...(unit ? { unit } : {}) });
    const callback = (r: ObservableResult): void => {
      const p = progress();
      if (p) r.observe(read(p), attrs());
    };
    g.addCallback(callback);
    stops.push(() => g.removeCallback(callback));
  };
  gauge(METRIC.testsDone, 'Tests finished', (p) => p.testsDone);
  gauge(METRIC.testsTotal, 'Tests in the run', (p) => p.testsTotal);
  gauge(METRIC.turnsDone, 'Turns finished', (p) => p.turnsDone);
  gauge(METRIC.turnsTotal, 'Turns in the run', (p) => p.turnsTotal);
  gauge(METRIC.elapsed, 'Seconds since the run started, at its last finished turn', (p) => p.elapsedMs / 1000, 's');
  return { ...inst, stopGauges: () => stops.splice(0).forEach((stop) => stop()) };
}
