import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { makeDirs } from './make-dir.js';
import { dirname, join } from 'node:path';
import type { Reporter, RunStartInfo, TestEndInfo, TurnEndInfo, ProgressSnapshot, TurnStep } from '../events/index.js';
import type { TestDefinition } from '../datasets/types.js';
import { headTruncate } from '../events/sanitize.js';
import { JsonlWriter, writeError } from './jsonl-writer.js';
import { redact, StreamRedactor } from '../events/secrets.js';
import { GoodaiLogBuffer, pyDatetime, type LogEvent } from './goodai-log.js';
import { readJsonl } from './jsonl-reader.js';
import { MasterLogRecordSchema, MasterLogType, type RunMeta, type RunStats } from './schemas.js';
import { killPoint } from '../kill-point.js';

/** Writes a JSON file atomically (temp file + rename), so a crash never leaves half a file. */
export function writeJsonAtomic(file: string, value: unknown): void {
  // issue 14: the one redaction, as in every JSONL line.
  writeFileAtomic(file, redact(JSON.stringify(value, null, 2)) + '\n');
}

/**
 * Writes a file atomically (temp file + rename). Issue 24: a write that fails (a full disk) leaves
 * the old file as it was and no temporary file behind, and its error names the file and the errno.
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    makeDirs(dirname(file));
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw writeError(file, 'cannot write', err);
  }
}

/**
 * Issue 24: room a run keeps back while it runs, so that on a full disk its failed ending (run.json
 * `failed`, run_error.json) can still be written: freed by that ending, removed by every other one.
 * Random bytes, so a compressing file system stores all of it.
 */
export const SPACE_RESERVE_FILE = '.space-reserve';
const SPACE_RESERVE_BYTES = 64 * 1024;

/** Removes a run directory's space reserve (an ending completed, or one that needs the room). */
export function releaseSpaceReserve(runDir: string): void {
  rmSync(join(runDir, SPACE_RESERVE_FILE), { force: true });
}

function holdSpaceReserve(runDir: string): void {
  try {
    writeFileSync(join(runDir, SPACE_RESERVE_FILE), randomBytes(SPACE_RESERVE_BYTES));
  } catch {
    // No room even for that: the run goes on without (its first failed write ends it).
    releaseSpaceReserve(runDir);
  }
}

const RESULTS_DIRNAME = 'results';
const TOKEN_FLUSH_MS = 50;

/**
 * The run directory as a reporter: events.jsonl, turn_metrics.jsonl,
 * master_log.jsonl, transcripts.jsonl, per-test results, runstats.json and
 * the final run.json. Every line is on disk before the next turn starts.
 */
export class RunDirWriter implements Reporter {
  private readonly events: JsonlWriter;
  private readonly turns: JsonlWriter;
  private readonly master: JsonlWriter;
  private readonly transcripts: JsonlWriter;
  private seq = 0;
  private tokenBuffer: { turnId: number; testId: string; text: string; since: number; stage: 'thinking' | 'streaming' } | undefined;
  private meta: RunMeta | undefined;
  private readonly runId: string;
  private readonly resumed: boolean;
  /** A task run (issue 8, 13): see the constructor's `taskRun`. */
  private readonly taskRun: boolean;
  private results: JsonlWriter | undefined;

  constructor(
    private readonly runDir: string,
    runId: string,
    options: {
      startSeq?: number;
      /**
       * A task run, whose tasks are independent one-turn conversations:
       * - per-test results are lines of `results/<agent>/results.jsonl` (with
       *   `test_id`), not one JSON file per test: a 2,000-task run would otherwise
       *   spend more time creating files than talking to the model (issue 8);
       * - each task's `task_log` and `full_log` are its own exchange, so no GoodAI
       *   log buffer of every concurrent task's traffic is kept (issue 13);
       * - master_log carries no `tokens`: a task step's count is an estimate, not
       *   GoodAI's cl100k count (issue 17).
       * @default false
       */
      taskRun?: boolean;
    } = {},
  ) {
    this.runId = runId;
    this.resumed = (options.startSeq ?? 0) > 0;
    this.taskRun = options.taskRun ?? false;
    this.seq = options.startSeq ?? 0;
    this.events = new JsonlWriter(join(runDir, 'events.jsonl'));
    this.turns = new JsonlWriter(join(runDir, 'turn_metrics.jsonl'));
    this.master = new JsonlWriter(join(runDir, 'master_log.jsonl'));
    this.transcripts = new JsonlWriter(join(runDir, 'transcripts.jsonl'));
    // Issue 25: a test open across an interrupt keeps the lines it had before it: its result's
    // task_log and full_log run from its start, as in an uninterrupted run.
    if (this.resumed && !this.taskRun) this.replayMasterLog();
  }

  /**
   * A resumed run's master_log.jsonl (cut back by the resume to the completed turns) read into the
   * GoodAI log buffer, as if this process had written it: the tests still open take their earlier
   * lines from it; a test that ended before the interrupt is let go at its END.
   */
  private replayMasterLog(): void {
    const file = join(this.runDir, 'master_log.jsonl');
    if (!existsSync(file)) return;
    const sendTokens = new Map<unknown, number>();
    for (const raw of readJsonl<unknown>(file).records) {
      const r = MasterLogRecordSchema.safeParse(raw);
      if (!r.success) continue;
      const { type, timestamp, test_id: testId, data } = r.data;
      // GoodAI's total_token_count goes on from the completed turns (BEGIN records it), as onTurnEnd counts it.
      if ((type === MasterLogType.SEND_MESSAGE || type === MasterLogType.SEND_FILL) && typeof data['tokens'] === 'number') sendTokens.set(data['turn_id'], data['tokens']);
      if ((type === MasterLogType.RESPONSE_MESSAGE || type === MasterLogType.RESPONSE_FILL) && typeof data['tokens'] === 'number') {
        this.goodaiTokens += (sendTokens.get(data['turn_id']) ?? 0) + data['tokens'];
      }
      // As onTestEnd: the ended test's logs were taken before its END, which other open tests' full_log still shows.
      if (type === MasterLogType.END) this.goodaiLog.take(testId, false);
      this.goodaiLog.add(logEvent(type, Math.round(timestamp * 1000), testId, data));
    }
  }

  event(type: string, payload: Record<string, unknown>): void {
    this.events.write({ seq: this.seq++, ts: new Date().toISOString(), type, run_id: this.runId, ...payload });
  }

  /** GoodAI's total_token_count: every message and reply so far (BEGIN records it). */
  private goodaiTokens = 0;

  // issue 7: GoodAI's own record shape, so its tools load the file: epoch-seconds
  // timestamps, its test ids ("Colours - 0"; "" for filler), `is_question` on sends and replies.
  private masterLog(type: number, testId: string, data: Record<string, unknown>): void {
    const ms = Date.now();
    const id = goodaiTestId(testId);
    this.master.write({ type, timestamp: ms / 1000, test_id: id, data });
    // issue 12: the same event in GoodAI's human-readable form, for the results' task_log and full_log.
    // Issue 13: buffering every concurrent task's traffic for each task's log was a fifth of a task run's CPU.
    if (this.taskRun) return;
    this.goodaiLog.add(logEvent(type, ms, id, data));
  }
  private readonly goodaiLog = new GoodaiLogBuffer();

  onRunStart(info: RunStartInfo): void {
    this.meta = info.meta;
    writeJsonAtomic(join(this.runDir, 'run.json'), info.meta);
    holdSpaceReserve(this.runDir);
    // issue 12: GoodAI marks every resume of a suite with SUITE_RESET.
    if (this.resumed) this.masterLog(MasterLogType.SUITE_RESET, '', {});
    this.event('run_start', {
      agent: info.meta.agent['name'],
      role: info.meta.role ?? 'single',
      tests_total: info.progress.testsTotal,
      turns_total: info.progress.turnsTotal,
      turns_total_estimated: info.progress.turnsTotalEstimated,
      tests: info.tests.map((t) => ({ test_id: t.testId, dataset: t.dataset })),
      dataset_sha256: info.meta.dataset.sha256,
    });
  }

  onTestStart(test: TestDefinition, lane: number, progress: ProgressSnapshot): void {
    this.masterLog(MasterLogType.BEGIN, test.testId, { tokens: this.goodaiTokens });
    this.event('test_start', { test_id: test.testId, dataset: test.dataset, lane, index: progress.currentTestIndex });
  }

  onTurnStart(step: TurnStep): void {
    this.masterLog(step.kind === 'filler' ? MasterLogType.SEND_FILL : MasterLogType.SEND_MESSAGE, step.testId, {
      message: step.message,
      is_question: step.isQuestion,
      turn_id: step.turnId,
      // Issue 17: the plan's cl100k count, so the monitor's pending queue need not tokenise every message again
      // (GoodAI's readers take `data` by key; an extra one is ignored).
      ...(this.taskRun ? {} : { tokens: step.tokens }),
    });
    this.event('turn_start', {
      test_id: step.testId,
      turn_id: step.turnId,
      lane: step.lane,
      step: step.step,
      kind: step.kind,
      dataset: step.dataset,
      prompt: step.message,
    });
  }

  onTurnEnd(info: TurnEndInfo, progress: ProgressSnapshot): void {
    const { step, record } = info;
    if (this.tokenBuffer?.turnId === step.turnId) this.flushTokens();
    this.endTokenStream(step.turnId);
    this.turns.write(record);
    this.masterLog(step.kind === 'filler' ? MasterLogType.RESPONSE_FILL : MasterLogType.RESPONSE_MESSAGE, step.testId, {
      message: info.replyText,
      is_question: step.isQuestion,
      turn_id: step.turnId,
      ...(step.replyTokens !== undefined ? { tokens: step.replyTokens } : {}),
      ...(record.status === 'error' ? { error: record.reason ?? 'error' } : {}),
    });
    // issue 12: GoodAI's total_token_count: the message and the reply, cl100k, as the LTM plan counted them.
    // A task step carries no count: counting here loaded the cl100k tables into every task run (issue 13).
    if (step.replyTokens !== undefined) this.goodaiTokens += step.tokens + step.replyTokens;
    // GoodAI logs a WAIT when a test starts waiting (tokens still to pass, seconds of time jump).
    if (step.waitAfter) this.masterLog(MasterLogType.WAIT, step.testId, { tokens: step.waitAfter.tokens, time: step.waitAfter.time });
    // GoodAI's setup writes SUITE_RESET once the introduction is answered.
    if (step.isIntro) this.masterLog(MasterLogType.SUITE_RESET, '', {});
    this.transcripts.write({
      turn_id: step.turnId,
      test_id: step.testId,
      user: step.message,
      agent: info.replyText,
      metadata: info.metadata,
      // issue 22: a reply cut at max_tokens is marked where the reply is read.
      ...(record.finish_reason ? { finish_reason: record.finish_reason } : {}),
    });
    // Raw model output in events is head-truncated (issue 4, seed 003 A3); master_log keeps it whole.
    const response = headTruncate(info.replyText);
    this.event('turn_end', {
      ...record,
      response: response.text,
      response_truncated: response.truncated,
      tests_done: progress.testsDone,
      turns_done: progress.turnsDone,
      // issue 21: an expected total moves as the plan follows the replies (or a task retries).
      ...(progress.turnsTotalEstimated ? { turns_total: progress.turnsTotal } : {}),
    });
  }

  onTestEnd(info: TestEndInfo, progress: ProgressSnapshot): void {
    const { test } = info;
    // GoodAI's update_result runs before its END event: full_log ends with the test's last reply.
    const logs = this.taskRun ? undefined : this.goodaiLog.take(goodaiTestId(test.testId), test.uses_callback);
    this.masterLog(MasterLogType.END, test.testId, {});
    const agent = String(this.meta?.agent['name'] ?? 'agent');
    const at = pyDatetime(Date.now());
    const ownLog = logs?.taskLog.length ? logs.taskLog : info.log.map((l) => `${l.role === 'user' ? 'Test' : 'Agent'} (${at}): ${l.text}`);
    const result = {
      // issue 12: GoodAI's shapes: `Test (%Y-%m-%d %H:%M:%S.%f): msg` lines and full_log as strings.
      task_log: ownLog,
      actual_responses: info.answers,
      score: info.score.score,
      max_score: info.score.max_score,
      reasoning: info.score.reasons,
      // GoodAI's tokens/characters: the conversation from the test's first line to its end.
      tokens: info.measured?.tokens ?? info.tokens,
      characters: info.measured?.characters ?? info.characters,
      full_log: logs?.fullLog ?? ownLog,
      expected_responses: test.expected_responses,
      needles: test.is_question.filter((q) => !q).length,
      memory_span: info.span,
      // issue 22: Referee's own keys (the GoodAI export leaves them out): a test not answered or not judged, answers cut short.
      ...(info.score.status ? { status: info.score.status } : {}),
      ...(info.score.truncated ? { truncated_answers: info.score.truncated } : {}),
    };
    if (this.taskRun) {
      this.results ??= new JsonlWriter(join(this.runDir, RESULTS_DIRNAME, agent, 'results.jsonl'));
      this.results.write({ test_id: test.testId, dataset: test.dataset, ...result });
    } else {
      writeJsonAtomic(join(this.runDir, RESULTS_DIRNAME, agent, dirnameFor(test), `${test.exampleId}_0.json`), result);
    }
    this.event('test_end', {
      test_id: test.testId,
      dataset: test.dataset,
      score: info.score.score,
      max_score: info.score.max_score,
      reasons: info.score.reasons,
      // issue 22: not answered (a scored call failed) or not judged; and answers cut at max_tokens.
      ...(info.score.status ? { status: info.score.status } : {}),
      ...(info.score.truncated ? { truncated: info.score.truncated } : {}),
      tests_done: progress.testsDone,
    });
  }

  onEvent(type: string, data: Record<string, unknown>): void {
    this.event(type, data);
    // issue 7: callbacks are GoodAI master_log events too.
    if (type === 'callback_register') this.masterLog(MasterLogType.REGISTER_CALLBACK, String(data['test_id']), {});
    if (type === 'callback_deregister') this.masterLog(MasterLogType.DEREGISTER_CALLBACK, String(data['test_id']), {});
    // issue 12: a wait taken between messages (a callback test's one-token wait).
    if (type === 'wait') this.masterLog(MasterLogType.WAIT, String(data['test_id']), { tokens: data['tokens'], time: data['time'] });
    // A dynamic test's judge call (Restaurant), as GoodAI's add_llm_call records it.
    if (type === 'llm_call') this.masterLog(MasterLogType.LLM_CALL, String(data['test_id']), { response: data['response'] });
  }

  /**
   * Streamed text is batched: one `token` event per turn every TOKEN_FLUSH_MS
   * while it streams, and the rest when the turn ends, so the monitor sees the
   * reply grow without a line per token.
   */
  onToken(step: TurnStep, delta: string, stage: 'thinking' | 'streaming' = 'streaming'): void {
    const pending = this.tokenBuffer;
    if (pending && (pending.turnId !== step.turnId || pending.stage !== stage)) this.flushTokens();
    if (!this.tokenBuffer) this.tokenBuffer = { turnId: step.turnId, testId: step.testId, text: '', since: Date.now(), stage };
    this.tokenBuffer.text += delta;
    if (Date.now() - this.tokenBuffer.since >= TOKEN_FLUSH_MS) this.flushTokens();
  }

  private flushTokens(): void {
    const b = this.tokenBuffer;
    this.tokenBuffer = undefined;
    if (!b || !b.text) return;
    // Issue 24: a turn's deltas are redacted as one stream, so a key split across two `token` events is caught.
    let stream = this.tokenStreams.get(b.turnId);
    if (stream && stream.stage !== b.stage) {
      this.endTokenStream(b.turnId);
      stream = undefined;
    }
    if (!stream) this.tokenStreams.set(b.turnId, (stream = { stage: b.stage, testId: b.testId, redactor: new StreamRedactor() }));
    const delta = stream.redactor.push(b.text);
    if (delta) this.event('token', { test_id: b.testId, turn_id: b.turnId, delta, stage: b.stage });
  }

  /** The characters a turn's token stream held back (a possible start of a secret), once the stream ends. */
  private endTokenStream(turnId: number): void {
    const stream = this.tokenStreams.get(turnId);
    if (!stream) return;
    this.tokenStreams.delete(turnId);
    const delta = stream.redactor.end();
    if (delta) this.event('token', { test_id: stream.testId, turn_id: turnId, delta, stage: stream.stage });
  }
  private readonly tokenStreams = new Map<number, { stage: 'thinking' | 'streaming'; testId: string; redactor: StreamRedactor }>();

  onNotice(kind: string, message: string, data: Record<string, unknown>): void {
    this.event(kind, { message, ...data });
  }

  /**
   * Issue 24: the ending this run is about to write, set before `onRunEnd`. With it, `onRunEnd`
   * leaves run.json `running` with the ending recorded, and `completeEnding` (after report.html and
   * the history line) writes the final status; without it, `onRunEnd` writes the final status at once.
   */
  prepareEnding(ending: NonNullable<RunMeta['ending']>, extra: Partial<RunMeta> = {}): void {
    this.pendingEnding = ending;
    this.endingExtra = extra;
  }
  private pendingEnding: RunMeta['ending'];
  private endingExtra: Partial<RunMeta> = {};

  /** The run directory. */
  get dir(): string {
    return this.runDir;
  }

  /**
   * Issue 24: an ending whose writes failed (a full disk) leaves run.json `failed`, where it can
   * still be written; `--resume` redoes the ending once there is room. Best effort: the first error is
   * the one reported.
   */
  markFailed(): void {
    if (!this.meta) return;
    releaseSpaceReserve(this.runDir);
    try {
      writeJsonAtomic(join(this.runDir, 'run.json'), { ...this.meta, status: 'failed', finished_at: new Date().toISOString() });
    } catch {
      // run.json stays as it was (running, or its ending recorded): --resume takes it from there.
    }
  }

  /** Issue 24: the last write of an ending: run.json's final status, once everything else is on disk. */
  completeEnding(): void {
    const ending = this.pendingEnding;
    if (!this.meta || !ending) return;
    writeJsonAtomic(join(this.runDir, 'run.json'), finalMeta({ ...this.meta, ...this.endingExtra, ending }));
    releaseSpaceReserve(this.runDir);
  }

  onRunEnd(stats: RunStats, status: RunMeta['status'], progress: ProgressSnapshot): void {
    // Turns cut short (an interrupted run) end their token streams too.
    this.flushTokens();
    for (const turnId of [...this.tokenStreams.keys()]) this.endTokenStream(turnId);
    writeJsonAtomic(join(this.runDir, 'runstats.json'), stats);
    // issue 21: the run's final figures, as runstats.json has them: a reader that missed an event still ends on these.
    this.event('run_end', {
      status,
      score: stats.score,
      max_score: stats.max_score,
      duration: stats.duration,
      wall_duration_s: stats.wall_duration_s,
      turns: stats.turns,
      turns_failed: stats.turns_failed,
      turns_total: progress.turnsTotal,
      turns_total_estimated: progress.turnsTotalEstimated,
      tests_done: progress.testsDone,
      tests_total: progress.testsTotal,
      tokens_in: stats.tokens_in,
      tokens_out: stats.tokens_out,
      cost_usd: stats.agent_costs_usd,
    });
    for (const w of [this.events, this.turns, this.master, this.transcripts]) w.close();
    this.results?.close();
    killPoint('ending:stats');
    if (!this.meta) return;
    const meta = { ...this.meta, ...this.endingExtra };
    if (this.pendingEnding) {
      // Issue 24: not `finished` before report.html and the history line are written.
      writeJsonAtomic(join(this.runDir, 'run.json'), { ...meta, status: 'running', ending: this.pendingEnding });
      killPoint('ending:marked');
    } else {
      writeJsonAtomic(join(this.runDir, 'run.json'), { ...meta, status, finished_at: new Date().toISOString() });
      releaseSpaceReserve(this.runDir);
    }
  }
}

/** Issue 24: run.json once its recorded ending is complete: the ending's status and time, the marker gone. */
export function finalMeta(meta: RunMeta & Record<string, unknown>): RunMeta & Record<string, unknown> {
  const { ending, ...rest } = meta;
  return ending ? { ...rest, status: ending.status, finished_at: ending.finished_at } : meta;
}

/** GoodAI's test id, `<Dataset> - <example_id>` (its `unique_id`); filler has none. */
export function goodaiTestId(testId: string): string {
  if (testId === 'filler') return '';
  const slash = testId.lastIndexOf('/');
  return slash < 0 ? testId : `${testId.slice(0, slash)} - ${testId.slice(slash + 1)}`;
}

/** A master_log record as the GoodAI log buffer keeps it. */
function logEvent(type: number, ms: number, testId: string, data: Record<string, unknown>): LogEvent {
  return {
    type,
    ms,
    testId,
    ...(typeof data['message'] === 'string' ? { message: data['message'] } : {}),
    ...(typeof data['tokens'] === 'number' ? { tokens: data['tokens'] } : {}),
    ...(typeof data['time'] === 'number' ? { time: data['time'] } : {}),
    ...(data['is_question'] === true ? { isQuestion: true } : {}),
    ...(typeof data['response'] === 'string' ? { response: data['response'] } : {}),
  };
}

/** GoodAI writes results under the dataset's display folder (`Colours`), which the test id starts with. */
function dirnameFor(test: TestDefinition): string {
  return test.testId.slice(0, test.testId.lastIndexOf('/')) || test.dataset;
}
