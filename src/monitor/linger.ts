import type { MonitorHub } from './hub.js';
import type { MonitorServer } from './server.js';

export interface LingerOptions {
  /** Keep serving after the flush until this resolves (Ctrl-C); absent: close after the flush. */
  until?: Promise<void>;
  /** Longest wait for the monitor to read the run's last event, ms. @default 5000 */
  flushTimeoutMs?: number;
  /** Poll interval while waiting, ms. @default 50 */
  pollMs?: number;
}

/**
 * issue 17: `run --monitor` used to close its server the moment the run returned,
 * before the hub had tailed the last events: an open page froze at 62/64 turns with
 * a timer still counting. This waits until the monitor has folded in the run's
 * `run_end` (every event before it is then sent to the page too), then keeps the
 * page served until `until` resolves.
 */
export async function lingerMonitor(server: MonitorServer, done: (hub: MonitorHub) => boolean, options: LingerOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.flushTimeoutMs ?? 5000);
  const pollMs = options.pollMs ?? 50;
  for (;;) {
    if (done(server.hub) || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  // One more poll period so the SSE writes of the last events leave the process.
  await new Promise((r) => setTimeout(r, pollMs));
  if (options.until) await options.until;
}

/** The one run of an LTM run: done once its `run_end` is folded in. */
export function runEnded(runId: string): (hub: MonitorHub) => boolean {
  return (hub) => {
    const m = hub.find(runId);
    return m !== undefined && !m.running && m.ended_at !== null;
  };
}

/** The runs a suite or a match started (after `sinceMs`): done once every one has ended. */
export function runsStartedSinceEnded(sinceMs: number): (hub: MonitorHub) => boolean {
  return (hub) => {
    const mine = hub.models().filter((m) => m.started_at !== null && Date.parse(m.started_at) >= sinceMs);
    return mine.length > 0 && mine.every((m) => !m.running && m.ended_at !== null);
  };
}
