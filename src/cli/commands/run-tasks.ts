/**
 * `referee run --suite suite.yaml` and `referee run --tasks file.jsonl
 * --agent-config a.yaml` (issue 8): the matrix of single-turn task runs, one
 * run directory per cell, a matrix summary in the output root and a table on
 * stdout. Issue 13: the same reporters, monitor, endings and resume as an LTM run.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseOverride, recordedOverrides } from '../../config/overrides.js';
import { loadAgentConfig, readYaml } from '../../config/load.js';
import type { RunFlags } from '../../config/run-options.js';
import { ConfigError, RunDirError } from '../../errors.js';
import { loadSuite, loadTaskFile, withSuiteChallenger, type LoadedSuite } from '../../tasks/load.js';
import { formatMatrix, runSuite, type SuiteChallenger, type SuiteRunOptions } from '../../tasks/run-suite.js';
import { MatrixSummarySchema } from '../../tasks/matrix-summary.js';
import { check } from '../../runner/run-dir-files.js';
import { writeSuiteComparisons } from '../../match/suite-compare.js';
import { runTasks } from '../../tasks/run-tasks.js';
import { EvaluatorSchema, SuiteSchema } from '../../tasks/schema.js';
import { prepareTaskResume, resumedTaskOptions } from '../../tasks/task-resume.js';
import { codeSandboxWarning, requireCodeSandbox } from '../../scoring/code-policy.js';
import { runReporters } from '../run-reporters.js';
import { parseShard } from '../../shards/partition.js';
import { withTraceparent } from '../../shards/trace-parent.js';
import { isLtmSuiteYaml } from '../../ltm-suite/load.js';
import { alreadyFinished } from './resume.js';
import { outcomeOfRuns, perRunTelemetry, runOutcome, runProcess, type ExitOutcome } from '../run-process.js';

function singleTaskSuite(flags: RunFlags & { tasks: string }): LoadedSuite {
  const agentFile = flags['agent-config'];
  if (!agentFile) throw new ConfigError('CONFIG_INVALID', 'command line: --tasks needs --agent-config (the agent to run the tasks against)');
  const overrides = flags.overrides.map(parseOverride);
  const config = loadAgentConfig(agentFile, overrides);
  const evaluator = flags.evaluator !== undefined ? EvaluatorSchema.parse(flags.evaluator) : undefined;
  const dataset = loadTaskFile(flags.tasks, evaluator ? { evaluator } : {});
  const suite = SuiteSchema.parse({ datasets: [{ file: flags.tasks }], agents: [agentFile] });
  return { name: dataset.name, file: flags.tasks, suite, datasets: [dataset], agents: [{ file: resolve(agentFile), config }] };
}

export async function runTasksCommand(flags: RunFlags): Promise<number | ExitOutcome> {
  // An LTM suite (`kind: ltm`): agents × dataset configs × seeds, each an LTM run.
  // Start-up: the LTM suite's runner is loaded by the suites that are LTM suites.
  if (flags.suite !== undefined && isLtmSuiteYaml(readYaml(flags.suite))) return (await import('./run-ltm-suite.js')).runLtmSuiteCommand({ ...flags, suite: flags.suite });
  const overrides = flags.overrides.map(parseOverride);
  let loaded = flags.suite !== undefined ? loadSuite(flags.suite, overrides) : singleTaskSuite(flags as RunFlags & { tasks: string });
  let challenger: SuiteChallenger | undefined;
  if (flags['compare-with'] !== undefined && flags.shard !== undefined) {
    throw new ConfigError('CONFIG_INVALID', 'command line: --shard: a suite in match mode (--compare-with) runs on one machine; shard the suite, then compare the merged runs');
  }
  if (flags['compare-with'] !== undefined) ({ loaded, challenger } = withSuiteChallenger(loaded, flags['compare-with'], overrides));
  return runSuiteCommand(loaded, flags, resolve(flags['runs-dir']), {
    ...(challenger ? { challenger } : {}),
    overrides: flags.overrides,
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
    ...(flags.attempts !== undefined ? { attempts: flags.attempts } : {}),
    ...(flags['cooling-s'] !== undefined ? { coolingS: flags['cooling-s'] } : {}),
    ...(flags['run-id'] !== undefined ? { runId: flags['run-id'] } : {}),
    ...(flags.shard !== undefined ? { shard: parseShard(flags.shard) } : {}),
  });
}

/**
 * Issue 13: `--resume <matrix-….json>` continues a suite: finished cells stay, the cell it was stopped in
 * resumes (from its run.json), the rest run with the --overrides, --concurrency, --attempts, --cooling-s
 * and --judge-config the summary says the suite started with. --judge-config given again wins.
 */
export async function resumeSuiteCommand(flags: RunFlags): Promise<number | ExitOutcome> {
  const summaryFile = resolve(flags.resume as string);
  const raw = JSON.parse(readFileSync(summaryFile, 'utf8')) as { kind?: string };
  if (raw.kind === 'ltm') return (await import('./run-ltm-suite.js')).resumeLtmSuiteCommand(flags, summaryFile);
  const summary = check(MatrixSummarySchema, summaryFile, raw);
  // A shard's summary is complete with its own pieces, not the whole matrix.
  const cellsDue = summary.shard?.pieces ?? summary.agents.length * summary.datasets.length;
  if (summary.cells.length === cellsDue && summary.cells.every((c) => c.status === 'finished')) {
    alreadyFinished(summaryFile);
    // A suite in match mode killed after its last cell still gets its comparisons.
    if (summary.challenger) process.stdout.write(`${writeSuiteComparisons(summary, summaryFile).lines.join('\n')}\n`);
    return 0;
  }
  if (!/\.ya?ml$/.test(summary.suite_file)) {
    throw new ConfigError('CONFIG_INVALID', `${summaryFile}: a --tasks run is resumed from its run directory: --resume ${summary.cells[0]?.run_dir ?? '<run dir>'}`);
  }
  const given = recordedOverrides(summaryFile, summary.overrides ?? []);
  const overrides = given.map(parseOverride);
  let loaded: LoadedSuite;
  try {
    loaded = loadSuite(summary.suite_file, overrides);
  } catch (err) {
    throw new RunDirError('RUN_DIR_INVALID', `${summaryFile}: suite_file: cannot load ${summary.suite_file} (${(err as Error).message})`, { cause: err });
  }
  if (summary.challenger) {
    try {
      loaded = withSuiteChallenger(loaded, summary.challenger.file, overrides).loaded;
    } catch (err) {
      throw new RunDirError('RUN_DIR_INVALID', `${summaryFile}: challenger: cannot load ${summary.challenger.file} (${(err as Error).message})`, { cause: err });
    }
  }
  const judgeConfig = flags['judge-config'] ?? summary.judge_config;
  return runSuiteCommand(loaded, { ...flags, ...(judgeConfig !== undefined ? { 'judge-config': judgeConfig } : {}) }, dirname(summaryFile), {
    resume: { summaryFile, summary },
    overrides: given,
    ...(summary.concurrency !== undefined ? { concurrency: summary.concurrency } : {}),
    ...(summary.attempts !== undefined ? { attempts: summary.attempts } : {}),
    ...(summary.cooling_s !== undefined ? { coolingS: summary.cooling_s } : {}),
  });
}

/** Issue 13: `--resume <task run dir>`: the tasks already scored stay, the rest run. */
export async function resumeTasksCommand(flags: RunFlags): Promise<number | ExitOutcome> {
  const dir = flags.resume as string;
  const plan = await prepareTaskResume(dir);
  if (!plan) {
    alreadyFinished(dir);
    return 0;
  }
  process.stderr.write(`[referee] resuming ${plan.runId}: ${plan.restored.size} finished tasks restored\n`);
  return runProcess(flags, { runDir: plan.runDir, runId: plan.runId, agentName: plan.agentConfig.name }, async ({ telemetry, signal }) => {
    const r = await runTasks({
      ...resumedTaskOptions(plan),
      reporters: runReporters(flags, plan.agentConfig, telemetry),
      signal,
      maxFailedTurns: flags['max-failed-turns'],
      tracePer: flags['trace-per'],
      ...(flags['unsafe-code-exec'] ? { unsafeCodeExec: true } : {}),
      ...(flags['judge-config'] !== undefined ? { judgeConfig: loadAgentConfig(flags['judge-config']) } : {}),
    });
    return runOutcome('tasks', r);
  });
}

async function runSuiteCommand(loaded: LoadedSuite, flags: RunFlags, outputDir: string, extra: Partial<SuiteRunOptions>): Promise<ExitOutcome> {
  // issue 14: refuse before anything runs; warn on every run that uses the fallback.
  const warning = codeSandboxWarning(loaded.datasets.map((d) => requireCodeSandbox(d, loaded.suite.defaults.evaluator, flags['unsafe-code-exec'])));
  if (warning) process.stderr.write(`referee: ${warning}\n`);
  const models = new Map(loaded.agents.map((a) => [a.config.name, a.config]));
  return runProcess(flags, {}, async ({ telemetry, signal }) => {
    const suiteOptions: SuiteRunOptions = {
      outputDir,
      ...extra,
      ...(flags['judge-config'] !== undefined ? { judgeConfig: loadAgentConfig(flags['judge-config']), judgeConfigFile: resolve(flags['judge-config']) } : {}),
      maxFailedTurns: flags['max-failed-turns'],
      tracePer: flags['trace-per'],
      ...(flags['unsafe-code-exec'] ? { unsafeCodeExec: true } : {}),
      signal,
      reporters: (cell) => {
        const config = models.get(cell.agent);
        return runReporters(flags, { name: cell.agent, kind: config?.kind ?? 'chat', llm: config?.llm ?? { provider: 'openai', model: 'unknown', temperature: 0, max_tokens: 1, headers: {} } }, telemetry);
      },
      around: perRunTelemetry(telemetry),
    };
    // A launcher's TRACEPARENT (the suite's span) is the parent of every cell's run span.
    const { summary, summaryFile } = await withTraceparent(process.env, () => runSuite(loaded, suiteOptions));
    const lines = [formatMatrix(summary), '', `matrix summary: ${summaryFile}`, ...summary.cells.map((c) => c.run_dir)];
    const comparisons = !signal.aborted && summary.challenger ? writeSuiteComparisons(summary, summaryFile) : undefined;
    if (comparisons) lines.push(...comparisons.lines);
    const outcome = outcomeOfRuns(summary.cells, signal.aborted, flags['max-failed-turns']);
    // issue 21: a --tasks run is one cell: its own run directory and report; a suite, its matrix.
    const single = summary.cells.length === 1 && !/\.ya?ml$/.test(summary.suite_file) ? summary.cells[0] : undefined;
    return {
      ...outcome,
      ending: {
        kind: single ? 'tasks' : 'suite',
        status: outcome.status,
        path: single ? single.run_dir : summaryFile,
        ...(single ? { report: join(single.run_dir, 'report.html') } : {}),
        runsDir: dirname(summaryFile),
        summary: { matrix: summary, ...(comparisons ? { comparison: comparisons.result } : {}) },
      },
      stdoutLines: lines,
    };
  });
}
