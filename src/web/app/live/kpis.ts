import { $, text } from './dom.js';
import { fmtSeconds, LOADING, pct, round } from './format.js';
import { activeLane, currentDataset, currentRun, groupRuns, windowTokensPerS, type MonitorState } from './state.js';

/** The server card: model, endpoint and GPU. */
function renderServer(state: MonitorState): void {
  const run = currentRun(state);
  text('kpi-model', run ? run.model || run.agent : null);
  const lastTurn = run ? activeLane(run)?.last_turn : null;
  const endpoint = run ? run.endpoint || 'unknown' : null;
  const reach = !lastTurn ? '' : lastTurn.status === 'success' ? ' · reachable' : ` · last call failed (${lastTurn.reason || 'error'})`;
  text('kpi-endpoint', run ? endpoint + reach : null);
  const temp = state.series.gpuTemp;
  text('kpi-gpu-temp', temp === null || temp === undefined ? 'no GPU' : `${temp} °C`);
  text('kpi-thermal', temp === null || temp === undefined ? '—' : temp < 60 ? 'cool' : temp < 80 ? 'warm' : 'hot');
}

/** The progress card: the run's place in its group, its dataset, tests, turns, verdicts and ETA. */
function renderProgress(state: MonitorState): void {
  const run = currentRun(state);
  const job = state.summary && state.summary.current_job && run && state.summary.current_job.key === run.key ? state.summary.current_job : null;
  if (!run || run.loading) {
    // issue 17: a run still being read shows no partial numbers; its `loaded` event brings the whole ones.
    const shown = run ? LOADING : null;
    ['kpi-agent-pos', 'kpi-dataset-pos', 'progress-done', 'progress-turns', 'kpi-okko', 'kpi-remaining', 'kpi-eta'].forEach((id) => text(id, shown));
    $('progress-bar').style.width = '0%';
    return;
  }
  const tests = run.tests || [];
  const total = run.tests_total || tests.length;
  const done = tests.filter((t) => t.status === 'pass' || t.status === 'fail').length || run.tests_done || 0;
  const group = groupRuns(state);
  text('kpi-agent-pos', `${run.agent || run.run_id} (${group.indexOf(run) + 1}/${group.length})`);
  const ds = currentDataset(run);
  // issue 21: the dataset's own tests done, then its place in the run ("9/9" alone read as progress).
  const dsTests = tests.filter((x) => x.dataset === ds);
  const dsDone = dsTests.filter((x) => x.status === 'pass' || x.status === 'fail').length;
  const datasets = run.datasets || [];
  text('kpi-dataset-pos', ds ? `${ds}: ${dsDone}/${dsTests.length} tests done (dataset ${datasets.indexOf(ds) + 1} of ${datasets.length})` : null);
  text('progress-done', `${done}/${total}`);
  const turnsDone = job ? job.completed_turns : run.turns_done;
  const turnsTotal = job ? job.total_turns : run.turns_total;
  // issue 21: an expected total says so until the run ends and settles it.
  const estimated = job ? job.total_turns_estimated : run.turns_total_estimated;
  text('progress-turns', `${turnsDone ?? 0}/${estimated ? '~' : ''}${turnsTotal ?? '?'}${estimated ? ' (estimate)' : ''}`);
  const ok = tests.filter((t) => t.status === 'pass').length;
  const partial = tests.filter((t) => t.status === 'fail' && (t.score ?? 0) > 0).length;
  const ko = done - ok - partial;
  text('kpi-okko', done ? `${pct((100 * ok) / done)} / ${pct((100 * ko) / done)} / ${pct((100 * partial) / done)}` : null);
  text('kpi-remaining', `${Math.max(0, total - done)} tests`);
  text('kpi-eta', job ? fmtSeconds(job.eta_seconds) : null);
  $('progress-bar').style.width = `${total ? (100 * done) / total : 0}%`;
}

/** The task card: the active lane's test, attempt, verdict and the last turn's timings. */
function renderTask(state: MonitorState): void {
  const run = currentRun(state);
  const l = run && !run.loading ? activeLane(run) : undefined;
  const t = l && l.last_turn;
  text('kpi-task', l ? `${l.test_id ?? '—'} · turn ${l.turn_id ?? '—'}` : null);
  text('kpi-attempt', t ? t.attempts || 1 : null);
  // issue 17: once scored, the task's verdict; never "success" beside a FAIL.
  text('kpi-task-status', l ? (l.busy ? 'running' : l.verdict ? l.verdict.toUpperCase() : t ? t.status : null) : null);
  text('kpi-ttft', t && t.ttft_ms !== null && t.ttft_ms !== undefined ? `${round(t.ttft_ms, 0)} ms` : null);
  const rate = run ? windowTokensPerS(run) : null;
  text('kpi-speed', rate === null ? null : `${round(rate, 1)} tok/s`);
  text('kpi-latency', t ? `${round(t.total_ms, 0)} ms` : null);
}

export function renderKpis(state: MonitorState): void {
  renderServer(state);
  renderProgress(state);
  renderTask(state);
}
