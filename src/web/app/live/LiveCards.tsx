import { memo } from 'preact/compat';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { progressCard, serverCard, taskCard, type Shown } from './card-values.js';
import { stageTime } from './format.js';
import { activeLane, currentRun, type MonitorState } from './state.js';
import { STAGES, type Stage } from './types.js';

/** A value as the cards show it: `—` for nothing. */
const show = (v: Shown): string => (v === null || v === undefined || v === '' ? '—' : String(v));

/** A definition list of [label, element id, value]: the ids are the page's public names (tests and user scripts read them). */
function Facts({ rows }: { rows: [string, string, Shown][] }) {
  return (
    <dl>
      {rows.map(([label, id, value]) => [
        <dt key={`${id}-t`}>{label}</dt>,
        <dd key={id} id={id}>
          {show(value)}
        </dd>,
      ])}
    </dl>
  );
}

/** The server, progress and task cards. */
export const LiveKpis = memo(function LiveKpis({ state }: { state: MonitorState; version: number }) {
  const server = serverCard(state);
  const progress = progressCard(state);
  const task = taskCard(state);
  return (
    <section class="kpis">
      <div class="card" id="card-server">
        <h3>Server status</h3>
        <Facts
          rows={[
            ['Model', 'kpi-model', server.model],
            ['Endpoint', 'kpi-endpoint', server.endpoint],
            ['GPU temp', 'kpi-gpu-temp', server.gpuTemp],
            ['Thermal', 'kpi-thermal', server.thermal],
          ]}
        />
      </div>
      <div class="card" id="card-progress">
        <h3>Progress</h3>
        <div class="bar">
          <div class="bar-fill" id="progress-bar" style={{ width: `${progress.barPct}%` }}></div>
        </div>
        <Facts
          rows={[
            ['Agent', 'kpi-agent-pos', progress.agentPos],
            ['Dataset', 'kpi-dataset-pos', progress.datasetPos],
            ['Tests', 'progress-done', progress.done],
            ['Turns', 'progress-turns', progress.turns],
            ['OK / KO / OTHER', 'kpi-okko', progress.okko],
            ['Remaining', 'kpi-remaining', progress.remaining],
            ['ETA', 'kpi-eta', progress.eta],
          ]}
        />
      </div>
      <div class="card" id="card-task">
        <h3>Task details</h3>
        <Facts
          rows={[
            ['Task', 'kpi-task', task.task],
            ['Attempt', 'kpi-attempt', task.attempt],
            ['Context retries', 'kpi-context-retries', task.contextRetries],
            ['Last notice', 'kpi-notice', task.notice],
            ['Status', 'kpi-task-status', task.status],
            ['TTFT', 'kpi-ttft', task.ttft],
            ['Speed', 'kpi-speed', task.speed],
            ['Latency', 'kpi-latency', task.latency],
          ]}
        />
      </div>
    </section>
  );
});

const STAGE_TITLES: Partial<Record<Stage, string>> = { waiting: 'the call is out; no token yet' };

/** The stage pills: the active lane's stage now, those it passed and the time in each; the current one ticks on the server's clock. */
function Stages({ state }: { state: MonitorState }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 500);
    return () => clearInterval(t);
  }, []);
  const run = currentRun(state);
  const l = run && !run.loading ? activeLane(run) : undefined;
  const cur = l ? l.stage : null;
  const idx = cur ? STAGES.indexOf(cur) : -1;
  return (
    <div class="stages" id="stages">
      {STAGES.map((name, i) => {
        let ms = l && l.stage_ms ? l.stage_ms[name] : null;
        if (l && name === cur && l.stage_since && cur !== 'done') ms = Math.max(0, Date.now() + state.clockSkew - Date.parse(l.stage_since));
        const passed = idx > i && ms !== null && ms !== undefined;
        return (
          <span key={name} class={`stage${name === cur ? ' current' : ''}${passed ? ' passed' : ''}`} data-stage={name} title={STAGE_TITLES[name]}>
            {name[0]!.toUpperCase() + name.slice(1)} <em>{stageTime(ms)}</em>
          </span>
        );
      })}
    </div>
  );
}

/** The streaming card: the active lane's status, prompt, reply as it streams (kept scrolled to its end), and verdict. */
export const LiveStream = memo(function LiveStream({ state }: { state: MonitorState; version: number }) {
  const run = currentRun(state);
  const l = run && !run.loading ? activeLane(run) : undefined;
  const finished = run && run.status !== 'running';
  const response = useRef<HTMLPreElement>(null);
  useLayoutEffect(() => {
    const el = response.current;
    if (el) el.scrollTop = el.scrollHeight;
  });
  const status = run && run.loading ? 'LOADING' : l && l.stage ? l.stage.toUpperCase() : run ? String(run.status).toUpperCase() : null;
  return (
    <section class="card streaming" id="streaming">
      <h3>
        Streaming details{' '}
        <span class="muted" id="streaming-label">
          {!l ? '' : finished ? '(last task)' : `(lane ${l.lane})`}
        </span>
      </h3>
      <Stages state={state} />
      <div class="panels">
        <div class="panel">
          <h4>Status</h4>
          <pre id="status-text">{show(status)}</pre>
        </div>
        <div class="panel">
          <h4>Prompt</h4>
          <pre id="prompt">{show(l ? l.prompt : null)}</pre>
        </div>
        <div class="panel">
          <h4>Response</h4>
          <pre id="response" ref={response}>
            {show(l ? l.response : null)}
          </pre>
        </div>
        <div class="panel">
          <h4>Result</h4>
          <pre id="result">{show(l ? l.result : null)}</pre>
        </div>
      </div>
    </section>
  );
});
