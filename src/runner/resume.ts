/**
 * Crash-safe resume (issue 4): `referee run --resume <run-dir>` continues a
 * run killed at any point (kill -9 mid-turn, a torn last JSONL line) without
 * redoing or losing a completed turn.
 *
 * A turn is complete when its turn_metrics.jsonl record and its
 * transcripts.jsonl line (written after it, with the reply) are both on disk.
 * Everything is read and checked first; only then are the files cut back to
 * the completed turns (torn tails dropped, half-written turns removed), so a
 * run directory that cannot be resumed is left exactly as it was.
 */
import { goodaiTestId } from '../artifacts/run-dir-writer.js';
import { TEST_STATUSES, type TestStatus } from '../artifacts/test-tally.js';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import {
  MasterLogRecordSchema,
  MasterLogType,
  RunEventSchema,
  RunMetaSchema,
  TurnMetricSchema,
  type RunMeta,
  type TurnMetric,
} from '../artifacts/schemas.js';
import { AgentConfigSchema, type AgentConfig } from '../config/agent.js';
import { DatasetConfigSchema, type DatasetConfig } from '../config/dataset.js';
import { definitionsToRun } from '../datasets/coverage.js';
import { loadDataset } from '../datasets/load.js';
import { RefereeError, RunDirError } from '../errors.js';
import { buildRunSchedule } from './run-schedule.js';
import { check, cutTornTail, parseJsonFile, readLines, rewrite, type JsonlFile } from './run-dir-files.js';
export { cutTornTail } from './run-dir-files.js';
import { acquireRunLock, type RunLock } from './run-lock.js';
import type { ResumedRun } from './plan.js';
import { completeEnding } from './run-ending.js';
import type { Schedule } from './scheduler.js';
import { REDACTED } from '../events/secrets.js';

/** A test's score as its `test_end` event recorded it. */
export interface EndedTest {
  score: number | null;
  max_score: number | null;
  reasons: string[];
  status?: TestStatus | undefined;
  truncated?: number | undefined;
}

/** A completed turn as it is on disk. */
export interface RestoredTurn {
  record: TurnMetric;
  replyText: string;
}

/** What one lane restores: its completed steps (a prefix of the lane), by step. */
export interface LaneRestore {
  turns: Map<number, RestoredTurn>;
  /**
   * Tests whose score and results are already on disk (their `test_end` event),
   * with that score: taken as recorded, not rescored (an LLM judge would be paid twice and might differ).
   */
  endedTests: ReadonlyMap<string, EndedTest>;
  /** A dynamic test's judge replies (`llm_call` events) by test id, in call order: read again, not asked again. */
  llmCalls?: ReadonlyMap<string, readonly string[]>;
}

/** What an LTM run's resume restores, beside what every resume hands the driver. */
export interface ResumePlan extends ResumedRun {
  datasetConfig: DatasetConfig;
  datasetDir: string;
  concurrency: number;
  lanes: LaneRestore[];
}

const FILES = {
  meta: 'run.json',
  turns: 'turn_metrics.jsonl',
  transcripts: 'transcripts.jsonl',
  master: 'master_log.jsonl',
  events: 'events.jsonl',
} as const;
/** Written by the telemetry exporters; only their torn tail is cut. */
const OPAQUE_JSONL = ['spans.jsonl', 'metrics.jsonl'];

/**
 * Reads and checks a run directory, cuts its files back to the completed
 * turns, and returns what `runBenchmark({resume})` needs. Anything wrong is a
 * one-line RunDirError (exit code 2) naming the file and field, thrown before
 * a byte is changed. A finished run returns `undefined`.
 */
export async function prepareResume(runDirArg: string, options: { judge?: boolean } = {}): Promise<ResumePlan | undefined> {
  return openForResume(runDirArg, (base) => prepareLocked(base, options.judge ?? false));
}

/** What every kind of resume reads first: the run directory, its run.json and the agent config in it. */
export interface ResumeBase {
  runDir: string;
  metaFile: string;
  /** run.json as found (fields other versions wrote are kept). */
  meta: RunMeta & Record<string, unknown>;
  agentConfig: AgentConfig;
}

/**
 * Checks `runDirArg` is a run directory, locks it (issue 13: nothing is read
 * or cut while another process writes it), reads run.json and its agent
 * config, and hands them to `prepare`. A finished run is `undefined`, its lock
 * released; so is the lock when anything throws.
 */
export async function openForResume<T extends object>(runDirArg: string, prepare: (base: ResumeBase) => Promise<T>): Promise<(T & { lock: RunLock }) | undefined> {
  const runDir = resolve(runDirArg);
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new RunDirError('RUN_DIR_INVALID', `${runDir}: not a run directory (it does not exist)`);
  const metaFile = join(runDir, FILES.meta);
  if (!existsSync(metaFile)) throw new RunDirError('RUN_DIR_INVALID', `${metaFile}: missing; not a run directory, or killed before the run started`);
  const lock = acquireRunLock(runDir);
  try {
    const rawMeta = parseJsonFile(metaFile);
    let meta = { ...(rawMeta as Record<string, unknown>), ...check(RunMetaSchema, metaFile, rawMeta) };
    // Issue 24: killed while ending: the lanes were done; the report, history line and final status are completed, not redone.
    if (meta.status === 'running' && meta.ending) {
      meta = completeEnding(runDir, meta);
      process.stderr.write(`[referee] ${runDir}: its ending was cut short; completed it (report.html, benchmark_history.jsonl, run.json ${meta.status})\n`);
    }
    if (meta.status === 'finished') {
      lock.release();
      return undefined;
    }
    if (basename(runDir) !== meta.run_id) throw new RunDirError('RUN_DIR_INVALID', `${metaFile}: run_id ${meta.run_id} does not match the directory name ${basename(runDir)}`);
    const agentConfig = check(AgentConfigSchema, `${metaFile} agent_config`, meta.agent_config);
    for (const [name, value] of Object.entries(agentConfig.llm.headers)) {
      if (value === REDACTED) {
        throw new RunDirError(
          'RUN_DIR_INVALID',
          `${metaFile}: agent_config.llm.headers.${name}: its value was a literal (not recorded); write it as \${ENV_VAR} in the agent config to make runs resumable`,
        );
      }
    }
    // issue 14: URL credentials are not recorded either.
    if (agentConfig.llm.provider === 'openai' && agentConfig.llm.base_url?.includes(`${REDACTED}@`)) {
      throw new RunDirError('RUN_DIR_INVALID', `${metaFile}: agent_config.llm.base_url: its credentials were not recorded; pass them as a header (\${ENV_VAR}) to make runs resumable`);
    }
    return { ...(await prepare({ runDir, metaFile, meta, agentConfig })), lock };
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function prepareLocked({ runDir, metaFile, meta, agentConfig }: ResumeBase, judge: boolean): Promise<Omit<ResumePlan, 'lock'>> {
  const datasetConfig = check(DatasetConfigSchema, `${metaFile} dataset_config`, meta.dataset_config);
  const ownDataset = join(runDir, 'dataset');
  // The run's own dataset is read from where the run directory is now (it may have been moved or copied).
  const wasOwn = basename(meta.dataset.dir) === 'dataset' && basename(dirname(meta.dataset.dir)) === meta.run_id;
  const datasetDir = wasOwn || !existsSync(meta.dataset.dir) ? ownDataset : meta.dataset.dir;
  let definitions: Awaited<ReturnType<typeof loadDataset>>['definitions'];
  let left = new Set<string>();
  try {
    const loaded = await loadDataset(datasetDir, { allowMismatch: false });
    // Restaurant runs only with a judge, as when the run started (--judge-config is given again).
    definitions = definitionsToRun(loaded.definitions, { judge });
    left = new Set(loaded.definitions.filter((d) => !definitions.includes(d)).map((d) => d.testId));
    if (loaded.manifest.sha256 !== meta.dataset.sha256) {
      throw new RunDirError('RUN_DIR_INVALID', `${datasetDir}: dataset sha256 ${loaded.manifest.sha256} differs from run.json dataset.sha256 ${meta.dataset.sha256}`);
    }
  } catch (err) {
    if (err instanceof RefereeError && err.code === 'RUN_DIR_INVALID') throw err;
    throw new RunDirError('RUN_DIR_INVALID', `${datasetDir}: cannot resume on this dataset: ${(err as Error).message}`, { cause: err });
  }
  const concurrency = Math.max(1, meta.concurrency);

  const { turns, transcripts, master, events } = readRunFiles(runDir);

  const judged = turns.lines.find((l) => left.has(l.value.test_id));
  if (judged) {
    throw new RunDirError('RUN_DIR_INVALID', `${runDir}: the run sent ${judged.value.test_id}'s messages, which a judge steers; resume it with --judge-config as it started`);
  }
  const replies = new Map<number, string>();
  for (const t of transcripts.lines) replies.set(t.value.turn_id, t.value.agent);
  // issue 12: the schedule depends on the replies, so it is rebuilt by replaying the recorded ones.
  const recorded = new Map<string, string>();
  for (const t of turns.lines) {
    const reply = replies.get(t.value.turn_id);
    if (reply !== undefined) recorded.set(`${t.value.lane}/${t.value.step}`, reply);
  }
  // A dynamic test's (Restaurant's) judge replies, as GoodAI's master log caches them: by test and call index.
  const llmCalls = new Map<string, string[]>();
  for (const { value: e } of events.lines) {
    if (e.type !== 'llm_call' || typeof e['test_id'] !== 'string' || typeof e['index'] !== 'number' || typeof e['response'] !== 'string') continue;
    let calls = llmCalls.get(e['test_id']);
    if (!calls) llmCalls.set(e['test_id'], (calls = []));
    calls[e['index']] = e['response'];
  }
  const schedule = buildRunSchedule(definitions, datasetConfig, { concurrency, maxMessageSize: agentConfig.max_message_size }, (s) => recorded.get(`${s.lane}/${s.step}`), (id) => llmCalls.get(id) ?? []);

  // Completed turns per lane; they must be the first steps of the lane, as the schedule has them.
  const lanes: LaneRestore[] = [];
  const completed = new Set<number>();
  const byLane = new Map<number, Map<number, RestoredTurn>>();
  turns.lines.forEach((line, i) => {
    const r = line.value;
    const where = `${join(runDir, FILES.turns)}:${i + 1}`;
    const scheduled = schedule.lanes[r.lane]?.[r.step];
    if (!scheduled || scheduled.turnId !== r.turn_id || scheduled.testId !== r.test_id) {
      throw new RunDirError('RUN_DIR_INVALID', `${where}: turn_id ${r.turn_id} (lane ${r.lane}, step ${r.step}) is not in the schedule rebuilt from run.json and the recorded replies`);
    }
    if (completed.has(r.turn_id)) throw new RunDirError('RUN_DIR_INVALID', `${where}: turn_id ${r.turn_id} recorded twice`);
    const reply = replies.get(r.turn_id);
    if (reply === undefined) return; // killed between the two writes: the turn is redone
    completed.add(r.turn_id);
    let lane = byLane.get(r.lane);
    if (!lane) byLane.set(r.lane, (lane = new Map()));
    lane.set(r.step, { record: r, replyText: reply });
  });
  for (const [laneNo, lane] of byLane) {
    for (let step = 0; step < lane.size; step++) {
      if (!lane.has(step)) {
        throw new RunDirError('RUN_DIR_INVALID', `${join(runDir, FILES.turns)}: lane ${laneNo} has ${lane.size} completed turns but step ${step} is missing`);
      }
    }
  }

  const endedTests = new Map<string, EndedTest>();
  events.lines.forEach((e, i) => {
    const testId = e.value['test_id'];
    if (e.value.type !== 'test_end' || typeof testId !== 'string' || !lastStepCompleted(schedule, testId, completed)) return;
    endedTests.set(testId, check(EndedTestSchema, `${join(runDir, FILES.events)}:${i + 1}`, e.value));
  });
  for (let lane = 0; lane < concurrency; lane++) lanes.push({ turns: byLane.get(lane) ?? new Map(), endedTests, llmCalls });

  // Checked: now cut the files back to the completed turns.
  const begun = new Set<string>();
  for (const steps of schedule.lanes) for (const s of steps) if (s.beginsTest && completed.has(s.turnId)) begun.add(s.testId);
  rewrite(turns, (l) => completed.has(l.value.turn_id));
  rewrite(transcripts, (l) => completed.has(l.value.turn_id));
  rewrite(master, (l) => keepMasterLine(l.value, completed, begun, endedTests));
  rewrite(events, () => true);
  cutOpaqueTails(runDir);

  return {
    runDir,
    runId: meta.run_id,
    meta,
    agentConfig,
    datasetConfig,
    datasetDir,
    concurrency,
    lanes,
    turnsRestored: completed.size,
    ...goOnFrom(events),
  };
}

/** The JSONL files every kind of resume reads and cuts back, checked line by line (a torn last line dropped). */
export function readRunFiles(runDir: string): {
  turns: JsonlFile<TurnMetric>;
  transcripts: JsonlFile<z.infer<typeof TranscriptSchema>>;
  master: JsonlFile<z.infer<typeof MasterLogRecordSchema>>;
  events: JsonlFile<z.infer<typeof RunEventSchema>>;
} {
  return {
    turns: readLines(join(runDir, FILES.turns), TurnMetricSchema),
    transcripts: readLines(join(runDir, FILES.transcripts), TranscriptSchema),
    master: readLines(join(runDir, FILES.master), MasterLogRecordSchema),
    events: readLines(join(runDir, FILES.events), RunEventSchema),
  };
}

/** Drops the torn tail of the files the telemetry exporters write (the runner does not parse them). */
export function cutOpaqueTails(runDir: string): void {
  for (const name of OPAQUE_JSONL) cutTornTail(join(runDir, name));
}

/** Where a resumed run goes on from, read from its events as they were kept: the next `seq` and the time it already ran. */
export function goOnFrom(events: JsonlFile<z.infer<typeof RunEventSchema>>): Pick<ResumePlan, 'nextSeq' | 'priorActiveMs'> {
  return {
    nextSeq: events.lines.reduce((max, l) => Math.max(max, l.value.seq + 1), 0),
    priorActiveMs: activeMsOf(events.lines.map((l) => l.value)),
  };
}

/**
 * Wall time a run ran, from its events: each segment (a `run_start`, then its
 * events) from its start to its last event. The time a killed run lay dead
 * before its resume is not counted.
 */
export function activeMsOf(events: readonly { type: string; ts: string }[]): number {
  let total = 0;
  let start: number | undefined;
  let last: number | undefined;
  for (const e of events) {
    const t = Date.parse(e.ts);
    if (!Number.isFinite(t)) continue;
    if (e.type === 'run_start') {
      if (start !== undefined && last !== undefined) total += Math.max(0, last - start);
      start = t;
    }
    last = t;
  }
  if (start !== undefined && last !== undefined) total += Math.max(0, last - start);
  return total;
}

/** The output root of a run directory (where benchmark_history.jsonl lives). */
export function outputRootOf(runDir: string): string {
  return dirname(resolve(runDir));
}

const EndedTestSchema = z.object({
  // issue 25: null for a test left unscored for want of a judge.
  score: z.number().nullable(),
  max_score: z.number().nullable(),
  reasons: z.array(z.string()).default([]),
  // issue 22: a test that was not answered (or not judged) stays so when resumed.
  status: z.enum(TEST_STATUSES).optional(),
  truncated: z.number().int().optional(),
});

/** The part of a transcripts.jsonl line resume reads: the reply. */
const TranscriptSchema = z.looseObject({ turn_id: z.number().int(), test_id: z.string(), agent: z.string() });

function keepMasterLine(
  r: z.infer<typeof MasterLogRecordSchema>,
  completed: ReadonlySet<number>,
  begun: ReadonlySet<string>,
  ended: ReadonlyMap<string, EndedTest>,
): boolean {
  const turnId = r.data['turn_id'];
  switch (r.type) {
    case MasterLogType.SEND_MESSAGE:
    case MasterLogType.SEND_FILL:
    case MasterLogType.RESPONSE_MESSAGE:
    case MasterLogType.RESPONSE_FILL:
      return typeof turnId === 'number' && completed.has(turnId);
    // master_log names tests the GoodAI way (issue 7): compare in that form.
    case MasterLogType.BEGIN:
      return [...begun].some((id) => goodaiTestId(id) === r.test_id);
    case MasterLogType.END:
      return [...ended.keys()].some((id) => goodaiTestId(id) === r.test_id);
    default:
      return true;
  }
}

function lastStepCompleted(schedule: Schedule, testId: string, completed: ReadonlySet<number>): boolean {
  const lane = schedule.testLane.get(testId);
  const last = lane === undefined ? undefined : schedule.lanes[lane]?.find((s) => s.testId === testId && s.endsTest);
  return last !== undefined && completed.has(last.turnId);
}
