import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { formatZodIssues, loadAgentConfig, loadDatasetConfig } from '../../config/load.js';
import { parseOverride } from '../../config/overrides.js';
import { RunFlagsSchema, yargsOptionsFromSchema, type RunFlags } from '../../config/run-options.js';
import { ConfigError } from '../../errors.js';
import type { Reporter } from '../../runner/reporter.js';
import { runBenchmark } from '../../runner/run-benchmark.js';
import { newRunId } from '../../runner/run-id.js';
import { outputRootOf } from '../../runner/resume.js';
import { MetricsReporter } from '../../telemetry/metrics-reporter.js';
import { startTelemetry } from '../../telemetry/setup.js';
import { NoticeSpanEventsReporter } from '../../telemetry/notice-events.js';
import { SystemSampler } from '../../telemetry/system-sampler.js';
import { DEFAULT_AGENT_CONFIG, DEFAULT_DATASET_CONFIG, packagePath } from '../defaults.js';
import { ProgressReporter } from '../progress.js';
import { datasetDirConfigFile } from '../../datasets/load.js';
import { startMonitor, type MonitorServer } from '../../monitor/server.js';
import { lingerMonitor, runEnded, runsStartedSinceEnded } from '../../monitor/linger.js';
import type { MonitorHub } from '../../monitor/hub.js';
import { withFlagOverrides } from '../flag-overrides.js';
import { resumeFromFlags } from './resume.js';
import { runTasksCommand } from './run-tasks.js';
import { linkToMatchParent } from '../../match/child-link.js';
import { HtmlReportReporter } from '../../report/report-reporter.js';
import { matchCommand } from './match.js';
import { abortOnInterrupt, untilInterrupted } from '../signals.js';

export function runBuilder(y: Argv): Argv {
  return y
    .options(yargsOptionsFromSchema(RunFlagsSchema))
    .example('$0 run', 'the default offline benchmark')
    .example('$0 run --agent-config configs/agents/openai.yaml --input-price-per-mtok 0.2 --monitor', 'a real endpoint at your own price, watched live')
    .example('$0 run --seed 7 --dataset-config configs/datasets/default.yaml', 'the same dataset generated from another seed')
    .example('$0 run --tasks configs/tasks/basics.jsonl --agent-config configs/agents/sim-mini.yaml --attempts 2', 'single-turn tasks, each tried up to twice')
    .example('$0 run --suite configs/suites/judged.yaml', 'a suite: its agents x task files')
    .example('$0 run --agent-config a.yaml --compare-with b.yaml', 'match mode: two agents on one dataset, compared')
    .example('$0 run --resume runs/<run-id>', 'continue an interrupted run');
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
  // A flag is never silently ignored: the hourly rate is the monitor's.
  if (r.data['compute-hourly-usd'] !== undefined && !r.data.monitor) throw new ConfigError('CONFIG_INVALID', 'command line: --compute-hourly-usd needs --monitor');
  return withFlagOverrides(r.data);
}

/**
 * issue 17: the monitor shows the finished run: it flushes the last events to the page,
 * and at a terminal it keeps serving until Ctrl-C (a script's run exits once flushed).
 */
async function lingerAfterRun(monitor: MonitorServer, done: (hub: MonitorHub) => boolean, status: string): Promise<void> {
  const interactive = process.stdout.isTTY === true && process.stdin.isTTY === true && status !== 'interrupted';
  if (interactive) process.stderr.write(`[referee] monitor: run ${status}; still serving ${monitor.url} (Ctrl-C to stop)\n`);
  await lingerMonitor(monitor, done, interactive ? { until: untilInterrupted() } : {});
}

function startRunMonitor(flags: RunFlags, outputDir: string): Promise<MonitorServer> {
  return startMonitor({
    runsDir: outputDir,
    port: flags['monitor-port'],
    ...(flags['compute-hourly-usd'] !== undefined ? { computeHourlyUsd: flags['compute-hourly-usd'] } : {}),
  });
}

/**
 * issue 17: --monitor works for task, suite and match runs too (a flag is never
 * silently ignored): the monitor over the output root, flushed like an LTM run's.
 */
async function withRunMonitor(flags: RunFlags, body: () => Promise<number>): Promise<number> {
  if (!flags.monitor) return body();
  const since = Date.now();
  const monitor = await startRunMonitor(flags, resolve(flags['output-dir']));
  process.stderr.write(`[referee] monitor: ${monitor.url}\n`);
  try {
    const code = await body();
    await lingerAfterRun(monitor, runsStartedSinceEnded(since), code === 130 ? 'interrupted' : code === 0 ? 'finished' : 'failed');
    return code;
  } finally {
    await monitor.close();
  }
}

export async function runCommand(argv: Record<string, unknown>): Promise<number> {
  const flags = parseRunFlags(argv);
  if (flags.suite !== undefined || flags.tasks !== undefined) return withRunMonitor(flags, () => runTasksCommand(flags));
  // Match mode: this process orchestrates two `referee run` children (issue 5).
  if (flags['compare-with']) return withRunMonitor(flags, () => matchCommand(flags));
  // Issue 4: --resume takes configs, run id, output root and concurrency from the run directory.
  const resume = flags.resume !== undefined ? await resumeFromFlags(flags) : undefined;
  if (resume === null) return 0;
  const overrides = flags.overrides.map(parseOverride);
  const agentFile = flags['agent-config'] ?? packagePath(DEFAULT_AGENT_CONFIG);
  // issue 7: a GoodAI definitions folder brings its own config (definitions/config.yml).
  const dirConfig = flags['dataset-dir'] !== undefined ? datasetDirConfigFile(flags['dataset-dir']) : undefined;
  const datasetFile = flags['dataset-config'] ?? dirConfig ?? packagePath(DEFAULT_DATASET_CONFIG);
  const agentConfig = resume?.agentConfig ?? loadAgentConfig(agentFile, overrides);
  const datasetConfig = resume?.datasetConfig ?? loadDatasetConfig(datasetFile, overrides);

  const runId = resume?.runId ?? flags['run-id'] ?? newRunId(agentConfig.name);
  const outputDir = resume ? outputRootOf(resume.runDir) : resolve(flags['output-dir']);
  // The one provider of this process, started before any span (seed 000 3.5).
  const telemetry = startTelemetry({ runDir: join(outputDir, runId), runId, agentName: agentConfig.name, ...(flags.role ? { role: flags.role } : {}) });

  // Issue 6: the monitor reads the output root like any other reader of run directories.
  let monitor: MonitorServer | undefined;
  if (flags.monitor) {
    monitor = await startRunMonitor(flags, outputDir);
    process.stderr.write(`[referee] monitor: ${monitor.url}\n`);
  }

  const { abort, dispose: stopListening } = abortOnInterrupt();
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
  // issue 3: system/GPU samples (events.jsonl, gauges) and notices as span events
  reporters.push(new SystemSampler({ intervalS: flags['sample-interval'], agentName: agentConfig.name }), new NoticeSpanEventsReporter(telemetry.spans));
  if (!flags.quiet) reporters.push(new ProgressReporter({ intervalS: flags['progress-interval'] }));
  reporters.push(new HtmlReportReporter());
  try {
    const result = await runBenchmark({
      agentConfig,
      datasetConfig,
      outputDir,
      runId,
      concurrency: flags.concurrency ?? 1,
      reporters,
      signal: abort.signal,
      allowDatasetMismatch: flags['allow-dataset-mismatch'],
      ...(flags['dataset-dir'] !== undefined && !resume ? { datasetDir: resolve(flags['dataset-dir']) } : {}),
      ...(flags['judge-config'] !== undefined ? { judgeConfig: loadAgentConfig(flags['judge-config']) } : {}),
      ...(resume ? { resume } : {}),
      ...(flags.role ? { role: flags.role, runType: 'match' } : {}),
    });
    process.stdout.write(`${result.runDir}\n`);
    if (monitor) {
      stopListening(); // Ctrl-C now stops the server, it no longer interrupts a run
      await lingerAfterRun(monitor, runEnded(runId), result.status);
    }
    return result.status === 'finished' ? 0 : result.status === 'interrupted' ? 130 : 1;
  } finally {
    stopListening();
    await monitor?.close();
    unlinkParent();
    await telemetry.shutdown(5000);
  }
}
