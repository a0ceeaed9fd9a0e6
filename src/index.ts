/** Referee's library API; the `referee` CLI is a thin layer over these. */
export { runBenchmark, prepareDataset, datasetSpecs, type RunOptions, type RunResult } from './runner/run-benchmark.js';
export type { Reporter, ProgressSnapshot, RunStartInfo, TestEndInfo, TurnEndInfo } from './runner/reporter.js';
export { buildSchedule, type Schedule, type ScheduleStep } from './runner/scheduler.js';
export { loadAgentConfig, loadDatasetConfig, validateConfigFile } from './config/load.js';
export { AgentConfigSchema, type AgentConfig } from './config/agent.js';
export { DatasetConfigSchema, type DatasetConfig } from './config/dataset.js';
export { parseOverride, applyOverride } from './config/overrides.js';
export { createAgentFactory } from './agents/factory.js';
export { startSimServer } from './agents/sim/server.js';
export { generateDataset } from './datasets/generate.js';
export { loadDataset } from './datasets/load.js';
export { startTelemetry } from './telemetry/setup.js';
export { MetricsReporter } from './telemetry/metrics-reporter.js';
export { RefereeError, ConfigError, DatasetError, AgentError } from './errors.js';
export * from './artifacts/schemas.js';
// Match mode, comparison and reports (issue 5).
export { runMatch, startMatch, type MatchOptions, type MatchRunResult, type ChildOutcome } from './match/run-match.js';
export { compareRuns, compareRunContents, type CompareOptions } from './match/compare.js';
export { computeRunMetrics } from './match/metrics.js';
export { RunMetricsSchema, MatchResultSchema, type RunMetrics, type MatchResult } from './match/schemas.js';
export { comparePaired, pairedBootstrap, signTest, verdictText } from './match/stats.js';
export { readRunDir, TranscriptRecordSchema, type RunDirContents } from './artifacts/run-dir-reader.js';
export { writeRunReport, writeComparisonReport } from './report/write.js';
export { HtmlReportReporter } from './report/report-reporter.js';
