/**
 * `referee run --suite ltm.yaml` for a suite of `kind: ltm`: agents × dataset configs × seeds, each
 * an LTM run, then the matrix of means with 95% CIs over seeds (per dataset and overall).
 */
import { parseShard } from '../../shards/partition.js';
import { withTraceparent } from '../../shards/trace-parent.js';
import type { RunFlags } from '../../config/run-options.js';
import { EXIT } from '../../exit-codes.js';
import { formatLtmMatrix } from '../../ltm-suite/format.js';
import { loadLtmSuite } from '../../ltm-suite/load.js';
import { requireRunId, runLtmSuite } from '../../ltm-suite/run-ltm-suite.js';
import { startTelemetry } from '../../telemetry/setup.js';
import { runReporters } from '../run-reporters.js';
import { abortOnInterrupt } from '../signals.js';
import { resolve } from 'node:path';

export async function runLtmSuiteCommand(flags: RunFlags & { suite: string }): Promise<number> {
  const loaded = loadLtmSuite(flags.suite);
  const runId = requireRunId(flags['run-id']);
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : undefined;
  const { abort, dispose } = abortOnInterrupt();
  const telemetry = startTelemetry({});
  try {
    const { summary, summaryFile } = await withTraceparent(process.env, () =>
      runLtmSuite(loaded, {
        outputDir: resolve(flags['runs-dir']),
        runId,
        ...(shard ? { shard } : {}),
        signal: abort.signal,
        reporters: (run) => runReporters(flags, run.agent, telemetry),
        around: async (run, body) => {
          telemetry.openRun({ runId: run.runId, runDir: run.runDir });
          try {
            return await body();
          } finally {
            await telemetry.closeRun(run.runId);
          }
        },
      }),
    );
    process.stdout.write(`${formatLtmMatrix(summary)}\n\nLTM suite summary: ${summaryFile}\n${summary.runs.map((r) => r.run_dir).join('\n')}\n`);
    if (abort.signal.aborted) return EXIT.interrupted;
    return summary.runs.every((r) => r.status === 'finished') ? EXIT.ok : EXIT.runFailed;
  } finally {
    dispose();
    await telemetry.shutdown(5000);
  }
}
