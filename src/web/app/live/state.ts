import type { Series } from './series.js';
import type { LaneView, RecentRun, RunView, Summary } from './types.js';

/** The parts of the page a change can leave stale: only their components redraw. */
export const PANELS = ['charts', 'pills', 'kpis', 'stream', 'costs', 'recent', 'banner', 'pending'] as const;
export type Panel = (typeof PANELS)[number];

/** issue 17: tokens/s over the calls that ended in this window (the server's TPS_WINDOW_MS). */
const TPS_WINDOW_MS = 10000;

/** What the page knows: the runs as folded from the snapshot and the stream, and what needs redrawing. */
export interface MonitorState {
  current: string | null;
  runs: Record<string, RunView>;
  recent: RecentRun[];
  summary: Summary | null;
  /** The server's clock minus ours, in ms: a stage's elapsed time is counted on the server's clock. */
  clockSkew: number;
  dirty: Set<Panel>;
  /** The charts' points, with the GPU temperature the server card shows. */
  series: Series;
}

export function markAll(state: MonitorState): void {
  PANELS.forEach((d) => state.dirty.add(d));
}

export function currentRun(state: MonitorState): RunView | undefined {
  return state.current ? state.runs[state.current] : undefined;
}

/** The lane the streaming card follows: the one that last started a turn. */
export function activeLane(run: RunView | undefined): LaneView | undefined {
  if (!run || !run.lanes || !run.lanes.length) return undefined;
  return run.lanes.find((l) => l.lane === run.active_lane) || run.lanes[run.lanes.length - 1];
}

/** Lane `n` of a run, made on first sight. */
export function laneOf(run: RunView, n: number): LaneView {
  run.lanes = run.lanes || [];
  let l = run.lanes.find((x) => x.lane === n);
  if (!l) {
    l = { lane: n, prompt: '', response: '', stage: null, stage_ms: {}, stage_since: null, last_turn: null, result: null };
    run.lanes.push(l);
  }
  return l;
}

/** The current run and the runs of its group (a match's two sides), oldest first. */
export function groupRuns(state: MonitorState): RunView[] {
  const cur = currentRun(state);
  if (!cur) return [];
  return Object.values(state.runs)
    .filter((r) => r.key === cur.key || (cur.group && r.group === cur.group))
    .sort((a, b) => String(a.created_at || a.key).localeCompare(String(b.created_at || b.key)));
}

/** The dataset being worked on: the active lane's, a running test's, else the run's first. */
export function currentDataset(run: RunView): string | undefined {
  const l = activeLane(run);
  if (l && l.dataset && l.kind !== 'filler') return l.dataset;
  const running = (run.tests || []).find((t) => t.status === 'running');
  if (running) return running.dataset;
  return (run.datasets || [])[0];
}

/** issue 17: never per chunk: output tokens over LLM call time (TTFT included) of recent calls. */
export function windowTokensPerS(run: RunView): number | null {
  const win = run.tps_window || [];
  const last = win[win.length - 1];
  if (!last) return null;
  let tokens = 0;
  let ms = 0;
  for (const w of win) {
    if (w.t < last.t - TPS_WINDOW_MS) continue;
    tokens += w.tokens;
    ms += w.llm_ms;
  }
  return ms > 0 ? (tokens * 1000) / ms : null;
}
