/**
 * issue 12: every Referee scorer agrees with GoodAI's own `evaluate_correct`
 * on a table of answers written for this project. The `goodai` verdicts in
 * the table were established by running GoodAI's code
 * (scripts/goodai-verdicts.py); where GoodAI asks its LLM, both sides got the
 * same scripted judge replies, and Referee must ask exactly as often.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Judge } from '../../src/scoring/judge.js';
import { prospectiveMemoryCallback } from '../../src/scoring/prospective_memory.js';
import { getJudgedScorer, getScorer } from '../../src/scoring/registry.js';
import { testWith } from './helpers.js';

interface Case {
  id: string;
  dataset: string;
  expected_responses: unknown[];
  answers: string[];
  judge?: string[];
  goodai: { score?: number; done?: boolean; error?: string; judge_calls?: number };
}

const table = JSON.parse(readFileSync(new URL('../fixtures/goodai/scorer-table.json', import.meta.url), 'utf8')) as { cases: Case[] };

function scriptedJudge(replies: readonly string[]): Judge & { calls: number } {
  const queue = [...replies];
  return {
    name: 'scripted',
    calls: 0,
    async ask() {
      this.calls++;
      const next = queue.shift();
      if (next === undefined) throw new Error('judge asked more often than GoodAI asked its LLM');
      return next;
    },
  };
}

async function refereeVerdict(c: Case): Promise<{ score: number; done?: boolean; calls: number }> {
  const test = testWith(c.dataset, c.expected_responses);
  if (c.dataset === 'prospective_memory') {
    const v = prospectiveMemoryCallback({ ...test, uses_callback: true }, c.answers);
    return { score: v.score, done: v.done, calls: 0 };
  }
  if (c.judge) {
    const judge = scriptedJudge(c.judge);
    const judged = getJudgedScorer(c.dataset);
    if (!judged) throw new Error(`${c.dataset} has no judged scorer`);
    return { score: (await judged(test, c.answers, judge, [])).score, calls: judge.calls };
  }
  return { score: getScorer(c.dataset)(test, c.answers).score, calls: 0 };
}

describe('Referee scorers agree with GoodAI evaluate_correct (issue 12)', () => {
  it('covers every dataset GoodAI scores deterministically or with a judge', () => {
    const datasets = new Set(table.cases.map((c) => c.dataset));
    expect([...datasets].sort()).toEqual(['chapterbreak', 'colours', 'jokes', 'locations_directions', 'name_list', 'prospective_memory', 'sallyanne', 'shopping', 'spy_meeting', 'trigger_response']);
    expect(table.cases.length).toBeGreaterThanOrEqual(120);
  });

  it.each(table.cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const mine = await refereeVerdict(c);
    if (c.goodai.error !== undefined) {
      // GoodAI's own code raises on this reply (e.g. a non-text SallyAnne answer); Referee scores it 0.
      expect(mine.score).toBe(0);
      return;
    }
    expect(mine.score).toBeCloseTo(c.goodai.score!, 12);
    expect(mine.calls).toBe(c.goodai.judge_calls ?? 0);
    if (c.goodai.done !== undefined) expect(mine.done).toBe(c.goodai.done);
  });
});
