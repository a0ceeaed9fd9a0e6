/** NameList: the share of the given names that the reply's JSON list recalls. */
import { extractJsonArray, lastAnswer } from './extract.js';
import type { Scorer } from './types.js';

const norm = (value: unknown): string => String(value).trim().toLowerCase();

export const scoreNameList: Scorer = (test, answers) => {
  const expected = test.expected_responses.map(String);
  const answer = lastAnswer(answers);
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  const parsed = extractJsonArray(answer);
  if (!parsed.ok) return { score: 0, maxScore: 1, reasons: [`${parsed.reason}; expected ${JSON.stringify(expected)}.`] };

  const given = new Set(parsed.value.map(norm));
  const missing = expected.filter((name) => !given.has(norm(name)));
  const recalled = expected.length - missing.length;
  const expectedSet = new Set(expected.map(norm));
  const extra = parsed.value.map(String).filter((name) => !expectedSet.has(norm(name)));
  // Order is not scored: the question asks for all names, not their sequence.
  const score = expected.length === 0 ? (parsed.value.length === 0 ? 1 : 0) : recalled / expected.length;
  let reason = `Recalled ${recalled} of ${expected.length} names`;
  if (missing.length > 0) reason += `; missing ${missing.join(', ')}`;
  if (extra.length > 0) reason += `; not given: ${extra.join(', ')}`;
  return { score, maxScore: 1, reasons: [`${reason}.`] };
};
