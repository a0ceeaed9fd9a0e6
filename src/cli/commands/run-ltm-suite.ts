/**
 * `referee run --suite ltm.yaml` for a suite of `kind: ltm`: agents × dataset configs × seeds, each
 * an LTM run, then the matrix of means with 95% CIs over seeds (per dataset and overall).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseShard } from '../../shards/partition.js';
import { withTraceparent } from '../../shards/trace-parent.js';
import { loadAgentConfig } from '../../config/load.js';
import { recordedOverrides } from '../../config/overrides.js';
import type { RunFlags } from '../../config/run-options.js';
import { formatLtmMatrix } from '../../ltm-suite/format.js';
import { loadLtmSuite } from '../../ltm-suite/load.js';
import { LtmSuiteSummarySchema } from '../../ltm-suite/schema.js';
import { check } from '../../runner/run-dir-files.js';
import { alreadyFinished } from './resume.js';
import { requireRunId, runLtmSuite } from '../../ltm-suite/run-ltm-suite.js';
import { checkFlagsApply } from '../flag-rules.js';
import { runReporters } from '../run-reporters.js';
import { outcomeOfRuns, perRunTelemetry, runProcess, type ExitOutcome } from '../run-process.js';

export async function runLtmSuiteCommand(flags: RunFlags & { suite: string }): Promise<ExitOutcome> {
  const loaded = loadLtmSuite(flags.suite, flags.overrides);
  const runId = requireRunId(flags['run-id']);
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : undefined;
  // Loaded before anything runs: a judge config that cannot load is refused in one line.
  const judgeFile = flags['judge-config'] !== undefined ? resolve(flags['judge-config']) : undefined;
  const judge = judgeFile !== undefined ? { file: judgeFile, config: loadAgentConfig(judgeFile) } : undefined;
  return runProcess(flags, {}, async ({ telemetry, signal }) => {
    const { summary, summaryFile } = await withTraceparent(process.env, () =>
      runLtmSuite(loaded, {
        outputDir: resolve(flags['runs-dir']),
        runId,
        ...(shard ? { shard } : {}),
        signal,
        maxFailedTurns: flags['max-failed-turns'],
        tracePer: flags['trace-per'],
        ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
        ...(judge ? { judge } : {}),
        reporters: (run) => runReporters(flags, run.agent, telemetry),
        around: perRunTelemetry(telemetry),
      }),
    );
    const outcome = outcomeOfRuns(summary.runs, signal.aborted, flags['max-failed-turns']);
    return {
      ...outcome,
      ending: { kind: 'suite', status: outcome.status, path: summaryFile, runsDir: dirname(summaryFile), summary: { matrix: summary } },
      stdoutLines: [formatLtmMatrix(summary), '', `LTM suite summary: ${summaryFile}`, ...summary.runs.map((r) => r.run_dir)],
    };
  });
}

/**
 * `--resume ltm-suite-<run-id>.json`: the suite run again under its run id, as the summary names it
 * (its file, runs directory, shard, and the --concurrency, --judge-config and --overrides it started
 * with): finished runs stay, an interrupted one resumes, the rest run. --judge-config given again wins.
 */
export async function resumeLtmSuiteCommand(flags: RunFlags, summaryFile: string): Promise<number | ExitOutcome> {
  // A task-only flag (--unsafe-code-exec) given to the resume is refused as it is on a fresh LTM suite.
  checkFlagsApply(flags, 'ltm-suite');
  const summary = check(LtmSuiteSummarySchema, summaryFile, JSON.parse(readFileSync(summaryFile, 'utf8')));
  const due = summary.shard?.pieces ?? summary.agents.length * summary.datasets.length * summary.seeds.length;
  if (summary.runs.length === due && summary.runs.every((r) => r.status === 'finished')) {
    alreadyFinished(summaryFile);
    return 0;
  }
  return runLtmSuiteCommand({
    ...flags,
    suite: summary.suite_file,
    'run-id': summary.run_id,
    'runs-dir': dirname(summaryFile),
    overrides: recordedOverrides(summaryFile, summary.overrides ?? []),
    ...(summary.concurrency !== undefined ? { concurrency: summary.concurrency } : {}),
    ...(flags['judge-config'] === undefined && summary.judge_config !== undefined ? { 'judge-config': summary.judge_config } : {}),
    ...(summary.shard ? { shard: `${summary.shard.index}/${summary.shard.count}` } : {}),
  });
}
