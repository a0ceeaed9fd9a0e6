import { resolve } from 'node:path';
import { replayRun } from '../../telemetry/replay.js';

/** `referee replay <run-dir> [--endpoint URL]`. */
export async function replayCommand(runDir: string, endpoint: string | undefined): Promise<number> {
  const r = await replayRun({ runDir: resolve(runDir), ...(endpoint ? { endpoint } : {}) });
  const traces = r.tracesUrl ? `${r.spans} spans in ${r.traceRequests} requests to ${r.tracesUrl}` : 'no spans (no traces endpoint)';
  const metrics = r.metricsUrl ? `${r.dataPoints} metric points in ${r.metricRequests} requests to ${r.metricsUrl}` : `no metrics (${r.metricsSkipped ?? 'no metrics endpoint'})`;
  process.stdout.write(`replayed ${traces} and ${metrics}` + (r.skippedLines ? ` (${r.skippedLines} unreadable lines skipped)` : '') + '\n');
  return 0;
}
