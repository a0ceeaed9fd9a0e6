/**
 * Trigger response: a point per trigger whose reply holds the sentence
 * (punctuation and case ignored) or is close to it (ROUGE-L above 0.75), as
 * GoodAI checks before it asks an LLM; normalised to 0..1. ROUGE-L stems
 * words as GoodAI's `rouge_score` does (issue 12). A reply the check cannot
 * accept goes to GoodAI's LLM judge: without one, the test is unscored (issue 25).
 */
import { clip } from './extract.js';
import { rougeL, standardise } from './text.js';
import type { Scorer } from './types.js';

export const TRIGGER_ROUGE_THRESHOLD = 0.75;

export function triggerSingle(actual: string, expected: string): { score: number; reason: string } {
  const a = standardise(actual);
  const e = standardise(expected);
  if (a.includes(e) || rougeL(e, a) > TRIGGER_ROUGE_THRESHOLD) return { score: 1, reason: `'${expected}' is in the response.` };
  return { score: 0, reason: `'${expected}' is not in the response ${JSON.stringify(clip(actual, 120))}.` };
}

export const scoreTriggerResponse: Scorer = (test, answers) => {
  const expected = test.expected_responses.map(String);
  if (answers.length === 0) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  let score = 0;
  let undecided = 0;
  // GoodAI zips replies with expectations: a trigger never answered scores nothing and is not judged.
  const reasons = expected.slice(0, answers.length).map((e, i) => {
    const r = triggerSingle(answers[i]!, e);
    score += r.score;
    if (r.score === 1) return r.reason;
    // issue 25: where the check cannot say yes, GoodAI asks its LLM judge; without one the test is unscored.
    undecided++;
    return `${r.reason.slice(0, -1)}; GoodAI asks its LLM judge here.`;
  });
  return { score: expected.length ? score / expected.length : 0, maxScore: 1, reasons, ...(undecided > 0 ? { needsJudge: true as const } : {}) };
};
