import { dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { formatZodIssues, loadAgentConfig, loadDatasetConfig, readYaml } from '../../config/load.js';
import { parseOverride } from '../../config/overrides.js';
import type { AgentConfig } from '../../config/agent.js';
import type { DatasetConfig } from '../../config/dataset.js';
import { RunFlagsSchema, yargsOptionsFromSchema, type RunFlags } from '../../config/run-options.js';
import { ConfigError } from '../../errors.js';
import { newRunId } from '../../runner/run-id.js';
import { outputRootOf, type ResumePlan } from '../../runner/resume.js';
import { DEFAULT_AGENT_CONFIG, DEFAULT_DATASET_CONFIG, packagePath } from '../defaults.js';
import { datasetDirConfigFile } from '../../datasets/load.js';
import { withFlagOverrides } from '../flag-overrides.js';
import { checkResumeFlags, resumeFromFlags, resumeTarget } from './resume.js';
import { resumeSuiteCommand, resumeTasksCommand, runTasksCommand } from './run-tasks.js';
import { checkFlagsApply, runKindOf, type RunKind } from '../flag-rules.js';
import { isLtmSuiteYaml } from '../../ltm-suite/load.js';
import { runReporters } from '../run-reporters.js';
import { runOutcome, runProcess, withRunMonitor, type ExitOutcome } from '../run-process.js';

export function runBuilder(y: Argv): Argv {
  return y
    .options(yargsOptionsFromSchema(RunFlagsSchema))
    .alias('i', 'isolated')
    .example('$0 run', 'the default offline benchmark')
    .example('$0 run --agent-config configs/agents/openai.yaml --input-price-per-mtok 0.2 --monitor', 'a real endpoint at your own price, watched live')
    .example('$0 run --seed 7 --dataset-config configs/datasets/default.yaml', 'the same dataset generated from another seed')
    .example('$0 run --dataset-dir path/to/goodai/definitions -i', "GoodAI's definitions in GoodAI's isolated mode")
    .example('$0 run --tasks configs/tasks/basics.jsonl --agent-config configs/agents/sim-mini.yaml --attempts 2', 'single-turn tasks, each tried up to twice')
    .example('$0 run --suite configs/suites/judged.yaml', 'a suite: its agents x task files')
    .example('$0 run --agent-config a.yaml --compare-with b.yaml', 'match mode: two agents on one dataset, compared')
    .example('$0 run --resume runs/<run-id>', 'continue an interrupted run (LTM, tasks, a suite or a match)');
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
  checkMonitorOnlyFlags(r.data);
  return withFlagOverrides(r.data);
}

/**
 * issue 14 and 17: --host, --token and --compute-hourly-usd shape the --monitor server; alone
 * they would do nothing, and a flag is never silently ignored. One wording for all three.
 */
function checkMonitorOnlyFlags(flags: RunFlags): void {
  if (flags.monitor) return;
  const given = (['host', 'token', 'compute-hourly-usd'] as const).find((f) => flags[f] !== undefined);
  if (given) throw new ConfigError('CONFIG_INVALID', `command line: --${given} is for --monitor; add --monitor or drop it`);
}

export async function runCommand(argv: Record<string, unknown>): Promise<number> {
  const parsed = parseRunFlags(argv);
  const kind = runKindOf(parsed, (file) => isLtmSuiteYaml(readYaml(file)));
  const flags = isolatedAsOverride(parsed, kind);
  if (kind === 'resume') checkResumeFlags(flags);
  // Issue 13: a flag that cannot apply to this kind of run is an error, never ignored.
  checkFlagsApply(flags, kind);
  const outputRoot = resolve(flags['runs-dir']);
  // Start-up: the LTM suite's runner is loaded by the suites that are LTM suites.
  if (kind === 'ltm-suite') return withRunMonitor(flags, outputRoot, async () => (await import('./run-ltm-suite.js')).runLtmSuiteCommand({ ...flags, suite: flags.suite as string }));
  if (kind === 'suite' || kind === 'tasks') return withRunMonitor(flags, outputRoot, () => runTasksCommand(flags));
  // Match mode: this process orchestrates two `referee run` children (issue 5).
  if (kind === 'match') return withRunMonitor(flags, outputRoot, async () => (await import('./match.js')).matchCommand(flags));
  if (kind === 'resume') {
    const target = resumeTarget(flags.resume as string);
    const resumeRoot = dirname(resolve(flags.resume as string));
    if (target === 'tasks') return withRunMonitor(flags, resumeRoot, () => resumeTasksCommand(flags));
    if (target === 'suite') return withRunMonitor(flags, resumeRoot, () => resumeSuiteCommand(flags));
    if (target === 'match') return withRunMonitor(flags, resumeRoot, async () => (await import('./match.js')).resumeMatchCommand(flags));
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
  const outputDir = resume ? outputRootOf(resume.runDir) : outputRoot;
  return withRunMonitor(flags, outputDir, () => runLtm(flags, { agentConfig, datasetConfig, agentFile, runId, outputDir, resume }));
}

interface LtmRunSetup {
  agentConfig: AgentConfig;
  datasetConfig: DatasetConfig;
  agentFile: string;
  runId: string;
  outputDir: string;
  resume: ResumePlan | undefined;
}

/** One LTM run (or one side of a match, as a child process). */
async function runLtm(flags: RunFlags, setup: LtmRunSetup): Promise<ExitOutcome> {
  const { agentConfig, datasetConfig, agentFile, runId, outputDir, resume } = setup;
  const telemetry = { runDir: join(outputDir, runId), runId, agentName: agentConfig.name, ...(flags.role ? { role: flags.role } : {}) };
  return runProcess(flags, telemetry, async ({ telemetry, signal }) => {
    // Start-up: the LTM engine is loaded by the runs that use it (a task run's module graph is smaller).
    const { runBenchmark } = await import('../../runner/run-benchmark.js');
    const result = await runBenchmark({
      agentConfig,
      datasetConfig,
      outputDir,
      runId,
      concurrency: flags.concurrency ?? 1,
      reporters: runReporters(flags, agentConfig, telemetry),
      signal,
      allowDatasetMismatch: flags['allow-dataset-mismatch'],
      ...(flags['dataset-dir'] !== undefined && !resume ? { datasetDir: resolve(flags['dataset-dir']) } : {}),
      ...(flags['judge-config'] !== undefined ? { judgeConfig: loadAgentConfig(flags['judge-config']) } : {}),
      ...(resume ? { resume } : {}),
      ...(flags.role ? { role: flags.role, runType: 'match' } : {}),
      maxFailedTurns: flags['max-failed-turns'],
      tracePer: flags['trace-per'],
      sources: { agent: agentFile, ...(flags['judge-config'] !== undefined ? { judge: flags['judge-config'] } : {}) },
    });
    return runOutcome('ltm', result);
  });
}

/**
 * issue 12: `-i/--isolated` is the dataset config's `config.isolated`, so it
 * reaches match children and run.json like any override. Task runs have no
 * conversation to isolate, and a resumed run keeps the mode it started with; an LTM suite's runs
 * are LTM runs, each isolated.
 */
function isolatedAsOverride(flags: RunFlags, kind: RunKind): RunFlags {
  if (!flags.isolated) return flags;
  if (kind === 'suite' || kind === 'tasks') throw new ConfigError('CONFIG_INVALID', 'command line: --isolated: task runs are single-turn already; it applies to GoodAI-shaped (LTM) runs only');
  if (flags.resume !== undefined) throw new ConfigError('CONFIG_INVALID', 'command line: --isolated: a resumed run keeps the mode recorded in its run.json');
  return { ...flags, overrides: [...flags.overrides, 'dataset.config.isolated=true'] };
}
