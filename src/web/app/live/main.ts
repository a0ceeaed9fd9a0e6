import { Charts } from './charts.js';
import { LiveFeed } from './live.js';
import { renderStages } from './streaming.js';
import { createRenderer } from './render.js';
import { Series } from './series.js';
import { markAll, type MonitorState } from './state.js';
import { bindHeaderToggle, bindPanelToggles } from './toolbar.js';

/** The live monitor page (index.html): state, charts and panels, wired to the server's stream. */
bindHeaderToggle();
const state: MonitorState = { current: null, runs: {}, recent: [], summary: null, clockSkew: 0, dirty: new Set(), series: new Series(() => state.dirty.add('charts')) };
const charts = new Charts(state.series);
bindPanelToggles((name) => charts.resize(name));
const { schedule } = createRenderer(state, charts);
const live = new LiveFeed(state, schedule);

charts.init();
markAll(state);
schedule();
live.connect();
setInterval(() => renderStages(state), 500);
setInterval(() => void live.refreshRecent(), 15000);
