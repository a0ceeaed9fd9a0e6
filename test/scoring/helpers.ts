import { answerWithSkills } from '../../src/agents/sim/skills/index.js';
import type { ChatMessage } from '../../src/agents/types.js';
import type { TestDefinition } from '../../src/datasets/types.js';
import type { Judge, JudgeMessages } from '../../src/scoring/judge.js';

/** A minimal definition around the expected responses a scorer reads. */
export function testWith(dataset: string, expected: unknown[]): TestDefinition {
  return {
    testId: `${dataset}/0`,
    dataset,
    exampleId: '0',
    script: ['statement', 'question?'],
    is_question: [false, true],
    waits: [{ percentage_finished: 90 }, {}],
    expected_responses: expected,
    can_be_interleaved: true,
    is_temporal: false,
    uses_callback: false,
    evaluation: dataset,
  };
}

/**
 * The sim's stand-in judge, asked as the judge agent asks it (issue 25): GoodAI's prompts as their
 * messages (the checklist as system + user), a string prompt as one user message.
 */
export function simJudge(): Judge & { calls: number } {
  return {
    name: 'sim',
    calls: 0,
    ask(prompt: string | JudgeMessages): Promise<string> {
      this.calls++;
      const { system, user } = typeof prompt === 'string' ? { system: undefined, user: prompt } : prompt;
      const context: ChatMessage[] = [...(system !== undefined ? [{ role: 'system' as const, content: system }] : []), { role: 'user', content: user }];
      return Promise.resolve(answerWithSkills(user, context));
    },
  };
}
