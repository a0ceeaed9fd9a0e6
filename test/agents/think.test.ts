import { describe, expect, it } from 'vitest';
import { splitThink, ThinkTracker } from '../../src/agents/llm/think.js';

describe('splitThink', () => {
  it('keeps the reasoning apart from the answer', () => {
    expect(splitThink('<think>6 times 7 is 42</think>\nThe answer is 42.')).toEqual({ answer: 'The answer is 42.', reasoning: '6 times 7 is 42' });
    expect(splitThink('plain')).toEqual({ answer: 'plain', reasoning: '' });
  });
  it('treats an unclosed block (cut by max_tokens) as all reasoning', () => {
    expect(splitThink('<think>still going')).toEqual({ answer: '', reasoning: 'still going' });
  });
});

describe('ThinkTracker', () => {
  it('labels pieces by stage even when tags are split across deltas', () => {
    const t = new ThinkTracker();
    const pieces = [...t.feed('<thi'), ...t.feed('nk>hmm'), ...t.feed(' ok</th'), ...t.feed('ink>Answer'), ...t.feed(' 42'), ...t.flush()];
    const joined = (stage: string) => pieces.filter((p) => p.stage === stage).map((p) => p.text).join('');
    expect(joined('thinking')).toBe('hmm ok');
    expect(joined('streaming')).toBe('Answer 42');
  });
  it('passes text without tags straight through', () => {
    const t = new ThinkTracker();
    expect(t.feed('a <')).toEqual([{ stage: 'streaming', text: 'a ' }]);
    expect(t.feed(' b')).toEqual([{ stage: 'streaming', text: '< b' }]);
  });
});
