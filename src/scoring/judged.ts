/**
 * The judged variants of the v3 scorers (GoodAI asks an LLM in these cases):
 * each runs the deterministic check first and asks the judge only when that
 * check cannot say yes.
 */
import { extractJsonArray } from './extract.js';
import { MATCH_SYSTEM_PROMPT } from './judge.js';
import type { Judge, JudgedScorer } from './judge.js';
import { scoreJokes } from './jokes.js';
import { parseExpectedRoute, routeMatches, scoreLocationsDirections } from './locations_directions.js';
import { extractJsonObject, rougeL, standardise } from './text.js';
import { TRIGGER_ROUGE_THRESHOLD, triggerSingle } from './trigger_response.js';
import type { ScoreResult } from './types.js';

const TRIGGER_PROMPT = (message: string, sentence: string): string =>
  `Take a look at the following text:\n"${message}"\n\nDetermine whether the sentence "${sentence}" is present or not in the text. If the sentence is present, extract the piece of text that features the targeted sentence. Answer in JSON form, like this:\n{"present": true or false, "sentence": "targeted sentence"}`;

export const judgedTriggerResponse: JudgedScorer = async (test, answers, judge) => {
  const expected = test.expected_responses.map(String);
  let score = 0;
  const reasons: string[] = [];
  for (const [i, e] of expected.entries()) {
    const actual = answers[i] ?? '';
    const quick = triggerSingle(actual, e);
    if (quick.score === 1) {
      score++;
      reasons.push(quick.reason);
      continue;
    }
    const parsed = extractJsonObject(await judge.ask(TRIGGER_PROMPT(actual, e)));
    if (!parsed.ok) {
      reasons.push(`Could not evaluate due to a JSON parsing error: ${parsed.reason}`);
      continue;
    }
    const present = parsed.value['present'] === true && rougeL(standardise(e), standardise(String(parsed.value['sentence'] ?? ''))) > TRIGGER_ROUGE_THRESHOLD;
    if (present) score++;
    reasons.push(`'${e}' is ${present ? '' : 'not '}in the response (judged by ${judge.name}).`);
  }
  return { score: expected.length ? score / expected.length : 0, maxScore: 1, reasons };
};

/** GoodAI's checklist judgement of one answer against one expected answer. */
export async function judgeMatch(judge: Judge, question: string, expected: unknown, given: string): Promise<{ correct: boolean; reason: string }> {
  const prompt = `${MATCH_SYSTEM_PROMPT}\n\n${JSON.stringify([{ question_nr: 1, question, expected_answer: expected, answer_given: given }])}`;
  const parsed = extractJsonArray(await judge.ask(prompt));
  const first = parsed.ok ? (parsed.value[0] as { checklist?: unknown } | undefined) : undefined;
  const list = Array.isArray(first?.checklist) ? first.checklist.map((v) => String(v).toLowerCase() === 'yes') : undefined;
  if (!list || list.length < 1) return { correct: false, reason: 'JSON parse error' };
  const [reference, numeric = false, match = false] = list;
  const correct = Boolean(reference) && !(numeric && !match);
  const mismatch = reference && numeric && !match ? ', but its number does not match' : '';
  return { correct, reason: `The answer ${reference ? 'makes' : 'does not make'} reference to the expected answer${mismatch} (judged by ${judge.name}).` };
}

export const judgedJokes: JudgedScorer = async (test, answers, judge) => {
  const quick = scoreJokes(test, answers);
  if (quick.score === 1 || answers.length === 0) return quick;
  const r = await judgeMatch(judge, 'Which joke did I tell you?', test.expected_responses[0], answers[answers.length - 1] ?? '');
  return { score: r.correct ? 1 : 0, maxScore: 1, reasons: [r.reason] };
};

const STRUCTURE_PROMPT = (directions: string, places: string[]): string =>
  'Take a look at this text:\n```text\n' +
  directions +
  '\n```\n\nIf the text has a sequence of directions in it, convert that sequence of directions into well-structured JSON, like this:\n[\n  {"origin": "some place", "kilometers": 2, "direction": "West", "destination": "other place"},\n  ...\n]\nIf there are no directions, return an empty list.\n\nAlso, if any place matches a place from this list, you must use the name from the list instead of what\'s in the text:\n' +
  places.map((p) => `- ${p}`).join('\n');

export const judgedLocationsDirections: JudgedScorer = async (test, answers, judge): Promise<ScoreResult> => {
  const route = parseExpectedRoute(test);
  const answer = answers[answers.length - 1];
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  const places = [...new Set(route.flatMap((m) => [m.origin, m.destination]))];
  const parsed = extractJsonArray(await judge.ask(STRUCTURE_PROMPT(answer, places)));
  if (!parsed.ok) {
    const fallback = scoreLocationsDirections(test, answers);
    return { ...fallback, reasons: [`The judge's structured directions were unusable (${parsed.reason}); ${fallback.reasons.join(' ')}`] };
  }
  const moves = parsed.value.flatMap((d) => {
    const o = d as { direction?: unknown; kilometers?: unknown };
    return typeof o.direction === 'string' && typeof o.kilometers === 'number' ? [{ direction: o.direction, distance: o.kilometers }] : [];
  });
  return routeMatches(route, moves, `judged by ${judge.name}`);
};
