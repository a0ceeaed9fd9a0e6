import { $, pill, text } from './dom.js';
import { currentDataset, currentRun, groupRuns, type MonitorState } from './state.js';

/** The banner: shown while no run is running. */
export function renderBanner(state: MonitorState): void {
  const running = Object.values(state.runs).some((r) => r.status === 'running');
  $('banner').classList.toggle('hidden', running);
}

/** The pill lists: the current run's group of agents, its datasets and the current dataset's tests. */
export function renderPills(state: MonitorState): void {
  const run = currentRun(state);
  const agents = groupRuns(state).map((r, i, all) => {
    const status = r.status === 'running' ? 'running' : r.status === 'finished' ? 'pass' : r.status === 'pending' ? 'pending' : 'fail';
    return pill(`${r.agent || r.run_id} ${i + 1}/${all.length}`, status, `${r.run_id} (${r.status})`, r.key === state.current ? 'pill-selected' : '');
  });
  $('pills-agents').replaceChildren(...agents);
  if (!run) {
    $('pills-datasets').replaceChildren();
    $('pills-tasks').replaceChildren();
    text('tasks-dataset', '');
    return;
  }
  const tests = run.loading ? [] : run.tests || [];
  const datasets = (run.loading ? [] : run.datasets || []).map((name) => {
    const ts = tests.filter((t) => t.dataset === name);
    const done = ts.filter((t) => t.status === 'pass' || t.status === 'fail').length;
    const pass = ts.filter((t) => t.status === 'pass').length;
    const status = ts.length && done === ts.length ? 'pass' : ts.some((t) => t.status !== 'pending') ? 'running' : 'pending';
    return pill(`${name} ${done}/${ts.length}`, status, `${name}: ${pass} passed of ${done} done, ${ts.length} in all`);
  });
  $('pills-datasets').replaceChildren(...datasets);
  const ds = currentDataset(run);
  text('tasks-dataset', ds ? `(${ds})` : '');
  const activeIds = new Set((run.lanes || []).filter((l) => l.busy).map((l) => l.test_id));
  const taskPills = tests
    .filter((t) => t.dataset === ds)
    .map((t) => {
      const score = t.score !== undefined && t.score !== null ? ` (${t.score}/${t.max_score})` : '';
      const el = pill(t.test_id, t.status, `${t.test_id}: ${t.status}${score}`, t.status === 'running' && activeIds.has(t.test_id) ? 'pill-active' : '');
      el.dataset.testId = t.test_id;
      return el;
    });
  $('pills-tasks').replaceChildren(...taskPills);
}
