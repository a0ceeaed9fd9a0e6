/**
 * The sim as an LLM judge (issues 7 and 8), so judged runs work offline: it
 * answers GoodAI's checklist prompt and the task criteria prompt from the
 * texts inside them alone. A stand-in, not a grader: an answer "makes
 * reference" to the expected one when it contains it (numbers: when its last
 * number is the expected one), and criteria are judged against the reference
 * answer only.
 */
import { lastNumber, normalizeText } from '../../../scoring/evaluators.js';
import { MATCH_SYSTEM_PROMPT } from '../../../scoring/judge.js';
import { standardise } from '../../../scoring/text.js';
import { CRITERIA_PROMPT_HEAD } from '../../../scoring/task-judge.js';
import type { SimSkill } from '../skill.js';
import { restaurantJudgeAnswer } from './restaurant.js';

const NUMBER = /^-?\d+(?:\.\d+)?$/;

function checklist(expected: unknown, given: string): string[] {
  const e = typeof expected === 'string' ? expected.trim() : JSON.stringify(expected);
  if (typeof expected === 'number' || NUMBER.test(e)) {
    const n = lastNumber(given);
    return [n !== undefined ? 'yes' : 'no', 'yes', n === Number(e) ? 'yes' : 'no'];
  }
  return [e !== '' && normalizeText(given).includes(normalizeText(e)) ? 'yes' : 'no', 'no', 'no'];
}

function between(text: string, start: string, end: string): string | undefined {
  const i = text.indexOf(start);
  if (i < 0) return undefined;
  const j = text.indexOf(end, i + start.length);
  return j < 0 ? undefined : text.slice(i + start.length, j);
}

const ROUTE_LINE = /From (.+?), go (\d+)\s*km (North|South|East|West) to (.+?)\./gi;

/**
 * GoodAI's two other judge prompts (issue 12): "is this sentence in the
 * text?" (Trigger Response) and "structure these directions" (Locations
 * Directions), answered from the quoted text alone.
 */
function otherJudgePrompts(question: string): string | undefined {
  if (question.startsWith('Take a look at the following text:\n"')) {
    const text = between(question, 'Take a look at the following text:\n"', '"\n\nDetermine whether the sentence "') ?? '';
    const sentence = between(question, 'Determine whether the sentence "', '" is present or not') ?? '';
    const present = sentence !== '' && standardise(text).includes(standardise(sentence));
    return JSON.stringify({ present, sentence: present ? sentence : '' });
  }
  if (question.startsWith('Take a look at this text:\n```text\n')) {
    const text = between(question, 'Take a look at this text:\n```text\n', '\n```') ?? '';
    return JSON.stringify([...text.matchAll(ROUTE_LINE)].map((m) => ({ origin: m[1], kilometers: Number(m[2]), direction: m[3], destination: m[4] })));
  }
  return undefined;
}

export const judgeSkill: SimSkill = {
  name: 'judge',
  answer(question, context) {
    // issue 25: GoodAI's checklist is its system prompt and the questions as JSON in the user message.
    const checklistAsked = context.some((m) => m.role === 'system' && m.content === MATCH_SYSTEM_PROMPT);
    if (checklistAsked || question.startsWith(MATCH_SYSTEM_PROMPT)) {
      let items: unknown;
      try {
        items = JSON.parse(checklistAsked ? question : question.slice(MATCH_SYSTEM_PROMPT.length));
      } catch {
        return 'I cannot read the answers to evaluate.';
      }
      if (!Array.isArray(items)) return 'I cannot read the answers to evaluate.';
      const verdicts = items.map((item: { question_nr?: unknown; expected_answer?: unknown; answer_given?: unknown }, i) => ({
        question_nr: item.question_nr ?? i + 1,
        checklist: checklist(item.expected_answer, String(item.answer_given ?? '')),
      }));
      return JSON.stringify(verdicts);
    }
    if (question.startsWith(CRITERIA_PROMPT_HEAD)) {
      const answer = between(question, '<answer>\n', '\n</answer>') ?? '';
      const reference = between(question, 'Reference answer:\n', '\n\n<answer>');
      if (reference === undefined) return JSON.stringify({ pass: false, score: 0, reason: 'This judge grades against a reference answer only.' });
      const [found, numeric, match] = checklist(reference, answer);
      const pass = found === 'yes' && (numeric === 'no' || match === 'yes');
      return JSON.stringify({ pass, score: pass ? 1 : 0, reason: pass ? 'The answer agrees with the reference answer.' : 'The answer does not agree with the reference answer.' });
    }
    return otherJudgePrompts(question) ?? restaurantJudgeAnswer(question, context);
  },
};
