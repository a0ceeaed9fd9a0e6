/**
 * `referee run --suite suite.yaml` and `referee run --tasks file.jsonl
 * --agent-config a.yaml` (issue 8): the matrix of single-turn task runs, one
 * run directory per cell, a matrix summary in the output root and a table on
 * stdout.
 */
import { resolve } from 'node:path';
import { parseOverride } from '../../config/overrides.js';
import { loadAgentConfig } from '../../config/load.js';
import type { RunFlags } from '../../config/run-options.js';
import { ConfigError } from '../../errors.js';
import type { Reporter } from '../../runner/reporter.js';
import { loadSuite, loadTaskFile, type LoadedSuite } from '../../tasks/load.js';
import { formatMatrix, runSuite } from '../../tasks/run-suite.js';
import { EvaluatorSchema, SuiteSchema } from '../../tasks/schema.js';
import { MetricsReporter } from '../../telemetry/metrics-reporter.js';
import { startTelemetry } from '../../telemetry/setup.js';
import { SystemSampler } from '../../telemetry/system-sampler.js';
import { ProgressReporter } from '../progress.js';
import { requireCodeSandbox, UNSAFE_CODE_EXEC_WARNING } from '../../scoring/code-policy.js';
import { abortOnInterrupt } from '../signals.js';

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

export async function runTasksCommand(flags: RunFlags): Promise<number> {
  if (flags.suite !== undefined && flags.tasks !== undefined) throw new ConfigError('CONFIG_INVALID', 'command line: --suite and --tasks cannot be used together');
  if (flags['dataset-config'] !== undefined) throw new ConfigError('CONFIG_INVALID', 'command line: --dataset-config is for LTM runs; task runs take --suite or --tasks');
  if (flags.suite !== undefined && flags['agent-config'] !== undefined) {
    throw new ConfigError('CONFIG_INVALID', 'command line: --agent-config is for --tasks; a suite names its agents in its YAML');
  }
  if (flags.suite !== undefined && flags.evaluator !== undefined) {
    throw new ConfigError('CONFIG_INVALID', 'command line: --evaluator is for --tasks; a suite sets defaults.evaluator in its YAML');
  }
  const loaded = flags.suite !== undefined ? loadSuite(flags.suite, flags.overrides.map(parseOverride)) : singleTaskSuite(flags as RunFlags & { tasks: string });

  const unsafe = flags['unsafe-code-exec'];
  // issue 14: refuse before anything runs; warn on every run that uses the fallback.
  if (loaded.datasets.map((d) => requireCodeSandbox(d, loaded.suite.defaults.evaluator, unsafe)).includes('unsafe')) {
    process.stderr.write(`referee: ${UNSAFE_CODE_EXEC_WARNING}\n`);
  }
  const { abort, dispose: stopListening } = abortOnInterrupt();
  const models = new Map(loaded.agents.map((a) => [a.config.name, a.config]));
  // issue 16: one provider for the whole suite; each cell only opens its run's JSONL files.
  const telemetry = startTelemetry({});
  try {
    const { summary, summaryFile } = await runSuite(loaded, {
      outputDir: resolve(flags['output-dir']),
      ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
      ...(flags.attempts !== undefined ? { attempts: flags.attempts } : {}),
      ...(flags['cooling-s'] !== undefined ? { coolingS: flags['cooling-s'] } : {}),
      ...(flags['judge-config'] !== undefined ? { judgeConfig: loadAgentConfig(flags['judge-config']) } : {}),
      ...(flags['run-id'] !== undefined ? { runId: flags['run-id'] } : {}),
      ...(unsafe ? { unsafeCodeExec: true } : {}),
      signal: abort.signal,
      reporters: (cell) => {
        const config = models.get(cell.agent);
        const reporters: Reporter[] = [
          new MetricsReporter({
            name: cell.agent,
            model: config?.llm.model ?? 'unknown',
            system: config?.llm.provider === 'sim' ? 'referee.sim' : 'openai',
          }),
        ];
        // issue 16: system samples (and --sample-interval) for task runs too
        reporters.push(new SystemSampler({ intervalS: flags['sample-interval'], agentName: cell.agent }));
        if (!flags.quiet) reporters.push(new ProgressReporter({ intervalS: flags['progress-interval'] }));
        return reporters;
      },
      around: async (cell, body) => {
        telemetry.openRun({ runId: cell.runId, runDir: cell.runDir });
        try {
          return await body();
        } finally {
          await telemetry.closeRun(cell.runId);
        }
      },
    });
    process.stdout.write(`${formatMatrix(summary)}\n\nmatrix summary: ${summaryFile}\n`);
    for (const c of summary.cells) process.stdout.write(`${c.run_dir}\n`);
    if (abort.signal.aborted) return 130;
    return summary.cells.every((c) => c.status === 'finished') ? 0 : 1;
  } finally {
    stopListening();
    await telemetry.shutdown(5000);
  }
}
