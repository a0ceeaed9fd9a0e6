import { describe, expect, it } from 'vitest';
import { tasksSkill } from '../../src/agents/sim/skills/tasks.js';

const ask = (q: string, model: string) => tasksSkill.answer(q, [{ role: 'user', content: q }], model);

describe('sim tasks skill', () => {
  it('answers arithmetic, trivia and code; the mini model is honestly worse', () => {
    expect(ask('What is 23 * 47?', 'sim-1')).toBe('The answer is 1081.');
    expect(ask('What is 23 * 47?', 'sim-mini-1')).toBe('The answer is 1091.');
    expect(ask('What is 2 * 3?', 'sim-mini-1')).toBe('The answer is 6.');
    expect(ask('What is the capital city of Japan?', 'sim-1')).toBe('Tokyo.');
    expect(ask('What is the capital city of Japan?', 'sim-mini-1')).toBe("I don't know.");
    expect(ask('Write a Python function sum_list(xs) that sums xs.', 'sim-1')).toContain('range(len(xs))');
    expect(ask('Write a Python function sum_list(xs) that sums xs.', 'sim-mini-1')).toContain('range(len(xs) - 1)');
    expect(ask('Tell me a story', 'sim-1')).toBeUndefined();
  });
  it('reasons in a <think> block when the model name says think', () => {
    expect(ask('What is 1 + 1?', 'sim-think-1')).toMatch(/^<think>.+<\/think>\nThe answer is 2\.$/s);
  });
});
