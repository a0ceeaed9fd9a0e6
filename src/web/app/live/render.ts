import type { Charts } from './charts.js';
import { renderCosts, renderWorkers } from './costs.js';
import { renderKpis } from './kpis.js';
import { renderBanner, renderPills } from './pills.js';
import { renderPending } from './pending.js';
import { renderRecent } from './recent.js';
import { renderStream } from './streaming.js';
import type { MonitorState } from './state.js';

/**
 * Redraws the panels a change left stale, at most once a frame. rAF does not run in a
 * hidden tab; a timer makes sure state still lands.
 */
export function createRenderer(state: MonitorState, charts: Charts): { schedule: () => void } {
  let frame = false;
  const render = (): void => {
    if (!frame) return;
    frame = false;
    const d = state.dirty;
    state.dirty = new Set();
    if (d.has('banner') || d.has('pills')) renderBanner(state);
    if (d.has('charts')) charts.draw();
    if (d.has('pills')) renderPills(state);
    if (d.has('kpis') || d.has('pills')) renderKpis(state);
    if (d.has('stream')) renderStream(state);
    if (d.has('costs')) renderCosts(state);
    if (d.has('costs')) renderWorkers(state);
    if (d.has('pending')) renderPending(state);
    if (d.has('recent')) renderRecent(state);
  };
  const schedule = (): void => {
    if (frame) return;
    frame = true;
    requestAnimationFrame(render);
    setTimeout(render, 250);
  };
  return { schedule };
}
