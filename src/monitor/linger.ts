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
export async function lingerMonitor(server: MonitorServer, runId: string, options: LingerOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.flushTimeoutMs ?? 5000);
  const pollMs = options.pollMs ?? 50;
  for (;;) {
    const model = server.hub.find(runId);
    if ((model && !model.running && model.ended_at) || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  // One more poll period so the SSE writes of the last events leave the process.
  await new Promise((r) => setTimeout(r, pollMs));
  if (options.until) await options.until;
}
