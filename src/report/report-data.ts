import type { RunDirContents } from '../artifacts/run-dir-reader.js';
import type { TestScore, TurnMetric } from '../artifacts/schemas.js';
import { testOutcome, type TestStatus } from '../artifacts/test-tally.js';
import { computeRunMetrics } from '../match/metrics.js';
import type { MatchResult, RunMetrics } from '../match/schemas.js';
import { toolVersion } from '../runner/metadata.js';

/**
 * What a report page embeds as JSON and renders in the browser. Everything in
 * here that came from an agent or a model is untrusted text; the page only ever
 * puts it into the DOM with textContent.
 */
export interface ReportData {
  kind: 'single' | 'match';
  title: string;
  generated_at: string;
  tool_version: string;
  /** One agent (single run) or two (champion A, challenger B). */
  agents: { label: string; role: string; metrics: RunMetrics }[];
  match: Pick<MatchResult, 'match_id' | 'comparison' | 'settings' | 'problems' | 'datasets_match' | 'dataset_id'> | null;
  radar: RadarData;
  tests: ReportTest[];
  /** Filler turns left out of the accordion, per agent. */
  filler_turns: number[];
}

export interface RadarData {
  axes: string[];
  /** Per agent, one value in [0, 1] per axis (1 is best). */
  values: number[][];
  /** Per agent, the raw figure behind each axis, for tooltips. */
  raw: string[][];
  note: string;
}

export interface ReportAnswer {
  text: string;
  status: 'success' | 'error';
  reason?: string;
  /** Correctness of the turn: the test's score where the turn is a question. */
  verdict: 'pass' | 'partial' | 'fail' | 'error' | 'judge_error' | 'unscored' | 'none';
  /** issue 22: the reply was cut at max_tokens (finish_reason `length`). */
  truncated?: boolean;
  metadata: unknown;
  metrics: { turn_id: number; total_ms: number; llm_ms: number; storage_ms: number; ttft_ms: number | null; tokens_in: number; tokens_out: number };
}

export interface ReportTurn {
  /** 1-based position within the test. */
  index: number;
  user: string;
  is_question: boolean;
  /** Per agent; null where that agent never got to this turn. */
  answers: (ReportAnswer | null)[];
}

export interface ReportTest {
  test_id: string;
  dataset: string;
  /** Per agent; null where the test was not scored. */
  /** issue 25: an `unscored` test (no judge) has a null score and max_score. */
  scores: ({ score: number | null; max_score: number | null; reasons: string[]; status?: TestStatus } | null)[];
  turns: ReportTurn[];
}

/** A per-turn metadata blob larger than this is left out of the page (it stays in transcripts.jsonl). */
export const MAX_METADATA_CHARS = 20_000;

function capMetadata(metadata: unknown): unknown {
  const size = JSON.stringify(metadata ?? {}).length;
  return size > MAX_METADATA_CHARS ? { note: `metadata of ${size} characters left out of the report; see transcripts.jsonl` } : metadata;
}

function verdictOf(score: TestScore | undefined, isQuestion: boolean, status: string): ReportAnswer['verdict'] {
  if (status === 'error') return 'error';
  if (!isQuestion || !score) return 'none';
  // issue 22: an answer the judge could not grade is not a wrong one; issue 25: nor one left for a judge.
  const outcome = testOutcome(score);
  return outcome === 'error' ? 'fail' : outcome;
}

interface TestTurns {
  dataset: string;
  turns: { user: string; isQuestion: boolean; answer: ReportAnswer }[];
}

/** One run's test turns (filler left out), grouped by test in conversation order. */
function turnsByTest(run: RunDirContents): { byTest: Map<string, TestTurns>; filler: number } {
  const metricsByTurn = new Map<number, TurnMetric>(run.turns.map((t) => [t.turn_id, t]));
  const scores = new Map(run.tests.map((t) => [t.test_id, t]));
  const byTest = new Map<string, TestTurns>();
  let filler = 0;
  const ordered = [...run.transcripts].sort((a, b) => a.turn_id - b.turn_id);
  for (const tr of ordered) {
    const m = metricsByTurn.get(tr.turn_id);
    if (m?.kind === 'filler' || (!m && tr.test_id === 'filler')) {
      filler++;
      continue;
    }
    const isQuestion = m?.is_question ?? false;
    const status = m?.status ?? 'success';
    const entry = byTest.get(tr.test_id) ?? { dataset: m?.dataset ?? scores.get(tr.test_id)?.dataset ?? '', turns: [] };
    byTest.set(tr.test_id, entry);
    entry.turns.push({
      user: tr.user,
      isQuestion,
      answer: {
        text: tr.agent,
        status,
        ...(m?.reason ? { reason: m.reason } : {}),
        ...(m?.finish_reason === 'length' ? { truncated: true } : {}),
        verdict: verdictOf(scores.get(tr.test_id), isQuestion, status),
        metadata: capMetadata(tr.metadata),
        metrics: {
          turn_id: tr.turn_id,
          total_ms: m?.total_ms ?? 0,
          llm_ms: m?.llm_ms ?? 0,
          storage_ms: m?.storage_ms ?? 0,
          ttft_ms: m?.ttft_ms ?? null,
          tokens_in: m?.tokens_in ?? 0,
          tokens_out: m?.tokens_out ?? 0,
        },
      },
    });
  }
  return { byTest, filler };
}

/** Natural order, so `Colours/10` comes after `Colours/9`. */
const collator = new Intl.Collator('en', { numeric: true });

function buildTests(runs: RunDirContents[]): { tests: ReportTest[]; filler: number[] } {
  const per = runs.map(turnsByTest);
  const scoreMaps = runs.map((r) => new Map(r.tests.map((t) => [t.test_id, t])));
  const ids = new Set<string>();
  for (const p of per) for (const id of p.byTest.keys()) ids.add(id);
  for (const r of runs) for (const t of r.tests) ids.add(t.test_id);
  const tests = [...ids].sort(collator.compare).map((testId): ReportTest => {
    const sides = per.map((p) => p.byTest.get(testId));
    const length = Math.max(...sides.map((s) => s?.turns.length ?? 0));
    const turns: ReportTurn[] = [];
    for (let i = 0; i < length; i++) {
      const first = sides.find((s) => s?.turns[i])?.turns[i];
      turns.push({
        index: i + 1,
        user: first?.user ?? '',
        is_question: first?.isQuestion ?? false,
        answers: sides.map((s) => s?.turns[i]?.answer ?? null),
      });
    }
    const dataset = sides.find((s) => s)?.dataset ?? scoreMaps.map((m) => m.get(testId)?.dataset).find((d) => d) ?? '';
    return {
      test_id: testId,
      dataset,
      scores: scoreMaps.map((m) => {
        const s = m.get(testId);
        return s ? { score: s.score, max_score: s.max_score, reasons: s.reasons, ...(s.status ? { status: s.status } : {}) } : null;
      }),
      turns,
    };
  });
  return { tests, filler: per.map((p) => p.filler) };
}

const AXES = ['Accuracy', 'Speed (1/latency)', 'Efficiency (1/tokens)', 'Cost (1/USD)'];

function tokensPerTurn(m: RunMetrics): number {
  return m.turns > 0 ? (m.tokens_in + m.tokens_out) / m.turns : 0;
}

function costPerTest(m: RunMetrics): number {
  return m.tests > 0 ? m.token_cost / m.tests : m.token_cost;
}

function rawLabels(m: RunMetrics): string[] {
  return [
    `${(m.accuracy * 100).toFixed(1)}% (${round(m.total_score)}/${round(m.max_score)})`,
    `p50 ${round(m.latency_p50_ms)} ms per model call`,
    `${round(tokensPerTurn(m))} tokens per turn`,
    m.pricing_source === 'unknown' ? 'cost unknown' : `$${m.token_cost.toFixed(4)} total`,
  ];
}

/** Smaller is better: the best of the agents scores 1, the others best/theirs. */
function relative(values: number[]): number[] {
  const best = Math.min(...values);
  return values.map((v) => (v <= 0 ? 1 : best <= 0 ? 0 : best / v));
}

/**
 * Radar axes, each in [0, 1] with 1 best. Two agents are scaled against each
 * other (the faster one has speed 1). A single run has nothing to scale
 * against, so fixed references give 0.5: 1 s per turn, 500 tokens per turn,
 * $0.01 per test.
 */
export function radarData(metrics: RunMetrics[]): RadarData {
  const full = radarAllAxes(metrics);
  const unpriced = metrics.filter((m) => m.pricing_source === 'unknown').map((m) => m.agent_name);
  if (unpriced.length === 0) return full;
  // An unknown price is not a free one: leave the axis out rather than draw it as best.
  return {
    axes: full.axes.slice(0, 3),
    values: full.values.map((v) => v.slice(0, 3)),
    raw: full.raw.map((r) => r.slice(0, 3)),
    note: `${full.note} Cost is left out: no price is known for ${unpriced.join(', ')}.`,
  };
}

function radarAllAxes(metrics: RunMetrics[]): RadarData {
  const acc = metrics.map((m) => m.accuracy);
  if (metrics.length > 1) {
    const speed = relative(metrics.map((m) => m.latency_p50_ms));
    const eff = relative(metrics.map(tokensPerTurn));
    const cost = relative(metrics.map(costPerTest));
    return {
      axes: AXES,
      values: metrics.map((_, i) => [acc[i]!, speed[i]!, eff[i]!, cost[i]!].map((v) => round(v, 4))),
      raw: metrics.map(rawLabels),
      note: 'Accuracy is score / max score. Speed, efficiency and cost are relative: the better agent on an axis scores 1, the other best ÷ its own.',
    };
  }
  return {
    axes: AXES,
    values: metrics.map((m) =>
      [m.accuracy, 1000 / (1000 + m.latency_p50_ms), 500 / (500 + tokensPerTurn(m)), 0.01 / (0.01 + costPerTest(m))].map((v) => round(v, 4)),
    ),
    raw: metrics.map(rawLabels),
    note: 'Accuracy is score / max score. Speed, efficiency and cost score 0.5 at 1 s per turn, 500 tokens per turn and $0.01 per test.',
  };
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The report of one run directory. */
export function singleReportData(run: RunDirContents): ReportData {
  const metrics = computeRunMetrics(run);
  const { tests, filler } = buildTests([run]);
  return {
    kind: 'single',
    title: `Referee report: ${metrics.agent_name} (${metrics.run_id})`,
    generated_at: new Date().toISOString(),
    tool_version: toolVersion(),
    agents: [{ label: metrics.agent_name, role: metrics.role, metrics }],
    match: null,
    radar: radarData([metrics]),
    tests,
    filler_turns: filler,
  };
}

/** The comparison report of a match (or of two past runs). */
export function matchReportData(match: MatchResult, champion: RunDirContents, challenger: RunDirContents): ReportData {
  const { tests, filler } = buildTests([champion, challenger]);
  return {
    kind: 'match',
    title: `Referee match: ${match.champion.agent_name} vs ${match.challenger.agent_name}`,
    generated_at: new Date().toISOString(),
    tool_version: toolVersion(),
    agents: [
      { label: `A: ${match.champion.agent_name}`, role: 'champion', metrics: match.champion },
      { label: `B: ${match.challenger.agent_name}`, role: 'challenger', metrics: match.challenger },
    ],
    match: {
      match_id: match.match_id,
      comparison: match.comparison,
      settings: match.settings,
      problems: match.problems,
      datasets_match: match.datasets_match,
      dataset_id: match.dataset_id,
    },
    radar: radarData([match.champion, match.challenger]),
    tests,
    filler_turns: filler,
  };
}
