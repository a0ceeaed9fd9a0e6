/**
 * Scores a finished test (issue 7): its callback's verdict when it used one,
 * else the judged scorer when a judge is configured and the evaluation has
 * one, else the deterministic scorer.
 */
import type { TestDefinition } from '../datasets/types.js';
import type { Judge } from '../scoring/judge.js';
import { getJudgedScorer, getScorer } from '../scoring/registry.js';
import type { ScoreResult, ScoringMode } from '../scoring/types.js';
import type { CallbackWatch } from './callbacks.js';

export async function evaluateTest(def: TestDefinition, answers: string[], options: { judge?: Judge; callbacks?: CallbackWatch; scoring?: ScoringMode }): Promise<ScoreResult> {
  const evaluator = def.evaluation ?? def.dataset;
  if (def.uses_callback) {
    const verdict = options.callbacks?.verdict(def.testId);
    if (verdict) return { score: verdict.score, maxScore: verdict.maxScore, reasons: verdict.reasons };
  }
  const judged = options.judge ? getJudgedScorer(evaluator) : undefined;
  if (judged && options.judge) return judged(def, answers, options.judge);
  return getScorer(evaluator)(def, answers, options.scoring ? { scoring: options.scoring } : {});
}
