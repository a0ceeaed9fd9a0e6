/**
 * Resume of a task run directory (issue 13): a task is done when its
 * `test_end` event is on disk; it counts as recorded, not run again. Every
 * other task is run again from its first attempt, so its earlier lines (turn
 * records, transcripts, master_log, events) are cut first. Everything is read
 * and checked before a byte changes.
 */
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { goodaiTestId } from '../artifacts/run-dir-writer.js';
import { RunMetaSchema, RunStatsSchema, type RunEventSchema, type TestScore, type TurnMetric } from '../artifacts/schemas.js';
import { testOutcome } from '../artifacts/test-tally.js';
import { RunDirError } from '../errors.js';
import { check, parseJsonFile, readLines, rewrite } from '../runner/run-dir-files.js';
import { isIncomplete } from '../runner/run-ending.js';
import type { ResumedRun } from '../runner/plan.js';
import { cutOpaqueTails, goOnFrom, openForResume, readRunFiles, type ResumeBase } from '../runner/resume.js';
import { loadTaskFile, type TaskDataset } from './load.js';
import type { TaskRunOptions, TaskRunResult } from './run-tasks.js';
import { EvaluatorObjectSchema } from './schema.js';

/** run.json `dataset_config` of a task run, as runTasks writes it. */
export const TaskRunConfigSchema = z.looseObject({
  kind: z.literal('tasks'),
  name: z.string(),
  file: z.string(),
  suite: z.string().optional(),
  evaluator: EvaluatorObjectSchema,
  attempts: z.number().int().min(1),
  cooling_s: z.number().nonnegative(),
  call_timeout_ms: z.number().positive().optional(),
  code_timeout_ms: z.number().positive().optional(),
  code_memory_mb: z.number().positive().optional(),
  run_type: z.string().optional(),
});
export type TaskRunConfig = z.infer<typeof TaskRunConfigSchema>;

/** A task scored before the resume. */
export interface RestoredTask {
  score: TestScore;
  records: TurnMetric[];
  passed: boolean;
  errored: boolean;
}

/** What a task run's resume restores, beside what every resume hands the driver. */
export interface TaskResumePlan extends ResumedRun {
  config: TaskRunConfig;
  dataset: TaskDataset;
  concurrency: number;
  restored: Map<string, RestoredTask>;
  nextTurnId: number;
}

/** Whether run.json's `dataset_config` is a task run's. */
export function isTaskRunMeta(meta: { dataset_config?: unknown }): boolean {
  return (meta.dataset_config as { kind?: unknown } | undefined)?.kind === 'tasks';
}

/** Reads, checks and cuts back a task run directory; `undefined` for a finished run. */
export function prepareTaskResume(runDirArg: string): Promise<TaskResumePlan | undefined> {
  return openForResume(runDirArg, prepareLocked);
}

const EndSchema = z.looseObject({
  test_id: z.string(),
  dataset: z.string(),
  score: z.number(),
  max_score: z.number(),
  reasons: z.array(z.string()).default([]),
  status: z.enum(['error', 'judge_error']).optional(),
  truncated: z.number().int().optional(),
});
const ResultSchema = z.looseObject({ test_id: z.string() });

async function prepareLocked({ runDir, metaFile, meta, agentConfig }: ResumeBase): Promise<Omit<TaskResumePlan, 'lock'>> {
  const config = check(TaskRunConfigSchema, `${metaFile} dataset_config`, meta.dataset_config);
  const file = join(runDir, 'dataset', basename(config.file));
  let dataset: TaskDataset;
  try {
    dataset = loadTaskFile(file, { name: config.name, evaluator: config.evaluator });
  } catch (err) {
    throw new RunDirError('RUN_DIR_INVALID', `${file}: cannot resume on this task file: ${(err as Error).message}`, { cause: err });
  }
  if (dataset.sha256 !== meta.dataset.sha256) throw new RunDirError('RUN_DIR_INVALID', `${file}: sha256 ${dataset.sha256} differs from run.json dataset.sha256 ${meta.dataset.sha256}`);

  const { turns, transcripts, master, events } = readRunFiles(runDir);
  const results = readLines(join(runDir, 'results', String(meta.agent['name'] ?? agentConfig.name), 'results.jsonl'), ResultSchema);

  const restored = restoredTasks(events.lines.map((l) => l.value), turns.lines.map((l) => l.value), join(runDir, 'events.jsonl'));
  const done = (testId: unknown): boolean => typeof testId === 'string' && restored.has(testId);
  const doneGoodai = new Set([...restored.keys()].map(goodaiTestId));
  rewrite(turns, (l) => done(l.value.test_id));
  rewrite(transcripts, (l) => done(l.value.test_id));
  rewrite(results, (l) => done(l.value.test_id));
  rewrite(master, (l) => doneGoodai.has(l.value.test_id));
  // Events of a task run again go: the monitor must not see its turns twice. Run-wide events stay.
  rewrite(events, (l) => l.value['test_id'] === undefined || done(l.value['test_id']));
  cutOpaqueTails(runDir);

  const kept = [...restored.values()].flatMap((r) => r.records);
  return {
    runDir,
    runId: meta.run_id,
    meta,
    agentConfig,
    config,
    dataset,
    concurrency: Math.max(1, meta.concurrency),
    restored,
    turnsRestored: kept.length,
    nextTurnId: turns.lines.reduce((max, l) => Math.max(max, l.value.turn_id + 1), 0),
    ...goOnFrom(events),
  };
}

/** The tasks whose `test_end` is on disk, with their score, attempts and how they ended (the `done` stage event). */
function restoredTasks(events: readonly z.infer<typeof RunEventSchema>[], turns: readonly TurnMetric[], eventsFile: string): Map<string, RestoredTask> {
  const out = new Map<string, RestoredTask>();
  const results = new Map<string, unknown>();
  for (const e of events) if (e.type === 'stage' && e['stage'] === 'done') results.set(String(e['test_id']), e['result']);
  const byTest = new Map<string, TurnMetric[]>();
  for (const t of turns) byTest.set(t.test_id, [...(byTest.get(t.test_id) ?? []), t]);
  events.forEach((e, i) => {
    if (e.type !== 'test_end') return;
    const end = check(EndSchema, `${eventsFile}:${i + 1}`, e);
    const records = byTest.get(end.test_id) ?? [];
    const errors = records.filter((t) => t.status === 'error').length;
    const score: TestScore = {
      test_id: end.test_id,
      dataset: end.dataset,
      score: end.score,
      max_score: end.max_score,
      reasons: end.reasons,
      errors,
      ...(end.status ? { status: end.status } : {}),
      ...(end.truncated ? { truncated: end.truncated } : {}),
    };
    out.set(end.test_id, { score, records, passed: results.get(end.test_id) === 'pass', errored: results.get(end.test_id) === 'error' });
  });
  return out;
}

/** The runTasks options a resumed task run takes from its run.json, so the rest runs as the start did. */
export function resumedTaskOptions(plan: TaskResumePlan): Pick<TaskRunOptions, 'agentConfig' | 'dataset' | 'outputDir' | 'runId' | 'concurrency' | 'attempts' | 'coolingMs' | 'evaluator' | 'resume'> &
  Partial<Pick<TaskRunOptions, 'callTimeoutMs' | 'codeTimeoutMs' | 'codeMemoryMb' | 'suite' | 'runType'>> {
  const c = plan.config;
  return {
    agentConfig: plan.agentConfig,
    dataset: plan.dataset,
    outputDir: dirname(plan.runDir),
    runId: plan.runId,
    concurrency: plan.concurrency,
    attempts: c.attempts,
    coolingMs: c.cooling_s * 1000,
    evaluator: c.evaluator,
    resume: plan,
    ...(c.call_timeout_ms !== undefined ? { callTimeoutMs: c.call_timeout_ms } : {}),
    ...(c.code_timeout_ms !== undefined ? { codeTimeoutMs: c.code_timeout_ms } : {}),
    ...(c.code_memory_mb !== undefined ? { codeMemoryMb: c.code_memory_mb } : {}),
    ...(c.suite !== undefined ? { suite: c.suite } : {}),
    ...(c.run_type !== undefined ? { runType: c.run_type } : {}),
  };
}

/**
 * Issue 24: a task run that ended (run.json's final status, its ending completed) as runTasks returned
 * it, read from its run directory: a suite killed after the cell ended and before its matrix summary
 * held the cell takes the cell from here instead of running it again.
 */
export function endedTaskRun(runDir: string): TaskRunResult {
  const metaFile = join(runDir, 'run.json');
  const meta = check(RunMetaSchema, metaFile, parseJsonFile(metaFile));
  const statsFile = join(runDir, 'runstats.json');
  const stats = check(RunStatsSchema, statsFile, parseJsonFile(statsFile));
  const config = check(TaskRunConfigSchema, `${metaFile} dataset_config`, meta.dataset_config);
  // run.json of a run written before task_tally was recorded: the same figures from runstats.json.
  const tally = meta.task_tally ?? {
    tasks: stats.tests.length,
    passed: stats.tests.filter((t) => testOutcome(t) === 'pass').length,
    errored: stats.tests.filter((t) => t.errors > 0 && t.score === 0).length,
    attempts: stats.attempts ?? stats.turns,
    duration_s: stats.wall_duration_s ?? stats.duration,
  };
  return {
    runId: meta.run_id,
    runDir,
    status: meta.status,
    stats,
    incomplete: isIncomplete(meta.status, stats.tests_errored, undefined),
    agent: String(meta.agent['name'] ?? stats.agent),
    dataset: config.name,
    tasks: tally.tasks,
    passed: tally.passed,
    errored: tally.errored,
    attempts: tally.attempts,
    durationS: tally.duration_s,
  };
}
