/**
 * The judged variants of the v3 scorers (GoodAI asks an LLM in these cases):
 * each runs the deterministic check first and asks the judge only when that
 * check cannot say yes.
 */
import { extractJsonArray } from './extract.js';
import { askReadable, checklistMessages, type Judge, type JudgedScorer, type JudgeReading } from './judge.js';
import { pyTruthy, sanitizeAndParseJson } from './py-json.js';
import type { PyValue } from './py-json.js';
import { rougeL, standardise } from './text.js';
import { TRIGGER_ROUGE_THRESHOLD, triggerSingle } from './trigger_response.js';

/** GoodAI's `eval_prompt` of Trigger Response, verbatim, sent as its one user message (issue 25). */
export const TRIGGER_PROMPT = (message: string, sentence: string): string =>
  `Take a look at the following text:\n"${message}"\n\nDetermine whether the sentence "${sentence}" is present or not in the text. If the sentence is present, extract the piece of text that features the targeted sentence. Answer in JSON form, like this:\n{"present": true or false, "sentence": "targeted sentence"}`;

/**
 * GoodAI's reading of the judge's trigger verdict (issue 12): parsed with
 * `sanitize_and_parse_json`; a truthy `present` counts only if the quoted
 * `sentence` is close to the expected one (ROUGE-L). Where GoodAI's own code
 * raises (a list, a non-text sentence, a falsy non-boolean), Referee scores 0.
 */
export function triggerVerdict(reply: string, expected: string): { score: number; reason: string } {
  let parsed: PyValue;
  try {
    parsed = sanitizeAndParseJson(reply);
  } catch (error) {
    return { score: 0, reason: `Could not evaluate due to a JSON parsing error: ${(error as Error).message}` };
  }
  if (!(parsed instanceof Map) || !parsed.has('present')) return { score: 0, reason: 'Could not evaluate due to a JSON parsing error: no "present"' };
  const present = parsed.get('present')!;
  let yes = false;
  if (pyTruthy(present)) {
    const sentence = parsed.get('sentence');
    if (typeof sentence !== 'string') return { score: 0, reason: 'Could not evaluate: no "sentence" text' };
    yes = rougeL(standardise(expected), standardise(sentence)) > TRIGGER_ROUGE_THRESHOLD;
  }
  return { score: yes ? 1 : 0, reason: `'${expected}' is ${yes ? '' : 'not '}in the response.` };
}

/**
 * GoodAI's `evaluate_correct_gpt` reading of a checklist reply: every entry
 * scores when its first answer is "yes", unless the second is "yes" and the
 * third is not; what was summed before an unreadable entry is kept.
 */
export function checklistScore(reply: string): { score: number; reasons: string[] } {
  let score = 0;
  const reasons: string[] = [];
  try {
    const parsed = sanitizeAndParseJson(reply);
    const entries: PyValue[] = Array.isArray(parsed) ? parsed : parsed instanceof Map ? [...parsed.keys()] : typeof parsed === 'string' ? Array.from(parsed) : [];
    if (!Array.isArray(parsed) && !(parsed instanceof Map) && typeof parsed !== 'string') throw new Error('not iterable');
    for (const entry of entries) {
      const list = entry instanceof Map ? entry.get('checklist') : undefined;
      const items: PyValue[] | undefined = Array.isArray(list) ? list : typeof list === 'string' ? Array.from(list) : list instanceof Map ? [...list.keys()] : undefined;
      if (!items || !items.every((v) => typeof v === 'string')) throw new Error('bad checklist');
      const yes = (items as string[]).map((v) => v.toLowerCase() === 'yes');
      if (yes.length < 2 || (yes[1] && yes.length < 3)) throw new Error('short checklist');
      const correct = yes[0]! && !(yes[1] && !yes[2]);
      score += correct ? 1 : 0;
      reasons.push(`The answer ${yes[0] ? 'makes' : 'does not make'} reference to the expected answer${yes[1] && !yes[2] ? ', but its number does not match' : ''}.`);
    }
  } catch {
    reasons.push('JSON parse error');
  }
  return { score, reasons };
}

export const judgedTriggerResponse: JudgedScorer = async (test, answers, judge) => {
  const expected = test.expected_responses.map(String);
  let score = 0;
  const reasons: string[] = [];
  // GoodAI zips replies with expectations: an unanswered trigger is not judged.
  for (const [i, e] of expected.slice(0, answers.length).entries()) {
    const actual = answers[i]!;
    const quick = triggerSingle(actual, e);
    if (quick.score === 1) {
      score++;
      reasons.push(quick.reason);
      continue;
    }
    const verdict = triggerVerdict(await judge.ask({ user: TRIGGER_PROMPT(actual, e) }), e);
    score += verdict.score;
    reasons.push(`${verdict.reason} (judged by ${judge.name})`);
  }
  return { score: expected.length ? score / expected.length : 0, maxScore: 1, reasons };
};

/** GoodAI's checklist judgement of one answer against one expected answer. */
export async function judgeMatch(judge: Judge, question: string, expected: unknown, given: string): Promise<{ correct: boolean; reason: string }> {
  const prompt = checklistMessages([{ question, expected, given }]);
  // issue 22: a checklist that cannot be read is asked for again, then a judge_error (JudgeError), never a wrong answer.
  const list = await askReadable(judge, prompt, (reply): JudgeReading<boolean[]> => {
    const parsed = extractJsonArray(reply);
    const first = parsed.ok ? (parsed.value[0] as { checklist?: unknown } | undefined) : undefined;
    const yes = Array.isArray(first?.checklist) ? first.checklist.map((v) => String(v).toLowerCase() === 'yes') : undefined;
    return yes && yes.length >= 1 ? { ok: true, value: yes } : { ok: false, reason: 'JSON parse error: no checklist' };
  });
  const [reference, numeric = false, match = false] = list;
  const correct = Boolean(reference) && !(numeric && !match);
  const mismatch = reference && numeric && !match ? ', but its number does not match' : '';
  return { correct, reason: `The answer ${reference ? 'makes' : 'does not make'} reference to the expected answer${mismatch} (judged by ${judge.name}).` };
}

export const judgedJokes: JudgedScorer = async (test, answers, judge, questions) => {
  const answer = answers[answers.length - 1];
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  const expected = String(test.expected_responses[0] ?? '');
  if (answer.includes(expected)) return { score: 1, maxScore: 1, reasons: ['The correct joke is recounted.'] };
  // GoodAI's evaluate_correct_gpt: the question as it was asked ("Which joke did I tell you about 2 hours 5 minutes ago?").
  const prompt = checklistMessages([{ question: questions[questions.length - 1] ?? '', expected, given: answer }]);
  const r = checklistScore(await judge.ask(prompt));
  return { score: r.score, maxScore: 1, reasons: r.reasons.map((x) => `${x} (judged by ${judge.name})`) };
};
