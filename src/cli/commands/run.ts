import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { formatZodIssues, loadAgentConfig, loadDatasetConfig } from '../../config/load.js';
import { parseOverride } from '../../config/overrides.js';
import { RunFlagsSchema, yargsOptionsFromSchema, type RunFlags } from '../../config/run-options.js';
import { ConfigError } from '../../errors.js';
import { runBenchmark } from '../../runner/run-benchmark.js';
import { newRunId } from '../../runner/run-id.js';
import { outputRootOf } from '../../runner/resume.js';
import { startTelemetry } from '../../telemetry/setup.js';
import { DEFAULT_AGENT_CONFIG, DEFAULT_DATASET_CONFIG, packagePath } from '../defaults.js';
import { datasetDirConfigFile } from '../../datasets/load.js';
import { checkResumeFlags, resumeFromFlags, resumeTarget } from './resume.js';
import { resumeSuiteCommand, resumeTasksCommand, runTasksCommand } from './run-tasks.js';
import { resumeMatchCommand } from './match.js';
import { checkFlagsApply, runKindOf } from '../flag-rules.js';
import { monitorIfAsked, runReporters } from '../run-reporters.js';
import { linkToMatchParent } from '../../match/child-link.js';
import { matchCommand } from './match.js';
import { abortOnInterrupt } from '../signals.js';
import { exitCodeFor } from '../../runner/run-ending.js';

export function runBuilder(y: Argv): Argv {
  return y.options(yargsOptionsFromSchema(RunFlagsSchema)).alias('i', 'isolated').example('$0 run', 'the default offline benchmark');
}

/** Parses argv through the schema; a bad flag is a one-line ConfigError. */
export function parseRunFlags(argv: Record<string, unknown>): RunFlags {
  const picked = Object.fromEntries(
    Object.keys(RunFlagsSchema.shape)
      .map((k) => [k, argv[k]])
      .filter(([, v]) => v !== undefined),
  );
  const r = RunFlagsSchema.safeParse(picked);
  if (!r.success) throw new ConfigError('CONFIG_INVALID', formatZodIssues('command line', r.error).replace('command line: ', 'command line: --'));
  return r.data;
}

export async function runCommand(argv: Record<string, unknown>): Promise<number> {
  const flags = isolatedAsOverride(parseRunFlags(argv));
  const kind = runKindOf(flags);
  if (kind === 'resume') checkResumeFlags(flags);
  // Issue 13: a flag that cannot apply to this kind of run is an error, never ignored.
  checkFlagsApply(flags, kind);
  // issue 14: --host and --token shape the --monitor server; alone they would do nothing.
  if ((flags.host !== undefined || flags.token !== undefined) && !flags.monitor) {
    throw new ConfigError('CONFIG_INVALID', `command line: --${flags.host !== undefined ? 'host' : 'token'} is for --monitor; add --monitor or drop it`);
  }
  if (kind === 'suite' || kind === 'tasks') return runTasksCommand(flags);
  // Match mode: this process orchestrates two `referee run` children (issue 5).
  if (kind === 'match') return matchCommand(flags);
  if (kind === 'resume') {
    const target = resumeTarget(flags.resume as string);
    if (target === 'tasks') return resumeTasksCommand(flags);
    if (target === 'suite') return resumeSuiteCommand(flags);
    if (target === 'match') return resumeMatchCommand(flags);
  }
  // Issue 4: --resume takes configs, run id, output root and concurrency from the run directory.
  const resume = flags.resume !== undefined ? await resumeFromFlags(flags) : undefined;
  if (resume === null) return 0;
  const overrides = flags.overrides.map(parseOverride);
  const agentFile = flags['agent-config'] ?? packagePath(DEFAULT_AGENT_CONFIG);
  // issue 7: a GoodAI definitions folder brings its own config (definitions/config.yml).
  const dirConfig = flags['dataset-dir'] !== undefined ? datasetDirConfigFile(flags['dataset-dir']) : undefined;
  const datasetFile = flags['dataset-config'] ?? dirConfig ?? packagePath(DEFAULT_DATASET_CONFIG);
  let agentConfig, datasetConfig;
  try {
    agentConfig = resume?.agentConfig ?? loadAgentConfig(agentFile, overrides);
    datasetConfig = resume?.datasetConfig ?? loadDatasetConfig(datasetFile, overrides);
  } catch (err) {
    resume?.lock.release();
    throw err;
  }

  const runId = resume?.runId ?? flags['run-id'] ?? newRunId(agentConfig.name);
  const outputDir = resume ? outputRootOf(resume.runDir) : resolve(flags['output-dir']);
  // The one provider of this process, started before any span (seed 000 3.5).
  const telemetry = startTelemetry({ runDir: join(outputDir, runId), runId, agentName: agentConfig.name, ...(flags.role ? { role: flags.role } : {}) });
  const monitor = await monitorIfAsked(flags, outputDir);

  const { abort, dispose: stopListening } = abortOnInterrupt();
  const unlinkParent = linkToMatchParent((why) => {
    if (!abort.signal.aborted) abort.abort(new Error(why));
  });
  try {
    const result = await runBenchmark({
      agentConfig,
      datasetConfig,
      outputDir,
      runId,
      concurrency: flags.concurrency ?? 1,
      reporters: runReporters(flags, agentConfig, telemetry),
      signal: abort.signal,
      allowDatasetMismatch: flags['allow-dataset-mismatch'],
      ...(flags['dataset-dir'] !== undefined && !resume ? { datasetDir: resolve(flags['dataset-dir']) } : {}),
      ...(flags['judge-config'] !== undefined ? { judgeConfig: loadAgentConfig(flags['judge-config']) } : {}),
      ...(resume ? { resume } : {}),
      ...(flags.role ? { role: flags.role, runType: 'match' } : {}),
      maxFailedTurns: flags['max-failed-turns'],
      sources: { agent: agentFile, ...(flags['judge-config'] !== undefined ? { judge: flags['judge-config'] } : {}) },
    });
    process.stdout.write(`${result.runDir}\n`);
    return exitCodeFor(result.status);
  } finally {
    stopListening();
    await monitor?.close();
    unlinkParent();
    await telemetry.shutdown(5000);
  }
}

/**
 * issue 12: `-i/--isolated` is the dataset config's `config.isolated`, so it
 * reaches match children and run.json like any override. Task runs have no
 * conversation to isolate, and a resumed run keeps the mode it started with.
 */
function isolatedAsOverride(flags: RunFlags): RunFlags {
  if (!flags.isolated) return flags;
  if (flags.suite !== undefined || flags.tasks !== undefined) throw new ConfigError('CONFIG_INVALID', 'command line: --isolated: task runs are single-turn already; it applies to GoodAI-shaped (LTM) runs only');
  if (flags.resume !== undefined) throw new ConfigError('CONFIG_INVALID', 'command line: --isolated: a resumed run keeps the mode recorded in its run.json');
  return { ...flags, overrides: [...flags.overrides, 'dataset.config.isolated=true'] };
}
