import { fmtSeconds, LOADING, pct, round } from './format.js';
import { activeLane, currentDataset, currentRun, groupRuns, windowTokensPerS, type MonitorState } from './state.js';

/** What the live view's cards say, worked out from the state: text only (null shows as `—`), no DOM. */
export type Shown = string | number | null | undefined;

export interface ServerCard {
  model: Shown;
  endpoint: Shown;
  gpuTemp: Shown;
  thermal: Shown;
}

/** The server card: model, endpoint and GPU. */
export function serverCard(state: MonitorState): ServerCard {
  const run = currentRun(state);
  const lastTurn = run ? activeLane(run)?.last_turn : null;
  const reach = !lastTurn ? '' : lastTurn.status === 'success' ? ' · reachable' : ` · last call failed (${lastTurn.reason || 'error'})`;
  const temp = state.series.gpuTemp;
  return {
    model: run ? run.model || run.agent : null,
    endpoint: run ? (run.endpoint || 'unknown') + reach : null,
    gpuTemp: temp === null || temp === undefined ? 'no GPU' : `${temp} °C`,
    thermal: temp === null || temp === undefined ? '—' : temp < 60 ? 'cool' : temp < 80 ? 'warm' : 'hot',
  };
}

export interface ProgressCard {
  agentPos: Shown;
  datasetPos: Shown;
  done: Shown;
  turns: Shown;
  okko: Shown;
  remaining: Shown;
  eta: Shown;
  /** The bar's width, 0 to 100. */
  barPct: number;
}

/** A test's statuses once it has ended: scored or not, it is done. */
export const DONE = new Set(['pass', 'fail', 'error', 'judge_error', 'unscored']);

/** The progress card: the run's place in its group, its dataset, tests, turns, verdicts and ETA. */
export function progressCard(state: MonitorState): ProgressCard {
  const run = currentRun(state);
  const job = state.summary && state.summary.current_job && run && state.summary.current_job.key === run.key ? state.summary.current_job : null;
  if (!run || run.loading) {
    // issue 17: a run still being read shows no partial numbers; its `loaded` event brings the whole ones.
    const shown = run ? LOADING : null;
    return { agentPos: shown, datasetPos: shown, done: shown, turns: shown, okko: shown, remaining: shown, eta: shown, barPct: 0 };
  }
  const tests = run.tests || [];
  const total = run.tests_total || tests.length;
  const done = tests.filter((t) => DONE.has(t.status)).length || run.tests_done || 0;
  const group = groupRuns(state);
  const ds = currentDataset(run);
  // issue 21: the dataset's own tests done, then its place in the run ("9/9" alone read as progress).
  const dsTests = tests.filter((x) => x.dataset === ds);
  const dsDone = dsTests.filter((x) => DONE.has(x.status)).length;
  const datasets = run.datasets || [];
  const turnsDone = job ? job.completed_turns : run.turns_done;
  const turnsTotal = job ? job.total_turns : run.turns_total;
  // issue 21: an expected total says so until the run ends and settles it.
  const estimated = job ? job.total_turns_estimated : run.turns_total_estimated;
  const ok = tests.filter((t) => t.status === 'pass').length;
  const partial = tests.filter((t) => t.status === 'fail' && (t.score ?? 0) > 0).length;
  const ko = done - ok - partial;
  return {
    agentPos: `${run.agent || run.run_id} (${group.indexOf(run) + 1}/${group.length})`,
    datasetPos: ds ? `${ds}: ${dsDone}/${dsTests.length} tests done (dataset ${datasets.indexOf(ds) + 1} of ${datasets.length})` : null,
    done: `${done}/${total}`,
    turns: `${turnsDone ?? 0}/${estimated ? '~' : ''}${turnsTotal ?? '?'}${estimated ? ' (estimate)' : ''}`,
    okko: done ? `${pct((100 * ok) / done)} / ${pct((100 * ko) / done)} / ${pct((100 * partial) / done)}` : null,
    remaining: `${Math.max(0, total - done)} tests`,
    eta: job ? fmtSeconds(job.eta_seconds) : null,
    barPct: total ? (100 * done) / total : 0,
  };
}

export interface TaskCard {
  task: Shown;
  attempt: Shown;
  /** issue 22: the run's prompts refused for their length and sent again, trimmed. */
  contextRetries: Shown;
  /** The run's last notice line (a context retry, a retry, a stall). */
  notice: Shown;
  status: Shown;
  ttft: Shown;
  speed: Shown;
  latency: Shown;
}

/** The task card: the active lane's test, attempt, verdict and the last turn's timings. */
export function taskCard(state: MonitorState): TaskCard {
  const run = currentRun(state);
  const l = run && !run.loading ? activeLane(run) : undefined;
  const t = l && l.last_turn;
  const rate = run ? windowTokensPerS(run) : null;
  return {
    task: l ? `${l.test_id ?? '—'} · turn ${l.turn_id ?? '—'}` : null,
    attempt: t ? t.attempts || 1 : null,
    contextRetries: run && !run.loading ? run.context_retries || 0 : null,
    notice: run && !run.loading ? run.notices?.at(-1)?.message : null,
    // issue 17: once scored, the task's verdict; never "success" beside a FAIL.
    status: l ? (l.busy ? 'running' : l.verdict ? l.verdict.toUpperCase() : t ? t.status : null) : null,
    ttft: t && t.ttft_ms !== null && t.ttft_ms !== undefined ? `${round(t.ttft_ms, 0)} ms` : null,
    speed: rate === null ? null : `${round(rate, 1)} tok/s`,
    latency: t ? `${round(t.total_ms, 0)} ms` : null,
  };
}
