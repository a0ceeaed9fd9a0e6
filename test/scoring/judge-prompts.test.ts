/**
 * Issue 25: with a judge, Referee sends GoodAI's judge prompts verbatim. The contexts in
 * test/fixtures/goodai/judge-prompts.json were recorded from GoodAI's own code (its `ask_llm`
 * replaced by a recorder; scripts/goodai/judge_prompts.py, GoodAI at 188e761): Referee's judged
 * scorers, given the same replies from the judge, send the same messages, byte for byte, and
 * score as GoodAI scored.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Judge, JudgeMessages } from '../../src/scoring/judge.js';
import { getJudgedScorer } from '../../src/scoring/registry.js';
import { testWith } from './helpers.js';

interface Case {
  dataset: string;
  questions: string[];
  expected_responses: unknown[];
  answers: string[];
  judge: string[];
  contexts: { role: string; content: string }[][];
  goodai: { score: number; max_score: number };
}

const table = JSON.parse(readFileSync(new URL('../fixtures/goodai/judge-prompts.json', import.meta.url), 'utf8')) as { goodai_commit: string; cases: Case[] };

describe("GoodAI's judge prompts, verbatim (issue 25)", () => {
  it.each(table.cases.map((c, i) => [`${c.dataset} #${i}`, c] as const))('%s', async (_name, c) => {
    const replies = [...c.judge];
    const sent: { role: string; content: string }[][] = [];
    const judge: Judge = {
      name: 'recorder',
      ask(prompt: string | JudgeMessages) {
        expect(typeof prompt, 'GoodAI prompts are sent as messages, not through the agent system prompt').toBe('object');
        const m = prompt as JudgeMessages;
        sent.push([...(m.system !== undefined ? [{ role: 'system', content: m.system }] : []), { role: 'user', content: m.user }]);
        return Promise.resolve(replies.shift() ?? 'no reply scripted');
      },
    };
    const test = { ...testWith(c.dataset, c.expected_responses), script: [...c.questions], is_question: c.questions.map(() => true) };
    const r = await getJudgedScorer(c.dataset)!(test, c.answers, judge, c.questions);
    expect(sent).toEqual(c.contexts);
    expect(r.score).toBeCloseTo(c.goodai.score / c.goodai.max_score, 12);
  });

  it('covers each prompt GoodAI sends its judge', () => {
    expect(table.goodai_commit).toBe('188e761');
    expect(new Set(table.cases.map((c) => c.dataset))).toEqual(new Set(['jokes', 'trigger_response', 'locations_directions']));
    expect(table.cases.flatMap((c) => c.contexts).length).toBeGreaterThanOrEqual(5);
  });
});
