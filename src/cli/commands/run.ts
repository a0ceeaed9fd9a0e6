import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { formatZodIssues, loadAgentConfig, loadDatasetConfig } from '../../config/load.js';
import { parseOverride } from '../../config/overrides.js';
import { RunFlagsSchema, yargsOptionsFromSchema, type RunFlags } from '../../config/run-options.js';
import { ConfigError } from '../../errors.js';
import type { Reporter } from '../../runner/reporter.js';
import { runBenchmark } from '../../runner/run-benchmark.js';
import { newRunId } from '../../runner/run-id.js';
import { MetricsReporter } from '../../telemetry/metrics-reporter.js';
import { startTelemetry } from '../../telemetry/setup.js';
import { DEFAULT_AGENT_CONFIG, DEFAULT_DATASET_CONFIG, packagePath } from '../defaults.js';
import { ProgressReporter } from '../progress.js';
import { linkToMatchParent } from '../../match/child-link.js';
import { HtmlReportReporter } from '../../report/report-reporter.js';
import { matchCommand } from './match.js';

export function runBuilder(y: Argv): Argv {
  return y.options(yargsOptionsFromSchema(RunFlagsSchema)).example('$0 run', 'the default offline benchmark');
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
  const flags = parseRunFlags(argv);
  // Match mode: this process orchestrates two `referee run` children (issue 5).
  if (flags['compare-with']) return matchCommand(flags);
  const overrides = flags.overrides.map(parseOverride);
  const agentFile = flags['agent-config'] ?? packagePath(DEFAULT_AGENT_CONFIG);
  const datasetFile = flags['dataset-config'] ?? packagePath(DEFAULT_DATASET_CONFIG);
  const agentConfig = loadAgentConfig(agentFile, overrides);
  const datasetConfig = loadDatasetConfig(datasetFile, overrides);

  const runId = flags['run-id'] ?? newRunId(agentConfig.name);
  const outputDir = resolve(flags['output-dir']);
  // The one provider of this process, started before any span (seed 000 3.5).
  const telemetry = startTelemetry({ runDir: join(outputDir, runId), runId, agentName: agentConfig.name, ...(flags.role ? { role: flags.role } : {}) });

  const abort = new AbortController();
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\n[referee] interrupted: writing what is done (Ctrl-C again to quit now)\n');
    abort.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const unlinkParent = linkToMatchParent((why) => {
    if (!abort.signal.aborted) abort.abort(new Error(why));
  });
  const reporters: Reporter[] = [
    new MetricsReporter({
      name: agentConfig.name,
      model: agentConfig.llm.model,
      system: agentConfig.llm.provider === 'sim' ? 'referee.sim' : 'openai',
    }),
  ];
  if (!flags.quiet) reporters.push(new ProgressReporter({ intervalS: flags['progress-interval'] }));
  reporters.push(new HtmlReportReporter());
  try {
    const result = await runBenchmark({
      agentConfig,
      datasetConfig,
      outputDir,
      runId,
      concurrency: flags.concurrency,
      reporters,
      signal: abort.signal,
      allowDatasetMismatch: flags['allow-dataset-mismatch'],
      ...(flags['dataset-dir'] ? { datasetDir: resolve(flags['dataset-dir']) } : {}),
      ...(flags.role ? { role: flags.role, runType: 'match' } : {}),
    });
    process.stdout.write(`${result.runDir}\n`);
    return result.status === 'finished' ? 0 : result.status === 'interrupted' ? 130 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    unlinkParent();
    await telemetry.shutdown(5000);
  }
}
