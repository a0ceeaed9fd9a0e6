/**
 * Scores a finished test (issue 7): its callback's verdict when it used one,
 * else the judged scorer when a judge is configured and the evaluation has
 * one, else the deterministic scorer. Issue 25: where GoodAI would ask its LLM
 * judge and the run has none, the test is `unscored: needs judge`: no score.
 */
import type { TestStatus } from '../artifacts/test-tally.js';
import { NEEDS_JUDGE } from '../artifacts/test-tally.js';
import type { TestDefinition } from '../datasets/types.js';
import type { Judge } from '../scoring/judge.js';
import { getJudgedScorer, getScorer } from '../scoring/registry.js';
import type { ScoringMode } from '../scoring/types.js';
import type { CallbackWatch } from './callbacks.js';

/** A test's score as results, runstats.json and `test_end` record it: null where it was not scored. */
export interface TestVerdict {
  score: number | null;
  maxScore: number | null;
  reasons: string[];
  status?: TestStatus;
}

export interface EvaluateOptions {
  judge?: Judge;
  callbacks?: CallbackWatch;
  scoring?: ScoringMode;
  /** The question lines as they were sent (a temporal test's question is written at run time); GoodAI's judge is shown them. */
  questions?: readonly string[];
}

export async function evaluateTest(def: TestDefinition, answers: string[], options: EvaluateOptions): Promise<TestVerdict> {
  const evaluator = def.evaluation ?? def.dataset;
  if (def.uses_callback) {
    const verdict = options.callbacks?.verdict(def.testId);
    if (verdict) return { score: verdict.score, maxScore: verdict.maxScore, reasons: verdict.reasons };
  }
  const judged = options.judge ? getJudgedScorer(evaluator) : undefined;
  if (judged && options.judge) return judged(def, answers, options.judge, options.questions ?? questionLines(def));
  const r = getScorer(evaluator)(def, answers, options.scoring ? { scoring: options.scoring } : {});
  if (r.needsJudge) {
    const why = 'give --judge-config <agent.yaml> to have an LLM score it with GoodAI\'s prompts';
    return { score: null, maxScore: null, reasons: [`${NEEDS_JUDGE} (GoodAI scores this test with its LLM judge; ${why})`, ...r.reasons], status: 'unscored' };
  }
  return { score: r.score, maxScore: r.maxScore, reasons: r.reasons };
}

/** The definition's question lines, where the run did not say what it sent. */
function questionLines(def: TestDefinition): string[] {
  return def.script.filter((_, i) => def.is_question[i]);
}
