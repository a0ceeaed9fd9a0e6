/**
 * The LLM judge seam (issue 7): some GoodAI evaluations ask an LLM when the
 * deterministic check is not enough. A judge is any configured agent
 * endpoint; its calls are managing costs, traced under the `evaluate` span.
 */
import { pyJsonDumps } from '../datasets/py-json-dumps.js';
import type { TestDefinition } from '../datasets/types.js';
import type { ScoreResult } from './types.js';

/**
 * issue 25: a prompt sent exactly as GoodAI sends it: these messages and no other (the judge
 * agent's own system prompt is not added): its `[system, user]` checklist context, or the single
 * user message of its Trigger Response and Locations Directions prompts.
 */
export interface JudgeMessages {
  system?: string;
  user: string;
}

export interface Judge {
  /** Shown in reasons and spans (the judge agent's name). */
  readonly name: string;
  /**
   * One stateless call; returns the reply text. Throws on failure. A string is one user message
   * after the judge agent's own system prompt (Referee's criteria prompt); JudgeMessages are sent
   * as they are (GoodAI's prompts, issue 25).
   */
  ask(prompt: string | JudgeMessages): Promise<string>;
}

/**
 * A scorer that may ask the judge; used instead of the deterministic one when a judge is configured.
 * `questions` are the question lines as they were sent (GoodAI shows its judge the question asked).
 */
export type JudgedScorer = (test: TestDefinition, answers: string[], judge: Judge, questions: readonly string[]) => Promise<ScoreResult>;

/**
 * GoodAI's checklist system prompt for "does the answer match the expected one" (its
 * `_match_system_prompt`, used by `evaluate_correct_gpt`), verbatim: the line break after
 * "question(s) and" and the second example entry are GoodAI's.
 */
export const MATCH_SYSTEM_PROMPT = `You are to evaluate some provided answers, given question(s) and
expected answers, plus a checklist that you must follow. For each question, you will go through the following checklist and provide a yes or no answer.

1. Does the answer make reference to the expected answer?
2. Is the expected answer a number or a quantity?
3. If the answer is a number or a quantity, do they match?

Respond in JSON with the following format:
[
  {
    "question_nr": 1,
    "checklist": ["yes", "no", ...],
  },
  {
    "question_nr": 2,
    "checklist": ["no", "no", ...],
  },
  ...
]`;

/** One entry of GoodAI's checklist user message (`q_list`). */
export interface ChecklistQuestion {
  question: string;
  expected: unknown;
  given: string;
}

/**
 * GoodAI's `evaluate_correct_gpt` context: its system prompt, and `json.dumps(q_list)` (Python's
 * spacing and ASCII escapes) as the user message, the questions numbered from 0 as GoodAI numbers them.
 */
export function checklistMessages(questions: readonly ChecklistQuestion[]): JudgeMessages {
  const qList = questions.map((q, i) => ({ question_nr: i, question: q.question, expected_answer: q.expected, answer_given: q.given }));
  return { system: MATCH_SYSTEM_PROMPT, user: pyJsonDumps(qList) };
}

/** issue 22: how many times a judge is asked before its unreadable verdict becomes a `judge_error`. */
export const JUDGE_READ_ATTEMPTS = 3;

/**
 * issue 22: the judge's verdict could not be read (not the JSON asked for), even asked again: an
 * evaluation error, not the agent's. The test is marked `judge_error`, scored 0 and counted apart.
 */
export class JudgeError extends Error {
  override readonly name = 'JudgeError';
  constructor(
    message: string,
    /** What the test was worth, where the scorer knows. */
    readonly maxScore?: number,
  ) {
    super(message);
  }
}

/** What a reader made of one judge reply. */
export type JudgeReading<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * issue 22: asks `judge` until `read` can use its reply, at most JUDGE_READ_ATTEMPTS times; then
 * throws JudgeError naming the last reason. A failed call (HTTP error) throws as it did.
 */
export async function askReadable<T>(judge: Judge, prompt: string | JudgeMessages, read: (reply: string) => JudgeReading<T>, attempts = JUDGE_READ_ATTEMPTS): Promise<T> {
  let reason = 'no reply';
  for (let i = 0; i < attempts; i++) {
    const r = read(await judge.ask(prompt));
    if (r.ok) return r.value;
    reason = r.reason;
  }
  throw new JudgeError(`judge_error: ${judge.name}'s verdict could not be read in ${attempts} tries (${reason}); not a score for the agent`);
}
