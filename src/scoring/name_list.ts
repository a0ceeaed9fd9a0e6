/**
 * NameList, GoodAI's `evaluate_correct` (issue 12): the reply is read with
 * `sanitize_and_parse_json`; each name given that was expected scores, and
 * the count is divided by max(expected, given), so extra names cost points.
 * Whatever Python would iterate is iterated (an object's keys, a string's
 * letters); a non-text element makes the reply unreadable (score 0).
 */
import { lastAnswer } from './extract.js';
import { sanitizeAndParseJson } from './py-json.js';
import type { PyValue } from './py-json.js';
import type { Scorer } from './types.js';

/** Python's `[n.lower() for n in value]`, or undefined where that raises. */
function lowerItems(value: PyValue): string[] | undefined {
  const items: PyValue[] | undefined = Array.isArray(value) ? value : value instanceof Map ? [...value.keys()] : typeof value === 'string' ? Array.from(value) : undefined;
  if (!items || !items.every((n) => typeof n === 'string')) return undefined;
  return (items as string[]).map((n) => n.toLowerCase());
}

export const scoreNameList: Scorer = (test, answers) => {
  const remaining = test.expected_responses.map((n) => String(n).toLowerCase());
  const answer = lastAnswer(answers);
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  let given: string[] | undefined;
  try {
    given = lowerItems(sanitizeAndParseJson(answer));
  } catch {
    given = undefined;
  }
  if (!given) return { score: 0, maxScore: 1, reasons: ['Response not in correct format'] };
  const divisor = Math.max(remaining.length, given.length);
  const reasons: string[] = [];
  let correct = 0;
  for (const name of given) {
    const at = remaining.indexOf(name);
    if (at === -1) reasons.push(`Name: ${name} not expected.`);
    else {
      correct++;
      remaining.splice(at, 1);
    }
  }
  reasons.push(remaining.length > 0 ? `Names: ${remaining.join(', ')} were not in the response.` : 'All expected names were found in the response.');
  // GoodAI divides by zero here (nothing expected, nothing given); Referee calls that a pass.
  return { score: divisor === 0 ? 1 : correct / divisor, maxScore: 1, reasons };
};
