/**
 * The reporters and side services every kind of run gets from the CLI
 * (issue 13): metrics, the system sampler, notices as span events, progress,
 * report.html, and the live monitor when asked for.
 */
import { agentModel, type AgentConfig } from '../config/agent.js';
import type { RunFlags } from '../config/run-options.js';
import type { MonitorServer } from '../monitor/server.js';
import { HtmlReportReporter } from '../report/report-reporter.js';
import type { Reporter } from '../events/reporter.js';
import { MetricsReporter } from '../telemetry/metrics-reporter.js';
import { NoticeSpanEventsReporter } from '../telemetry/notice-events.js';
import type { TelemetryHandle } from '../telemetry/setup.js';
import { SystemSampler } from '../telemetry/system-sampler.js';
import { ProgressReporter } from './progress.js';

/** One run directory's reporters. */
export function runReporters(flags: RunFlags, agent: Pick<AgentConfig, 'name' | 'kind' | 'llm'>, telemetry: TelemetryHandle): Reporter[] {
  const reporters: Reporter[] = [
    new MetricsReporter({ name: agent.name, model: agentModel(agent), system: agent.llm.provider === 'sim' ? 'referee.sim' : 'openai' }),
    // issue 3: system/GPU samples (events.jsonl, gauges) and notices as span events
    new SystemSampler({ intervalS: flags['sample-interval'], agentName: agent.name }),
    new NoticeSpanEventsReporter(telemetry.spans),
  ];
  if (!flags.quiet) reporters.push(new ProgressReporter({ intervalS: flags['progress-interval'] }));
  reporters.push(new HtmlReportReporter());
  return reporters;
}

/** Issue 6: the monitor reads the output root like any other reader of run directories. */
export async function monitorIfAsked(flags: RunFlags, outputDir: string): Promise<MonitorServer | undefined> {
  if (!flags.monitor) return undefined;
  // Start-up: the monitor's modules are loaded by the runs that ask for it.
  const [{ monitorToken }, { READY_WITHIN_MS, startMonitor }] = await Promise.all([import('./commands/monitor.js'), import('../monitor/server.js')]);
  const token = monitorToken(flags.token);
  const monitor = await startMonitor({
    runsDir: outputDir,
    port: flags.port,
    ...(flags.host ? { host: flags.host } : {}),
    ...(token ? { token } : {}),
    ...(flags['compute-hourly-usd'] !== undefined ? { computeHourlyUsd: flags['compute-hourly-usd'] } : {}),
    // issue 17: earlier runs in the output dir (a 100,000-turn one) load behind the first answer.
    readyWithinMs: READY_WITHIN_MS,
  });
  process.stderr.write(`[referee] monitor: ${monitor.url}\n`);
  return monitor;
}
