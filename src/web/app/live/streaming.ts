import { $, text } from './dom.js';
import { stageTime } from './format.js';
import { activeLane, currentRun, type MonitorState } from './state.js';
import { STAGES, type Stage } from './types.js';

/** The stage pills: the active lane's stage now, those it passed and the time in each. */
export function renderStages(state: MonitorState): void {
  const run = currentRun(state);
  const l = run && !run.loading ? activeLane(run) : undefined;
  const cur = l ? l.stage : null;
  const idx = cur ? STAGES.indexOf(cur) : -1;
  document.querySelectorAll<HTMLElement>('#stages .stage').forEach((el) => {
    const name = el.dataset.stage as Stage;
    const i = STAGES.indexOf(name);
    let ms = l && l.stage_ms ? l.stage_ms[name] : null;
    if (l && name === cur && l.stage_since && cur !== 'done') ms = Math.max(0, Date.now() + state.clockSkew - Date.parse(l.stage_since));
    el.classList.toggle('current', name === cur);
    el.classList.toggle('passed', idx > i && ms !== null && ms !== undefined);
    el.querySelector('em')!.textContent = stageTime(ms);
  });
}

/** The streaming card: the active lane's status, prompt, reply as it streams, and verdict. */
export function renderStream(state: MonitorState): void {
  const run = currentRun(state);
  const l = run && !run.loading ? activeLane(run) : undefined;
  const finished = run && run.status !== 'running';
  text('streaming-label', !l ? '' : finished ? '(last task)' : `(lane ${l.lane})`);
  text('status-text', run && run.loading ? 'LOADING' : l && l.stage ? l.stage.toUpperCase() : run ? String(run.status).toUpperCase() : null);
  text('prompt', l ? l.prompt : null);
  text('response', l ? l.response : null);
  text('result', l ? l.result : null);
  const responseEl = $('response');
  responseEl.scrollTop = responseEl.scrollHeight;
  renderStages(state);
}
