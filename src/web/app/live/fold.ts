import { round } from './format.js';
import { WINDOW } from './series.js';
import { activeLane, currentRun, laneOf, markAll, windowTokensPerS, type MonitorState } from './state.js';
import { NOTICE_CAP, type ContextRetryEvent, type OtherEvent, type RunEndEvent, type RunEvent, type RunView, type Snapshot, type StageEvent, type Summary } from './types.js';

/**
 * Folding what the server sends into the page's state: the snapshot, the stream's run events,
 * stages and summaries. No I/O here: a fold says what it needs fetched and the caller fetches.
 */
export interface FoldNeeds {
  /** The run's full state (agent, model, tests) or its final one: fetch the snapshot again. */
  snapshot: boolean;
  /** A run ended: fetch the recent runs again. */
  recent: boolean;
}

const NOTHING: FoldNeeds = { snapshot: false, recent: false };

export function applySnapshot(state: MonitorState, snap: Snapshot): void {
  state.runs = snap.detail || {};
  state.current = snap.current;
  state.recent = snap.runs || [];
  state.summary = snap.summary || null;
  state.clockSkew = Date.parse(snap.server_time) - Date.now() || 0;
  state.series.reset(currentRun(state));
  markAll(state);
}

export function applySummary(state: MonitorState, summary: Summary): void {
  state.summary = summary;
  state.dirty.add('kpis').add('costs').add('pending');
}

export function applyStage(state: MonitorState, s: StageEvent): boolean {
  const run = state.runs[s.key];
  if (!run) return false;
  const l = laneOf(run, s.lane);
  l.stage = s.stage;
  l.stage_ms = s.stage_ms || {};
  l.stage_since = s.stage_since;
  state.dirty.add('stream');
  return true;
}

/** issue 21: the run's final figures (runstats.json's), whatever this page missed on the way. */
const FINAL = ['turns_total', 'turns_total_estimated', 'tests_done', 'turns_failed', 'tokens_in', 'tokens_out', 'cost_usd'] as const;

function endRun(run: RunView, ev: RunEndEvent): void {
  run.status = ev.status || 'finished';
  for (const k of FINAL) if (ev[k] !== undefined) Object.assign(run, { [k]: ev[k] });
  if (ev.turns !== undefined) run.turns_done = ev.turns;
  (run.lanes || []).forEach((l) => {
    l.busy = false;
  });
}

/** A run event; null when the state already held it (issue 17: seq decides). */
export function applyRunEvent(state: MonitorState, ev: RunEvent): FoldNeeds | null {
  const needs = { ...NOTHING };
  let run = state.runs[ev.key];
  if (!run) {
    // A run we have not seen: fetch its full state (agent, model, tests) once.
    run = state.runs[ev.key] = { key: ev.key, run_id: ev.run_id, status: 'running', tests: [], lanes: [], datasets: [], telemetry: [], tps: [] };
    needs.snapshot = true;
  }
  // issue 17: a snapshot fetched over HTTP may already hold an event the stream delivers after it.
  if (typeof ev.seq === 'number' && typeof run.last_seq === 'number' && ev.seq <= run.last_seq) return null;
  if (typeof ev.seq === 'number') run.last_seq = ev.seq;
  const cur = currentRun(state);
  if (ev.key !== state.current && (!cur || cur.status !== 'running') && ev.type !== 'run_end') {
    state.current = ev.key;
    state.series.reset(run);
    markAll(state);
  }
  const isCurrent = ev.key === state.current;
  const { series } = state;
  switch (ev.type) {
    case 'run_start':
      run.status = 'running';
      run.tests = (ev.tests || []).map((t) => ({ test_id: t.test_id, dataset: t.dataset, status: 'pending' }));
      run.datasets = [...new Set(run.tests.map((t) => t.dataset))];
      run.tests_total = ev.tests_total;
      run.turns_total = ev.turns_total;
      run.turns_total_estimated = ev.turns_total_estimated === true;
      needs.snapshot = true;
      state.dirty.add('pills');
      break;
    case 'test_start': {
      const t = run.tests.find((x) => x.test_id === ev.test_id);
      if (t) {
        t.status = 'running';
        t.lane = ev.lane;
      }
      state.dirty.add('pills');
      break;
    }
    case 'turn_start': {
      const l = laneOf(run, ev.lane ?? 0);
      Object.assign(l, { test_id: ev.test_id, turn_id: ev.turn_id, kind: ev.kind, dataset: ev.dataset, prompt: ev.prompt || '', response: '', result: null, verdict: null, busy: true });
      run.active_lane = l.lane;
      state.dirty.add('stream').add('pills');
      break;
    }
    case 'token': {
      const l = (run.lanes || []).find((x) => x.turn_id === ev.turn_id && x.test_id === ev.test_id);
      if (l) {
        l.response += ev.delta || '';
        state.dirty.add('stream');
      }
      break;
    }
    case 'turn_end': {
      if (ev.turns_total !== undefined) run.turns_total = ev.turns_total;
      const l = laneOf(run, ev.lane ?? 0);
      if (typeof ev.response === 'string') l.response = ev.response;
      l.last_turn = ev;
      l.busy = false;
      // issue 17: another attempt at the same step is not another turn.
      const stepKey = `${ev.test_id}#${ev.step}`;
      if (stepKey !== l.last_step_key) run.turns_done = (run.turns_done || 0) + 1;
      l.last_step_key = stepKey;
      run.attempts = (run.attempts || 0) + 1;
      // issue 22: tokens/s over the model calls that answered, as the server counts them (a failed or pre-filled turn is no such call).
      const call = ev.status === 'success' && ev.prefilled !== true;
      if (call && ev.llm_ms !== undefined && ev.llm_ms > 0) {
        run.tps_window = (run.tps_window || []).concat([{ t: Date.parse(ev.ts), tokens: ev.tokens_out || 0, llm_ms: ev.llm_ms }]).slice(-256);
        const rate = windowTokensPerS(run);
        if (isCurrent && !series.hasTelemetryTps && rate !== null) series.push('tps', ev.ts, round(rate, 1));
      }
      state.dirty.add('stream').add('kpis').add('pills');
      break;
    }
    case 'test_end': {
      const t = run.tests.find((x) => x.test_id === ev.test_id);
      // issue 22: a test not answered, or not judged, is neither a pass nor a fail: as the server folds it.
      // issue 25: `unscored` (no judge): its score is null.
      const passed = !ev.status && ev.score !== null && ev.max_score !== null && ev.max_score > 0 && ev.score >= ev.max_score;
      const verdict = ev.status ?? (passed ? 'pass' : 'fail');
      if (t) {
        t.status = verdict;
        t.score = ev.score;
        t.max_score = ev.max_score;
      }
      run.tests_done = ev.tests_done ?? (run.tests_done || 0) + 1;
      run.pass = (run.pass || 0) + (passed ? 1 : 0);
      if (isCurrent) {
        series.push('success', run.tests_done, round((100 * run.pass) / run.tests_done, 1));
        state.dirty.add('charts');
      }
      const l = (run.lanes || []).find((x) => x.test_id === ev.test_id) || activeLane(run);
      if (l) {
        l.result = `${verdict.toUpperCase()} ${ev.test_id}: ${ev.score === null ? 'unscored: needs judge' : `score ${ev.score}/${ev.max_score}`}${(ev.reasons || []).length ? '\n' + (ev.reasons || []).join('\n') : ''}`;
        l.verdict = verdict;
      }
      state.dirty.add('pills').add('stream').add('kpis');
      break;
    }
    case 'telemetry':
      run.telemetry = (run.telemetry || []).concat([ev]).slice(-WINDOW);
      if (isCurrent) series.addTelemetry(ev);
      state.dirty.add('kpis');
      break;
    case 'context_retry':
      // issue 22: as the server counts it (run-model.ts).
      run.context_retries = (run.context_retries || 0) + 1;
      addNotice(run, ev);
      state.dirty.add('kpis');
      break;
    case 'run_end':
      endRun(run, ev);
      needs.snapshot = true;
      needs.recent = true;
      state.dirty.add('pills').add('banner').add('kpis');
      break;
    default:
      // Retries, stalls, callbacks: their notice line, as the server keeps it.
      if (addNotice(run, ev)) state.dirty.add('kpis');
      break;
  }
  return needs;
}

/** An event's notice line joins the run's last NOTICE_CAP (run-model.ts keeps the same); false when it had none. */
function addNotice(run: RunView, ev: ContextRetryEvent | OtherEvent): boolean {
  if (!ev.message) return false;
  run.notices = (run.notices || []).concat([{ ts: ev.ts, type: ev.type, message: ev.message }]).slice(-NOTICE_CAP);
  return true;
}
