import { resolve } from 'node:path';
import { requireRunsDir } from '../artifacts/runs-root.js';
import { MonitorHub } from './hub.js';
import type { RunSummary } from './run-model.js';
import { viewRuns } from './viewer.js';

/** One run as `referee runs` lists it: the viewer's run list row, fewer fields. */
export interface RunListEntry {
  run_id: string;
  /** Where the run sits under the runs directory (`<run>` or `<match or suite>/<run>`). */
  key: string;
  kind: string;
  agent: string;
  status: string;
  score: number;
  max_score: number;
  turns_done: number;
  turns_total: number;
  started_at: string | null;
  duration_s: number;
}

export interface RunList {
  runs_dir: string;
  runs: RunListEntry[];
}

/**
 * issue 21: the runs under a runs directory, newest first, for `referee runs`. The
 * rows are the viewer's (`/api/view/runs`): the same hub reads the same files and the
 * same fold makes the numbers, so the terminal and the viewer cannot disagree.
 */
export async function listRuns(runsDir: string): Promise<RunList> {
  requireRunsDir(runsDir);
  const dir = resolve(runsDir);
  const hub = new MonitorHub({ runsDir: dir });
  try {
    // Without readyWithinMs, start() resolves once every run on disk is read whole.
    await hub.start();
    const { runs } = viewRuns(hub, { limit: Number.MAX_SAFE_INTEGER }) as { runs: (RunSummary & { kind: string })[] };
    return { runs_dir: dir, runs: runs.map(entryOf) };
  } finally {
    hub.stop();
  }
}

function entryOf(r: RunSummary & { kind: string }): RunListEntry {
  return {
    run_id: r.run_id,
    key: r.key,
    kind: r.kind,
    agent: r.agent,
    status: r.status,
    score: r.score,
    max_score: r.max_score,
    turns_done: r.turns_done,
    turns_total: r.turns_total,
    started_at: r.started_at,
    duration_s: r.elapsed_seconds,
  };
}
