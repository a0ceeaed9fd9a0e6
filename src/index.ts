/** Referee's library API; the `referee` CLI is a thin layer over these. */
export { runBenchmark, prepareDataset, datasetSpecs, type RunOptions, type RunResult } from './runner/run-benchmark.js';
// One driver for every kind of run: a new kind is a Plan handed to runPlan.
export { runPlan, type DriverOptions } from './runner/run-plan.js';
export type { Plan, PreparedPlan, PlanEnding, PlanMeta, RunContext, ResumedRun } from './runner/plan.js';
export { ltmPlan } from './runner/run-benchmark.js';
export type { Reporter, ProgressSnapshot, RunStartInfo, TestEndInfo, TurnEndInfo, TurnStep, Emit } from './events/index.js';
export { emitTo } from './events/index.js';
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
// issue 21: the CLI's exit codes, one table (docs quote it).
export { EXIT, EXIT_CODE_TABLE, formatExitCodeTable, type ExitCodeRow } from './exit-codes.js';
export * from './artifacts/schemas.js';
// issue 3: system sampler, notice span events, replay and the native stack
export { SystemSampler, parseNvidiaSmi, type SystemSamplerOptions } from './telemetry/system-sampler.js';
export { NoticeSpanEventsReporter } from './telemetry/notice-events.js';
export { replayRun, type ReplayOptions, type ReplayResult } from './telemetry/replay.js';
export { stackLayout, DEFAULT_PORTS, type StackOptions, type StackPorts } from './stack/config.js';
export { buildStack } from './stack/build.js';
export { stackUp, stackDown, stackStatus, otlpEndpoint, phoenixUrl, prometheusUrl, type ServiceStatus } from './stack/services.js';
export { StackError } from './errors.js';
// Task suites (issue 8).
export { runTasks, taskPlan, taskDefinition, type TaskRunOptions, type TaskRunResult, type TaskStage } from './tasks/run-tasks.js';
export { runSuite, formatMatrix, type MatrixSummary, type MatrixCell, type SuiteRunOptions, type SuiteChallenger } from './tasks/run-suite.js';
export { loadTaskFile, loadSuite, type TaskDataset, type LoadedSuite } from './tasks/load.js';
export { TaskSchema, SuiteSchema, EvaluatorSchema, type Task, type Suite, type EvaluatorSpec } from './tasks/schema.js';
export { evaluateTask } from './scoring/task-scoring.js';
export { runCode, type CodeRunOptions, type CodeRunResult } from './scoring/code-exec.js';
export * as evaluators from './scoring/evaluators.js';
// Issue 4: the reliability floor.
export { prepareResume, type ResumePlan } from './runner/resume.js';
export { StallWatchdog } from './runner/watchdog.js';
export { sanitizeMetadata, headTruncate, METADATA_LIMIT_BYTES, RAW_OUTPUT_LIMIT_BYTES } from './events/sanitize.js';
export { backoffMs, isRetryable, describeRetry, type RetryInfo } from './runner/retry.js';
export { createFaultInterceptor, faultForCall } from './agents/sim/faults.js';
export { SimFaultSchema, type SimFault } from './config/sim-faults.js';
export { RetriesSchema, type RetriesConfig } from './config/agent.js';
// Match mode, comparison and reports (issue 5).
export { runMatch, startMatch, type MatchOptions, type MatchRunResult, type ChildOutcome } from './match/run-match.js';
export { compareRuns, compareRunContents, type CompareOptions } from './match/compare.js';
export { compareSuiteCells, formatSuiteComparison, type SuiteComparison, type CellComparison } from './match/suite-compare.js';
export { computeRunMetrics } from './match/metrics.js';
export { RunMetricsSchema, MatchResultSchema, type RunMetrics, type MatchResult } from './match/schemas.js';
export { comparePaired, pairedPermutation, verdictText } from './match/stats.js';
export { readRunDir, TranscriptRecordSchema, type RunDirContents } from './artifacts/run-dir-reader.js';
export { writeRunReport, writeComparisonReport } from './report/write.js';
export { HtmlReportReporter } from './report/report-reporter.js';
// issue 12: GoodAI's layout
export { exportGoodai, type GoodaiExport } from './artifacts/goodai-export.js';
export { boundHeapGrowth, DEFAULT_HEAP_GROWING_PERCENT, HEAP_GROWING_PERCENT_ENV } from './heap-growth.js';
