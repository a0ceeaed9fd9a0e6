/**
 * `referee import goodai DIR`: each agent of GoodAI's published results becomes an ordinary,
 * finished Referee run directory, written by the run directory writer (events.jsonl, run.json,
 * runstats.json, results), so the viewer, `runs` and `compare` read it as any run. Scores are
 * GoodAI's recorded ones; where Referee's scorer can decide offline from the definition and the
 * recorded answers, its score is put beside GoodAI's and a disagreement is counted and named.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RunDirWriter, writeJsonAtomic } from '../artifacts/run-dir-writer.js';
import { RunDirError } from '../errors.js';
import type { RunMeta, RunStats, TestScore, TurnMetric } from '../artifacts/schemas.js';
import type { ProgressSnapshot, TurnStep } from '../events/index.js';
import { hashDatasetDir } from '../datasets/manifest.js';
import { getScorer, SCORING_VERSION } from '../scoring/registry.js';
import { hostInfo, toolVersion } from '../runner/metadata.js';
import { writeRunReport } from '../report/write.js';
import { loggedTurns } from './task-log.js';
import { readPublished, type PublishedAgent, type PublishedBenchmark, type PublishedTest } from './published.js';

/** The kind the viewer and `referee runs` show for an imported run (run.json `run_type`). */
export const GOODAI_RUN_TYPE = 'goodai';

/** The suite the viewer's matrix lists a benchmark's imported agents under. */
export function importedSuite(benchmark: string): string {
  return `GoodAI: ${benchmark}`;
}

/** Referee's own verdict on a recorded test; null where it cannot decide offline. */
export interface Rescore {
  score: number;
  max_score: number;
  reasons: string[];
}

export interface ImportedAgent {
  agent: string;
  run_id: string;
  dir: string;
  /** `skipped`: a run of this benchmark and agent was already there (imported before). */
  outcome: 'imported' | 'skipped';
  score: number;
  max_score: number;
  tests: number;
  /** Tests Referee's scorers re-scored, and those where its score differs from GoodAI's. */
  rescored: number;
  disagreements: string[];
}

export interface ImportSummary {
  benchmark: string;
  source: string;
  runs_dir: string;
  agents: ImportedAgent[];
}

/** One id per benchmark and agent, readable and stable, so a second import finds the first. */
export function importedRunId(benchmark: string, agent: string): string {
  const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const hash = createHash('sha256').update(`${benchmark}\0${agent}`).digest('hex').slice(0, 8);
  return `goodai-${slug(benchmark)}-${slug(agent)}`.slice(0, 100) + `-${hash}`;
}

/**
 * Referee's scorer on GoodAI's recorded answers; null for a test with no script, no scorer, one
 * GoodAI's judge decides, or a callback test (Prospective Memory), whose verdict is on replies
 * watched during the run that `actual_responses` does not hold.
 */
export function rescore(t: PublishedTest): Rescore | null {
  if (!t.defined || t.test.uses_callback) return null;
  let scorer;
  try {
    scorer = getScorer(t.test.evaluation ?? t.test.dataset);
  } catch {
    return null;
  }
  try {
    const r = scorer(t.test, t.result.actual_responses, { scoring: 'goodai' });
    return r.needsJudge ? null : { score: r.score, max_score: r.maxScore, reasons: r.reasons };
  } catch {
    return null;
  }
}

const same = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;

/** Imports every agent of a GoodAI `data/tests/<benchmark>/` folder into `runsDir`. */
export async function importGoodai(dir: string, runsDir: string): Promise<ImportSummary> {
  const published = readPublished(dir);
  const sha256 = existsSync(join(published.dir, 'definitions')) ? (await hashDatasetDir(join(published.dir, 'definitions'))).sha256 : '';
  const agents: ImportedAgent[] = [];
  for (const agent of published.agents) agents.push(await importAgent(published, agent, resolve(runsDir), sha256));
  return { benchmark: published.name, source: published.dir, runs_dir: resolve(runsDir), agents };
}

async function importAgent(b: PublishedBenchmark, agent: PublishedAgent, runsDir: string, sha256: string): Promise<ImportedAgent> {
  const runId = importedRunId(b.name, agent.name);
  const runDir = join(runsDir, runId);
  const scored = agent.tests.map((t) => ({ t, referee: rescore(t) }));
  const disagreements = scored.filter(({ t, referee }) => referee && !(same(referee.score, t.result.score) && same(referee.max_score, t.result.max_score))).map(({ t }) => t.test.testId);
  const score = agent.tests.reduce((s, t) => s + t.result.score, 0);
  const maxScore = agent.tests.reduce((s, t) => s + t.result.max_score, 0);
  const summary = { agent: agent.name, run_id: runId, dir: runDir, score, max_score: maxScore, tests: agent.tests.length, rescored: scored.filter((s) => s.referee).length, disagreements };
  if (existsSync(runDir)) {
    const earlier = earlierImport(runDir);
    if (earlier === 'finished') return { ...summary, outcome: 'skipped' };
    if (earlier === 'other') throw new RunDirError('RUN_DIR_INVALID', `${runDir}: exists and is not an import of ${agent.name} (${b.name}); move it away to import`);
    // An import cut short (killed before its end): written again from the start.
    rmSync(runDir, { recursive: true, force: true });
  }

  const [first, last] = masterLogSpan(agent.masterLog);
  const meta: RunMeta & { imported: Record<string, unknown> } = {
    run_id: runId,
    created_at: first ?? new Date().toISOString(),
    status: 'running',
    agent: { name: agent.name, provider: 'goodai' },
    agent_config: {},
    // `suite`: the viewer's suite matrix holds the benchmark's agents x datasets.
    dataset_config: { name: b.name, suite: importedSuite(b.name), source: 'goodai' },
    dataset: { dir: join(b.dir, 'definitions'), sha256 },
    seed: 0,
    memory_span: b.memorySpan,
    concurrency: 1,
    scoring_version: SCORING_VERSION,
    tool_version: toolVersion(),
    git_commit: null,
    ...hostInfo(),
    run_type: GOODAI_RUN_TYPE,
    imported: { from: 'goodai', benchmark: b.name, agent: agent.name, source: agent.dir, rescored: summary.rescored, disagreements: disagreements.length },
  };
  const tests: TestScore[] = scored.map(({ t, referee }) => testScore(t, referee));
  const turns = agent.tests.map((t) => loggedTurns(t.result.task_log));
  const turnsTotal = turns.reduce((n, t) => n + t.length, 0);
  let turnId = 0;
  const snapshot = (testsDone: number): ProgressSnapshot => progressAt(testsDone, tests.length, turnId, turnsTotal);
  const progress = snapshot(0);
  const writer = new RunDirWriter(runDir, runId);
  writer.onRunStart({ meta, runDir, tests: agent.tests.map((t) => t.test), progress, publish: () => {} });
  writer.onNotice('imported', `GoodAI's published results of ${agent.name} (${b.name}), read from ${agent.dir}`, { source: agent.dir, benchmark: b.name, agent: agent.name }, );
  scored.forEach(({ t, referee }, i) => {
    writer.onTestStart(t.test, 0, snapshot(i));
    // The test's messages and replies from GoodAI's task_log, so the viewer shows the conversation.
    turns[i]!.forEach((turn, step) => {
      const line = t.test.script.indexOf(turn.message);
      const s: TurnStep = { turnId: turnId++, lane: 0, step, kind: 'test', testId: t.test.testId, dataset: t.test.dataset, message: turn.message, isQuestion: line >= 0 ? t.test.is_question[line] === true : t.test.is_temporal, tokens: 0 };
      writer.onTurnStart(s);
      const ms = Math.max(0, turn.repliedMs - turn.sentMs);
      writer.onTurnEnd({ step: s, record: turnRecord(runId, s, turn.repliedMs, ms), replyText: turn.reply, metadata: { source: 'goodai task_log' } }, snapshot(i));
    });
    writer.onTestEnd(
      {
        test: t.test,
        score: tests[i]!,
        answers: t.result.actual_responses,
        log: [],
        tokens: t.result.tokens ?? 0,
        characters: t.result.characters ?? 0,
        span: 0,
      },
      snapshot(i + 1),
    );
    // GoodAI's own record, logs as it wrote them, with Referee's verdict beside its score.
    const file = join(runDir, 'results', agent.name, t.test.testId.slice(0, t.test.testId.lastIndexOf('/')), `${t.test.exampleId}_0.json`);
    writeJsonAtomic(file, { ...t.result, ...(referee ? { referee_score: referee.score, referee_max_score: referee.max_score, referee_reasoning: referee.reasons } : {}) });
  });
  writer.onRunEnd(runStats(runId, agent, tests, score, maxScore, turnsTotal), 'finished', snapshot(tests.length));
  // GoodAI's master log is the conversation as it happened, in the record shape Referee writes too.
  if (agent.masterLog) copyFileSync(agent.masterLog, join(runDir, 'master_log.jsonl'));
  if (last) writeJsonAtomic(join(runDir, 'run.json'), { ...meta, status: 'finished', finished_at: last });
  // The same report a run of Referee's own ends with, read from the files just written.
  writeRunReport(runDir);
  return { ...summary, outcome: 'imported' };
}

/** What an existing run directory of an imported run's id holds: a finished import, one cut short, or something else. */
function earlierImport(runDir: string): 'finished' | 'unfinished' | 'other' {
  try {
    const meta = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { run_type?: unknown; status?: unknown };
    if (meta.run_type !== GOODAI_RUN_TYPE) return 'other';
    return meta.status === 'finished' ? 'finished' : 'unfinished';
  } catch (err) {
    // No run.json: the import died before writing it. Anything else unreadable is not ours to remove.
    return (err as NodeJS.ErrnoException).code === 'ENOENT' && readdirSync(runDir).every((f) => /^run\.json\.tmp-\d+$/.test(f)) ? 'unfinished' : 'other';
  }
}

function testScore(t: PublishedTest, referee: Rescore | null): TestScore {
  const g = `${t.result.score}/${t.result.max_score}`;
  const note = !referee
    ? []
    : same(referee.score, t.result.score) && same(referee.max_score, t.result.max_score)
      ? [`Referee re-scored ${referee.score}/${referee.max_score}: agrees with GoodAI`]
      : [`Referee re-scored ${referee.score}/${referee.max_score}: DISAGREES with GoodAI's ${g} (${referee.reasons.join('; ')})`];
  return { test_id: t.test.testId, dataset: t.test.dataset, score: t.result.score, max_score: t.result.max_score, reasons: [...t.result.reasoning, ...note], errors: 0 };
}

function runStats(runId: string, agent: PublishedAgent, tests: TestScore[], score: number, maxScore: number, turns: number): RunStats {
  const perDataset: RunStats['per_dataset'] = {};
  for (const t of tests) {
    const d = (perDataset[t.dataset] ??= { score: 0, max_score: 0, tests: 0 });
    d.score += t.score ?? 0;
    d.max_score += t.max_score ?? 0;
    d.tests += 1;
  }
  const s = agent.runstats;
  return {
    total_tokens: s.total_tokens,
    agent_tokens: s.agent_tokens,
    agent_costs_usd: s.agent_costs_usd,
    managing_costs_usd: s.managing_costs_usd,
    duration: s.duration,
    scoring: 'goodai',
    run_id: runId,
    agent: agent.name,
    score,
    max_score: maxScore,
    tokens_in: 0,
    tokens_out: 0,
    turns,
    turns_failed: 0,
    pricing_source: 'unknown',
    per_dataset: perDataset,
    tests,
  };
}

/**
 * A turn read from GoodAI's log: its time is the reply's and its duration the time between the
 * message and the reply as GoodAI logged them; GoodAI's results record no per-call tokens or cost.
 */
function turnRecord(runId: string, s: TurnStep, repliedMs: number, ms: number): TurnMetric {
  return {
    timestamp: new Date(repliedMs).toISOString(),
    run_id: runId,
    test_id: s.testId,
    turn_id: s.turnId,
    lane: 0,
    step: s.step,
    dataset: s.dataset,
    kind: 'test',
    is_question: s.isQuestion,
    llm_ms: ms,
    storage_ms: 0,
    total_ms: ms,
    ttft_ms: null,
    // GoodAI's results record no usage per call: 0, marked as no count.
    tokens_in: 0,
    tokens_out: 0,
    usage_source: 'unrecorded',
    cost_usd: 0,
    pricing_source: 'unknown',
    status: 'success',
  };
}

function progressAt(done: number, total: number, turnsDone: number, turnsTotal: number): ProgressSnapshot {
  return {
    testsDone: done,
    testsTotal: total,
    turnsDone,
    turnsTotal,
    turnsTotalEstimated: false,
    turnsFailed: 0,
    attempts: 0,
    tokensIn: 0,
    tokensOut: 0,
    costUsd: 0,
    startedAtMs: 0,
    elapsedMs: 0,
    etaMs: null,
    currentTestId: null,
    currentTestIndex: done,
    notice: null,
  };
}

/** The first and last timestamps of GoodAI's master log (epoch seconds), as ISO times. */
function masterLogSpan(file: string | undefined): [string | undefined, string | undefined] {
  if (!file) return [undefined, undefined];
  const times = readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        const t = (JSON.parse(line) as { timestamp?: unknown }).timestamp;
        return typeof t === 'number' ? [t] : [];
      } catch {
        return [];
      }
    });
  if (!times.length) return [undefined, undefined];
  const iso = (s: number): string => new Date(s * 1000).toISOString();
  return [iso(Math.min(...times)), iso(Math.max(...times))];
}
