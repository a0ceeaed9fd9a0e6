import { memo } from 'preact/compat';
import { DONE } from './card-values.js';
import { currentDataset, currentRun, groupRuns, type MonitorState } from './state.js';

/** A status pill: coloured by `status`, its title the longer story. */
function Pill({ label, status, title, extra, testId }: { label: string; status: string; title?: string; extra?: string; testId?: string }) {
  return (
    <span class={`pill pill-${status}${extra ? ' ' + extra : ''}`} title={title || label} data-status={status} data-test-id={testId}>
      {label}
    </span>
  );
}


/** The pill lists: the current run's group of agents, its datasets and the current dataset's tests; `hidden` names those turned off. */
export const LiveLists = memo(function LiveLists({ state, hidden }: { state: MonitorState; version: number; hidden: Set<string> }) {
  const run = currentRun(state);
  const group = groupRuns(state);
  const tests = !run || run.loading ? [] : run.tests || [];
  const ds = run ? currentDataset(run) : undefined;
  const active = new Set((run?.lanes || []).filter((l) => l.busy).map((l) => l.test_id));
  const block = (name: string) => `pill-block${hidden.has(name) ? ' hidden' : ''}`;
  return (
    <section class="lists">
      <div class={block('agents')} id="list-agents">
        <h3>Agents</h3>
        <div class="pills" id="pills-agents">
          {group.map((r, i) => {
            const status = r.status === 'running' ? 'running' : r.status === 'finished' ? 'pass' : r.status === 'pending' ? 'pending' : 'fail';
            return <Pill key={r.key} label={`${r.agent || r.run_id} ${i + 1}/${group.length}`} status={status} title={`${r.run_id} (${r.status})`} extra={r.key === state.current ? 'pill-selected' : ''} />;
          })}
        </div>
      </div>
      <div class={block('datasets')} id="list-datasets">
        <h3>Datasets overview</h3>
        <div class="pills" id="pills-datasets">
          {(!run || run.loading ? [] : run.datasets || []).map((name) => {
            const ts = tests.filter((t) => t.dataset === name);
            const done = ts.filter((t) => DONE.has(t.status)).length;
            const pass = ts.filter((t) => t.status === 'pass').length;
            const status = ts.length && done === ts.length ? 'pass' : ts.some((t) => t.status !== 'pending') ? 'running' : 'pending';
            return <Pill key={name} label={`${name} ${done}/${ts.length}`} status={status} title={`${name}: ${pass} passed of ${done} done, ${ts.length} in all`} />;
          })}
        </div>
      </div>
      <div class={block('tasks')} id="list-tasks">
        <h3>
          Current dataset tasks{' '}
          <span class="muted" id="tasks-dataset">
            {ds ? `(${ds})` : ''}
          </span>
        </h3>
        <div class="pills" id="pills-tasks">
          {tests
            .filter((t) => t.dataset === ds)
            .map((t) => {
              const score = t.score !== undefined && t.score !== null ? ` (${t.score}/${t.max_score})` : '';
              return (
                <Pill
                  key={t.test_id}
                  label={t.test_id}
                  status={t.status}
                  title={`${t.test_id}: ${t.status}${score}`}
                  extra={t.status === 'running' && active.has(t.test_id) ? 'pill-active' : ''}
                  testId={t.test_id}
                />
              );
            })}
        </div>
      </div>
    </section>
  );
});

/** The banner: shown while no run is running. */
export const LiveBanner = memo(function LiveBanner({ state }: { state: MonitorState; version: number }) {
  const running = Object.values(state.runs).some((r) => r.status === 'running');
  return (
    <div id="banner" class={`banner${running ? ' hidden' : ''}`}>
      Waiting for benchmark events…
    </div>
  );
});
