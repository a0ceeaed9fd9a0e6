import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { RunDirError } from '../errors.js';
import { readJsonl } from './jsonl-reader.js';
import { TEST_STATUSES } from './test-tally.js';
import { RunMetaSchema, RunStatsSchema, TestScoreSchema, TurnMetricSchema, type RunMeta, type RunStats, type TestScore, type TurnMetric } from './schemas.js';

/** One line of transcripts.jsonl: the message, the reply and the agent's (sanitized) metadata. */
export const TranscriptRecordSchema = z.object({
  turn_id: z.number().int(),
  test_id: z.string(),
  user: z.string(),
  agent: z.string(),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type TranscriptRecord = z.infer<typeof TranscriptRecordSchema>;

/** Everything a report or a comparison needs from one run directory. */
export interface RunDirContents {
  dir: string;
  meta: RunMeta;
  /** runstats.json, or null when the run died before writing it. */
  stats: RunStats | null;
  /** Per-test scores: runstats.json's, else the `test_end` events of a run that did not finish. */
  tests: TestScore[];
  turns: TurnMetric[];
  transcripts: TranscriptRecord[];
  /** A JSONL file ended in a torn line (the run was killed mid-write). */
  tornTail: boolean;
}

function readJsonFile<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RunDirError('RUN_DIR_INVALID', `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new RunDirError('RUN_DIR_INVALID', `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}

function readRecords<S extends z.ZodType>(file: string, schema: S): { records: z.infer<S>[]; torn: boolean } {
  let read: { records: unknown[]; tornTail: boolean };
  try {
    read = readJsonl(file);
  } catch (err) {
    throw new RunDirError('RUN_DIR_INVALID', (err as Error).message, { cause: err });
  }
  const records = read.records.map((rec, i) => {
    const r = schema.safeParse(rec);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new RunDirError('RUN_DIR_INVALID', `${file}: record ${i + 1}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    return r.data;
  });
  return { records, torn: read.tornTail };
}

// issue 25: an unscored test's score is null; its status (issues 22, 25) is kept.
const TestEndEventSchema = z.looseObject({
  type: z.literal('test_end'),
  test_id: z.string(),
  dataset: z.string(),
  score: z.number().nullable(),
  max_score: z.number().nullable(),
  reasons: z.array(z.string()).default([]),
  status: z.enum(TEST_STATUSES).optional(),
});

/**
 * Reads a finished, failed or interrupted run directory. A directory without
 * run.json is not a run directory (RunDirError, exit 2); missing JSONL files
 * read as empty, a torn last line is tolerated.
 */
export function readRunDir(dir: string): RunDirContents {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RunDirError('RUN_DIR_INVALID', `${dir}: not a directory`);
  const metaFile = join(dir, 'run.json');
  if (!existsSync(metaFile)) throw new RunDirError('RUN_DIR_INVALID', `${dir}: no run.json (not a Referee run directory)`);
  const meta = readJsonFile(metaFile, RunMetaSchema);
  const statsFile = join(dir, 'runstats.json');
  const stats = existsSync(statsFile) ? readJsonFile(statsFile, RunStatsSchema) : null;
  const turns = readRecords(join(dir, 'turn_metrics.jsonl'), TurnMetricSchema);
  const transcripts = readRecords(join(dir, 'transcripts.jsonl'), TranscriptRecordSchema);
  let tests: TestScore[];
  let torn = turns.torn || transcripts.torn;
  if (stats) {
    tests = stats.tests;
  } else {
    const events = readJsonl<{ type?: unknown }>(join(dir, 'events.jsonl'));
    torn ||= events.tornTail;
    tests = events.records
      .filter((e) => e.type === 'test_end')
      .flatMap((e) => {
        const r = TestEndEventSchema.safeParse(e);
        if (!r.success) return [];
        const errors = turns.records.filter((t) => t.test_id === r.data.test_id && t.status === 'error').length;
        const { test_id, dataset, score, max_score, reasons, status } = r.data;
        return [TestScoreSchema.parse({ test_id, dataset, score, max_score, reasons, errors, ...(status ? { status } : {}) })];
      })
      .sort((a, b) => a.test_id.localeCompare(b.test_id));
  }
  return { dir, meta, stats, tests, turns: turns.records, transcripts: transcripts.records, tornTail: torn };
}
