/**
 * The monitor's view of one run directory, folded from its events.jsonl one
 * event at a time. Everything kept is bounded (rings, capped text), so a
 * 10,000-turn run costs the same memory as a 10-turn one.
 */
import { TurnTally } from '../events/turn-tally.js';
import { redactUrl } from '../events/secrets.js';
import { combinedUsageSource } from '../artifacts/schemas.js';
import { NEEDS_JUDGE, testOutcome } from '../artifacts/test-tally.js';
import { percentiles, Ring, WindowSums, type Percentiles } from './rolling.js';
import type { LostRun } from '../runner/run-lock.js';
import { NOTICE_CAP, STAGES, type LaneView, type RunNotice, type RunSummary, type Stage, type TestView } from './run-views.js';

export { percentiles, TPS_WINDOW_MS, type Percentiles } from './rolling.js';
export { STAGES, type LaneView, type RunSummary, type Stage, type TestStatus, type TestView } from './run-views.js';

const RESPONSE_CAP = 64 * 1024;
const PROMPT_CAP = 64 * 1024;
const REASON_CAP = 1024;
const LATENCY_RING = 4096;
const SERIES_CAP = 60;
const OVER_TIME_CAP = 1000;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const ms = (iso: string | null): number => (iso ? Date.parse(iso) : NaN);

function emptyStages(): Record<Stage, number | null> {
  return { cooling: null, waiting: null, thinking: null, streaming: null, evaluating: null, done: null };
}

/** What applying an event changed, for the hub to tell clients about. */
export interface ApplyResult {
  /** A lane whose derived stage changed. */
  stageLane?: number;
}

export class RunModel {
  readonly key: string;
  run_id: string;
  group: string | null;
  meta: Record<string, unknown> = {};
  status = 'running';
  started_at: string | null = null;
  ended_at: string | null = null;
  last_event_at: string | null = null;
  last_seq = -1;
  tests = new Map<string, TestView>();
  datasets: string[] = [];
  lanes = new Map<number, LaneView>();
  tests_total = 0;
  turns_total = 0;
  /** issue 21: the total is the plan's expectation until the run ends; readers mark it as one. */
  turns_total_estimated = false;
  /** issue 21: the run's own wall time (runstats' wall_duration_s) once it has ended: the terminal's figure. */
  private wall_ms: number | null = null;
  tests_done = 0;
  turns_done = 0;
  turns_failed = 0;
  attempts = 0;
  /** issue 22: `context_retry` events: prompts refused for their length, trimmed and sent again. */
  context_retries = 0;
  /** issue 21: turns, failed turns and attempts by the definition the run itself counts with. */
  private readonly tally = new TurnTally();
  segments = 0;
  /** Active time of the segments before the current one (issue 17). */
  active_ms_before = 0;
  segment_started_at: string | null = null;
  private readonly tpsWindow = new WindowSums(LATENCY_RING);
  pass = 0;
  fail = 0;
  partial = 0;
  errored = 0;
  judge_errors = 0;
  /** issue 25: tests left unscored for want of a judge. */
  unscored = 0;
  turns_truncated = 0;
  /** issue 22: turns left out of the latency figures: pre-filled (no model call) and failed calls. */
  latency_excluded = { prefilled: 0, failed: 0 };
  /** issue 22: output tokens and time after the first token, over the whole run. */
  private decode = { tokens: 0, ms: 0 };
  score = 0;
  max_score = 0;
  tokens_in = 0;
  tokens_out = 0;
  cost_usd = 0;
  llm_ms = 0;
  pricing_source: string | null = null;
  /** issue 16: the usage_source values of this run's turns. */
  private readonly usage_sources = new Set<string>();
  perDataset = new Map<string, { total: number; done: number; pass: number; score: number; max_score: number }>();
  latencies = new Ring<number>(LATENCY_RING);
  ttfts = new Ring<number>(LATENCY_RING);
  tps = new Ring<{ ts: string; tokens_per_s: number }>(SERIES_CAP);
  telemetry = new Ring<Record<string, unknown>>(SERIES_CAP);
  notices = new Ring<RunNotice>(NOTICE_CAP);
  successOverTime: { task_idx: number; success_rate: number; score_rate: number; ts: string }[] = [];
  /**
   * issue 17: set by the hub while the events written before it started are still
   * being read; the status shown is then run.json's, not that of a half-read stream.
   */
  loading = false;
  /**
   * Set by the hub from the run's lock while the run says `running`: its process is gone on this
   * host, or silent too long on another (runner/run-lock.ts runLiveness); the status shown says so.
   */
  lost: LostRun | undefined = undefined;
  /** Set once the run writes its own `stage` events; then no stage is derived. */
  nativeStages = false;
  activeLane: number | null = null;

  constructor(key: string, runId: string, group: string | null) {
    this.key = key;
    this.run_id = runId;
    this.group = group;
  }

  setMeta(meta: Record<string, unknown>): void {
    this.meta = meta;
    if (typeof meta['run_id'] === 'string') this.run_id = meta['run_id'];
    const s = str(meta['status']);
    // run.json says `running` until the end; the events know better once run_end arrived.
    if (s && !this.ended_at) this.status = s;
  }

  private lane(n: number, ts: string): LaneView {
    let l = this.lanes.get(n);
    if (!l) {
      l = {
        lane: n,
        test_id: null,
        turn_id: null,
        kind: null,
        dataset: null,
        prompt: '',
        response: '',
        response_truncated: false,
        stage: null,
        stage_ms: emptyStages(),
        stage_since: null,
        turn_started_at: null,
        last_activity: ts,
        turns_done: 0,
        tests_done: 0,
        busy: false,
        idle_since: ts,
        idle_ms_total: 0,
        first_seen: ts,
        last_turn: null,
        result: null,
        verdict: null,
        last_step_key: null,
      };
      this.lanes.set(n, l);
    }
    return l;
  }

  private laneOf(ev: Record<string, unknown>): LaneView | undefined {
    const n = num(ev['lane']);
    if (n !== null) return this.lanes.get(n);
    const testId = str(ev['test_id']);
    const turnId = num(ev['turn_id']);
    for (const l of this.lanes.values()) if (turnId !== null && l.turn_id === turnId && l.test_id === testId) return l;
    for (const l of this.lanes.values()) if (testId && l.test_id === testId) return l;
    return this.activeLane !== null ? this.lanes.get(this.activeLane) : undefined;
  }

  private enterStage(l: LaneView, stage: Stage, ts: string): boolean {
    if (l.stage === stage) return false;
    if (l.stage && l.stage_since) {
      const elapsed = ms(ts) - ms(l.stage_since);
      if (Number.isFinite(elapsed)) l.stage_ms[l.stage] = Math.max(0, elapsed);
    }
    l.stage = stage;
    l.stage_since = ts;
    if (l.stage_ms[stage] === null) l.stage_ms[stage] = 0;
    return true;
  }

  /** Folds one events.jsonl record in; unknown types are kept only as activity. */
  apply(ev: Record<string, unknown>): ApplyResult {
    const type = str(ev['type']) ?? '';
    const ts = str(ev['ts']) ?? new Date().toISOString();
    const previousEventAt = this.last_event_at;
    this.last_event_at = ts;
    this.last_seq = num(ev['seq']) ?? this.last_seq;
    switch (type) {
      case 'run_start':
        this.onRunStart(ev, ts, previousEventAt);
        return {};
      case 'test_start':
        this.onTestStart(ev);
        return {};
      case 'turn_start':
        return this.onTurnStart(ev, ts);
      case 'token':
        return this.onToken(ev, ts);
      case 'turn_end':
        return this.onTurnEnd(ev, ts);
      case 'test_end':
        return this.onTestEnd(ev, ts);
      case 'stage':
        return this.onStage(ev, ts);
      case 'telemetry': {
        const { seq: _s, run_id: _r, type: _t, ...sample } = ev;
        this.telemetry.push(sample);
        return {};
      }
      case 'run_end':
        this.onRunEnd(ev, ts);
        return {};
      default: {
        if (type === 'context_retry') this.context_retries++;
        const message = str(ev['message']);
        if (message) this.notices.push({ ts, type, message });
        return {};
      }
    }
  }

  private onRunStart(ev: Record<string, unknown>, ts: string, previousEventAt: string | null): void {
    // issue 17: a resumed run appends a second segment to the same events.jsonl; time
    // counts per segment (start to last event), never the hours it lay dead between.
    if (this.segment_started_at) this.active_ms_before += Math.max(0, ms(previousEventAt) - ms(this.segment_started_at)) || 0;
    this.segments++;
    this.segment_started_at = ts;
    this.started_at ??= ts;
    this.ended_at = null;
    this.wall_ms = null;
    this.status = 'running';
    this.tests_total = num(ev['tests_total']) ?? this.tests_total;
    this.turns_total = num(ev['turns_total']) ?? this.turns_total;
    this.turns_total_estimated = ev['turns_total_estimated'] === true;
    const tests = Array.isArray(ev['tests']) ? (ev['tests'] as Record<string, unknown>[]) : [];
    for (const t of tests) {
      const id = str(t['test_id']);
      const dataset = str(t['dataset']) ?? 'unknown';
      // A resume lists every test again; only a test not seen before adds to its dataset's total.
      if (!id || this.tests.has(id)) continue;
      this.tests.set(id, newTest(id, dataset));
      this.datasetStats(dataset).total++;
      if (!this.datasets.includes(dataset)) this.datasets.push(dataset);
    }
  }

  private onTestStart(ev: Record<string, unknown>): void {
    const id = str(ev['test_id']);
    if (!id) return;
    const dataset = str(ev['dataset']) ?? 'unknown';
    const t = this.tests.get(id) ?? newTest(id, dataset);
    t.status = 'running';
    t.lane = num(ev['lane']);
    this.tests.set(id, t);
    if (!this.datasets.includes(dataset)) this.datasets.push(dataset);
  }

  private onTurnStart(ev: Record<string, unknown>, ts: string): ApplyResult {
    const n = num(ev['lane']) ?? 0;
    const l = this.lane(n, ts);
    this.activeLane = n;
    const prevEnd = l.busy ? null : l.idle_since;
    if (l.idle_since) l.idle_ms_total += Math.max(0, ms(ts) - ms(l.idle_since)) || 0;
    l.busy = true;
    l.idle_since = null;
    l.test_id = str(ev['test_id']);
    l.turn_id = num(ev['turn_id']);
    l.kind = str(ev['kind']);
    l.dataset = str(ev['dataset']);
    l.prompt = cap(str(ev['prompt']) ?? '', PROMPT_CAP);
    l.response = '';
    l.response_truncated = false;
    l.turn_started_at = ts;
    l.last_activity = ts;
    l.result = null;
    const stepKey = `${l.test_id ?? ''}#${num(ev['step']) ?? ''}`;
    const test = l.test_id && l.kind !== 'filler' && stepKey !== l.last_step_key ? this.tests.get(l.test_id) : undefined;
    if (test) test.turns++;
    // A run with its own `stage` events says `cooling` itself, before the turn starts.
    let cooled: number | null = null;
    if (this.nativeStages && l.stage === 'cooling') {
      this.enterStage(l, 'waiting', ts);
      cooled = l.stage_ms.cooling;
    }
    l.stage_ms = emptyStages();
    l.stage_ms.cooling = cooled;
    // Cooling: the pause between this lane's previous reply and this call.
    if (!this.nativeStages && prevEnd && l.turns_done > 0) l.stage_ms.cooling = Math.max(0, ms(ts) - ms(prevEnd)) || 0;
    // issue 17: nothing has come back yet; `thinking` starts only with a reasoning token.
    l.stage = 'waiting';
    l.stage_since = ts;
    l.stage_ms.waiting = 0;
    return { stageLane: n };
  }

  private onToken(ev: Record<string, unknown>, ts: string): ApplyResult {
    const l = this.laneOf(ev);
    if (!l) return {};
    const delta = str(ev['delta']) ?? '';
    if (l.response.length + delta.length > RESPONSE_CAP) l.response_truncated = true;
    else l.response += delta;
    l.last_activity = ts;
    if (this.nativeStages) return {};
    const thinking = ev['stage'] === 'thinking' || insideThink(l.response);
    return this.enterStage(l, thinking ? 'thinking' : 'streaming', ts) ? { stageLane: l.lane } : {};
  }

  private onTurnEnd(ev: Record<string, unknown>, ts: string): ApplyResult {
    const n = num(ev['lane']) ?? this.activeLane ?? 0;
    const l = this.lane(n, ts);
    const { response, ...record } = ev;
    const text = str(response);
    if (text !== null && !l.response_truncated) {
      // turn_end carries the whole reply; token events may have been batched or absent.
      l.response = cap(text, RESPONSE_CAP);
      l.response_truncated = text.length > RESPONSE_CAP;
    }
    l.last_turn = record;
    l.busy = false;
    l.idle_since = ts;
    l.last_activity = ts;
    this.countTurn(l, ev);
    this.turns_total = num(ev['turns_total']) ?? this.turns_total;
    this.tokens_in += num(ev['tokens_in']) ?? 0;
    const out = num(ev['tokens_out']) ?? 0;
    this.tokens_out += out;
    this.cost_usd += num(ev['cost_usd']) ?? 0;
    this.pricing_source = str(ev['pricing_source']) ?? this.pricing_source;
    if (ev['usage_source'] === 'reported' || ev['usage_source'] === 'estimated' || ev['usage_source'] === 'unrecorded') this.usage_sources.add(ev['usage_source']);
    const llm = num(ev['llm_ms']);
    const total = num(ev['total_ms']);
    const ttft = num(ev['ttft_ms']);
    if (ev['finish_reason'] === 'length') this.turns_truncated++;
    // issue 22: latency counts model calls only: a pre-filled turn made none, a failed one is counted apart.
    const prefilled = ev['prefilled'] === true;
    const failed = ev['status'] !== 'success';
    if (prefilled) this.latency_excluded.prefilled++;
    else if (failed) this.latency_excluded.failed++;
    const call = !prefilled && !failed;
    if (llm !== null && call) this.llm_ms += llm;
    if (total !== null && call) this.latencies.push(total);
    if (ttft !== null && call) this.ttfts.push(ttft);
    const decodeMs = llm !== null && ttft !== null && llm - ttft > 0 ? llm - ttft : undefined;
    if (call && decodeMs !== undefined) {
      this.decode.tokens += out;
      this.decode.ms += decodeMs;
    }
    if (llm !== null && llm > 0 && call) {
      this.tpsWindow.push({ t: ms(ts), tokens: out, llm_ms: llm, ...(decodeMs !== undefined ? { decode_ms: decodeMs } : {}) });
      const rate = this.windowTokensPerS();
      if (rate !== null) this.tps.push({ ts, tokens_per_s: rate });
    }
    if (this.nativeStages) return {};
    if (!l.stage || l.stage === 'waiting' || l.stage === 'thinking') this.enterStage(l, 'streaming', ts);
    this.enterStage(l, ev['is_question'] === true ? 'evaluating' : 'done', ts);
    if (l.stage === 'done') l.stage_ms.done = 0;
    return { stageLane: n };
  }

  /**
   * issue 17: a retried task writes one turn_end per attempt, all on the same lane
   * step; the step is one turn, each call one attempt (no "Turns 12/6"). A turn
   * counts as failed only if its last attempt failed.
   */
  private countTurn(l: LaneView, ev: Record<string, unknown>): void {
    const newTurn = this.tally.add({
      lane: l.lane,
      test_id: str(ev['test_id']) ?? '',
      step: num(ev['step']) ?? -1,
      status: ev['status'] === 'success' ? 'success' : 'error',
    });
    if (newTurn) l.turns_done++;
    this.turns_done = this.tally.turns;
    this.turns_failed = this.tally.failed;
    this.attempts = this.tally.attempts;
    l.last_step_key = `${str(ev['test_id']) ?? ''}#${num(ev['step']) ?? ''}`;
  }


  private onTestEnd(ev: Record<string, unknown>, ts: string): ApplyResult {
    const id = str(ev['test_id']);
    // issue 25: a test left unscored for want of a judge has no score (null), and is in no total.
    const noScore = ev['status'] === 'unscored' || ev['score'] === null;
    const score = noScore ? null : (num(ev['score']) ?? 0);
    const max = noScore ? null : (num(ev['max_score']) ?? 1);
    const dataset = str(ev['dataset']) ?? this.tests.get(id ?? '')?.dataset ?? 'unknown';
    // issues 22 and 25: a test not answered, not judged or left for a judge is neither a pass nor a fail (test-tally.ts).
    const outcome = testOutcome({ score, max_score: max, status: str(ev['status']) ?? undefined });
    const passed = outcome === 'pass';
    const unscored = outcome === 'error' || outcome === 'judge_error' || outcome === 'unscored' ? outcome : null;
    if (id) {
      const t = this.tests.get(id) ?? newTest(id, dataset);
      t.status = unscored ?? (passed ? 'pass' : 'fail');
      t.score = score;
      t.max_score = max;
      const why = Array.isArray(ev['reasons']) ? (ev['reasons'] as unknown[]).map((x) => cap(String(x), REASON_CAP)).slice(0, 8) : [];
      if (why.length) t.reasons = why;
      this.tests.set(id, t);
    }
    this.tests_done++;
    if (outcome === 'error') this.errored++;
    else if (outcome === 'judge_error') this.judge_errors++;
    else if (outcome === 'unscored') this.unscored++;
    else this[outcome]++;
    const d = this.datasetStats(dataset);
    d.done++;
    if (score !== null && max !== null) {
      this.score += score;
      this.max_score += max;
      d.score += score;
      d.max_score += max;
    }
    if (passed) d.pass++;
    this.successOverTime.push({
      task_idx: this.tests_done,
      success_rate: this.pass / this.tests_done,
      score_rate: this.max_score > 0 ? this.score / this.max_score : 0,
      ts,
    });
    if (this.successOverTime.length > OVER_TIME_CAP) this.successOverTime = this.successOverTime.filter((_, i) => i % 2 === 0);
    const t = id ? this.tests.get(id) : undefined;
    const l = this.laneOf({ ...ev, lane: t?.lane ?? ev['lane'] });
    if (!l) return {};
    l.tests_done++;
    const reasons = Array.isArray(ev['reasons']) ? (ev['reasons'] as unknown[]).map(String) : [];
    const word = unscored === 'error' ? 'ERROR (not answered)' : unscored === 'judge_error' ? 'JUDGE ERROR (not scored)' : unscored === 'unscored' ? 'UNSCORED (needs judge)' : passed ? 'PASS' : 'FAIL';
    const scoreText = score === null ? NEEDS_JUDGE : `score ${score}/${max}`;
    l.result = `${word} ${id ?? ''}: ${scoreText}${reasons.length ? `\n${reasons.join('\n')}` : ''}`;
    l.verdict = unscored ?? (passed ? 'pass' : 'fail');
    if (this.nativeStages) return {};
    this.enterStage(l, 'done', ts);
    return { stageLane: l.lane };
  }

  private onStage(ev: Record<string, unknown>, ts: string): ApplyResult {
    this.nativeStages = true;
    const stage = String(ev['stage'] ?? '').toLowerCase() as Stage;
    if (!STAGES.includes(stage)) return {};
    const l = this.laneOf(ev) ?? this.lane(num(ev['lane']) ?? 0, ts);
    // issue 17: a stage earlier than the lane's current one begins a new turn or
    // attempt; the previous task's stage times must not linger on its pills.
    if (l.stage && STAGES.indexOf(stage) < STAGES.indexOf(l.stage)) l.stage_ms = emptyStages();
    return this.enterStage(l, stage, ts) ? { stageLane: l.lane } : {};
  }

  private onRunEnd(ev: Record<string, unknown>, ts: string): void {
    this.ended_at = ts;
    this.status = str(ev['status']) ?? 'finished';
    // issue 21: the run's own final figures (runstats.json's); a run_end written before them carries none.
    this.turns_done = num(ev['turns']) ?? this.turns_done;
    // A run_end written before it carried its total: never shown below what was done.
    this.turns_total = num(ev['turns_total']) ?? Math.max(this.turns_total, this.turns_done);
    this.turns_total_estimated = typeof ev['turns_total_estimated'] === 'boolean' ? ev['turns_total_estimated'] : this.status === 'interrupted' && this.turns_total_estimated;
    this.turns_failed = num(ev['turns_failed']) ?? this.turns_failed;
    this.tests_done = num(ev['tests_done']) ?? this.tests_done;
    this.tokens_in = num(ev['tokens_in']) ?? this.tokens_in;
    this.tokens_out = num(ev['tokens_out']) ?? this.tokens_out;
    this.cost_usd = num(ev['cost_usd']) ?? this.cost_usd;
    const wall = num(ev['wall_duration_s']);
    this.wall_ms = wall === null ? null : Math.round(wall * 1000);
    for (const l of this.lanes.values()) {
      if (l.busy) l.busy = false;
      if (!l.idle_since) l.idle_since = ts;
    }
  }

  /** issue 17: wall time the run has run, summed over its segments (a resume adds one). */
  elapsedMs(now = Date.now()): number {
    if (this.wall_ms !== null && this.ended_at !== null) return this.wall_ms;
    if (!this.segment_started_at) return 0;
    const end = this.ended_at ?? (this.running ? new Date(now).toISOString() : this.last_event_at);
    return this.active_ms_before + (Math.max(0, ms(end) - ms(this.segment_started_at)) || 0);
  }

  /**
   * issue 17: output tokens per second of LLM call time, over the calls that ended in
   * the last TPS_WINDOW_MS. Call time includes the wait for the first token, so a
   * reply that arrives in one chunk reads as what it cost, not tokens per microsecond.
   * Issue 22: this is the end-to-end speed (prefill included); windowDecodeTokensPerS is the model's decoding.
   */
  windowTokensPerS(): number | null {
    if (this.tpsWindow.empty) return null;
    return this.tpsWindow.llm_ms > 0 ? (this.tpsWindow.tokens * 1000) / this.tpsWindow.llm_ms : null;
  }

  /**
   * issue 22: decode speed: output tokens over the time after the first token (llm_ms - ttft_ms),
   * over the window's calls whose TTFT is known; null where none is.
   */
  windowDecodeTokensPerS(): number | null {
    return this.tpsWindow.decode_ms > 0 ? (this.tpsWindow.decode_tokens * 1000) / this.tpsWindow.decode_ms : null;
  }

  /** issue 22: decode speed over the whole run (see windowDecodeTokensPerS). */
  decodeThroughput(): number | null {
    return this.decode.ms > 0 ? (this.decode.tokens * 1000) / this.decode.ms : null;
  }

  private datasetStats(name: string): { total: number; done: number; pass: number; score: number; max_score: number } {
    let d = this.perDataset.get(name);
    if (!d) {
      d = { total: 0, done: 0, pass: 0, score: 0, max_score: 0 };
      this.perDataset.set(name, d);
    }
    return d;
  }

  /** What the run itself says (run.json while half-read, else its events): running, whatever its process does. */
  get saysRunning(): boolean {
    return (this.loading ? (str(this.meta['status']) ?? this.status) : this.status) === 'running';
  }

  get running(): boolean {
    return this.shownStatus === 'running';
  }

  /**
   * A half-read run is not `running` because its first run_start was read (issue 17); a run whose
   * process is gone (`interrupted`) or silent too long (`stale`) is not running either.
   */
  private get shownStatus(): string {
    if (this.saysRunning && this.lost) return this.lost.status;
    return this.loading ? (str(this.meta['status']) ?? this.status) : this.status;
  }

  summary(): RunSummary {
    const agent = (this.meta['agent'] ?? {}) as Record<string, unknown>;
    const llm = ((this.meta['agent_config'] as Record<string, unknown> | undefined)?.['llm'] ?? {}) as Record<string, unknown>;
    const provider = str(llm['provider']) ?? str(agent['provider']);
    return {
      key: this.key,
      run_id: this.run_id,
      group: this.group,
      agent: str(agent['name']) ?? this.run_id,
      model: str(llm['model']) ?? str(agent['model']),
      provider,
      endpoint: provider === 'sim' ? 'sim (loopback)' : redactUrlOrNull(str(llm['base_url'])),
      role: str(this.meta['role']) ?? 'single',
      status: this.shownStatus,
      ...(this.lost && this.shownStatus === this.lost.status ? { silent_since: this.lost.last_seen, silent_seconds: Math.round((Date.now() - Date.parse(this.lost.last_seen)) / 1000) } : {}),
      loading: this.loading,
      created_at: str(this.meta['created_at']) ?? this.started_at,
      started_at: this.started_at,
      ended_at: this.ended_at,
      last_event_at: this.last_event_at,
      last_seq: this.last_seq,
      tests_total: this.tests_total || this.tests.size,
      tests_done: this.tests_done,
      turns_total: this.turns_total,
      turns_total_estimated: this.turns_total_estimated,
      turns_done: this.turns_done,
      turns_failed: this.turns_failed,
      attempts: this.attempts,
      context_retries: this.context_retries,
      segments: this.segments,
      elapsed_seconds: Math.round(this.elapsedMs() / 100) / 10,
      pass: this.pass,
      fail: this.fail,
      partial: this.partial,
      errored: this.errored,
      judge_errors: this.judge_errors,
      unscored: this.unscored,
      turns_truncated: this.turns_truncated,
      score: this.score,
      max_score: this.max_score,
      success_rate: this.tests_done ? this.pass / this.tests_done : null,
      tokens_in: this.tokens_in,
      tokens_out: this.tokens_out,
      cost_usd: this.cost_usd,
      pricing_source: this.pricing_source,
      usage_source: combinedUsageSource(this.usage_sources),
    };
  }

  /** Everything the live page needs to draw this run from scratch. */
  detail(): Record<string, unknown> {
    // issue 17: a half-read run's tests and lanes are partial; the page shows it as loading and refetches on `loaded`.
    if (this.loading) return { ...this.summary(), datasets: [], tests: [], lanes: [] };
    return {
      ...this.summary(),
      datasets: this.datasets,
      tests: [...this.tests.values()],
      lanes: [...this.lanes.values()],
      active_lane: this.activeLane,
      telemetry: this.telemetry.toArray(),
      tps: this.tps.toArray(),
      // The page recomputes tokens/s from these as turns end (issue 17).
      tps_window: this.tpsWindow.recent(256),
      success_over_time: this.successOverTime,
      notices: this.notices.toArray(),
      per_dataset: Object.fromEntries(this.perDataset),
    };
  }

  /** A lane's streaming-card state (the payload of a `stage` event). */
  laneStage(n: number): Record<string, unknown> | null {
    const l = this.lanes.get(n);
    if (!l) return null;
    return { run_id: this.run_id, key: this.key, lane: n, test_id: l.test_id, turn_id: l.turn_id, stage: l.stage, stage_ms: l.stage_ms, stage_since: l.stage_since, derived: true };
  }

  percentiles(): { latency_ms: Percentiles; ttft_ms: Percentiles } {
    return { latency_ms: percentiles(this.latencies.toArray()), ttft_ms: percentiles(this.ttfts.toArray()) };
  }

  /** Output tokens per second of LLM call time over the whole run (end-to-end: prefill included; issue 22: model calls only). */
  throughput(): number | null {
    return this.llm_ms > 0 ? (this.tokens_out * 1000) / this.llm_ms : null;
  }
}

/** True while a `<think>` block has opened and not yet closed. */
export function insideThink(text: string): boolean {
  const open = text.lastIndexOf('<think>');
  return open !== -1 && text.indexOf('</think>', open) === -1;
}

function newTest(id: string, dataset: string): TestView {
  return { test_id: id, dataset, status: 'pending', score: null, max_score: null, lane: null, turns: 0 };
}

function cap(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}

/** issue 14: an endpoint is shown without `user:pass@`, whatever run.json holds (runs written before the fix held it). */
function redactUrlOrNull(url: string | null | undefined): string | null {
  return url === undefined || url === null ? null : redactUrl(url);
}
