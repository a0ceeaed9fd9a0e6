import { resolve } from 'node:path';
import { replayRun } from '../../telemetry/replay.js';

/** `referee replay <run-dir> [--endpoint URL]`. */
export async function replayCommand(runDir: string, endpoint: string | undefined): Promise<number> {
  const r = await replayRun({ runDir: resolve(runDir), ...(endpoint ? { endpoint } : {}) });
  process.stdout.write(
    `replayed ${r.spans} spans in ${r.traceRequests} requests and ${r.dataPoints} metric points in ${r.metricRequests} requests to ${r.endpoint}` +
      (r.skippedLines ? ` (${r.skippedLines} unreadable lines skipped)` : '') +
      '\n',
  );
  return 0;
}
