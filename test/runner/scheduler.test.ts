import { describe, expect, it } from 'vitest';
import { createGoodaiFiller } from '../../src/runner/goodai-filler.js';
import type { TestDefinition } from '../../src/datasets/types.js';
import { buildSchedule } from '../../src/runner/scheduler.js';
import { countTokens } from '../../src/tokens.js';

function test(dataset: string, id: number, lines: number, finalPct = 90): TestDefinition {
  const script = Array.from({ length: lines }, (_, i) => (i === lines - 1 ? `Question for ${dataset} ${id}?` : `Fact ${i} of ${dataset} ${id}.`));
  return {
    testId: `${dataset}/${id}`,
    dataset,
    exampleId: String(id),
    script,
    is_question: script.map((_, i) => i === lines - 1),
    waits: script.map((_, i) => (i === lines - 1 ? {} : i === lines - 2 ? { percentage_finished: finalPct } : { percentage_finished: (i + 1) * 20 })),
    expected_responses: ['x'],
    can_be_interleaved: true,
    is_temporal: false,
    uses_callback: false,
  };
}

const options = (memorySpan: number, lanes = 1) => ({
  memorySpan,
  lanes,
  incompatibilities: [] as string[][],
  countTokens,
  createFiller: (lane: number) => createGoodaiFiller(lane + 1, countTokens),
});

describe('buildSchedule', () => {
  const tests = [test('colours', 0, 4), test('colours', 1, 4), test('names', 0, 3), test('shopping', 0, 5)];

  it('sends every script line once, in order, and puts each question near 90% of the memory span', () => {
    const schedule = buildSchedule(tests, options(1000));
    const steps = schedule.lanes.flat();
    for (const t of tests) {
      const lines = steps.filter((s) => s.testId === t.testId);
      expect(lines.map((s) => s.message)).toEqual(t.script);
      const first = lines[0]!;
      const question = lines.at(-1)!;
      const distance = question.laneTokensBefore - first.laneTokensBefore;
      expect(distance).toBeGreaterThanOrEqual(900);
      // Overshoot is at most one filler message (plus its known reply).
      expect(distance).toBeLessThan(1000);
    }
    expect(steps.some((s) => s.kind === 'filler')).toBe(true);
  });

  it('never has two tests of one dataset open at once, nor an incompatible pair', () => {
    const schedule = buildSchedule(tests, { ...options(600), incompatibilities: [['names', 'shopping']] });
    const open = new Set<string>();
    for (const s of schedule.lanes[0]!) {
      if (s.kind !== 'test') continue;
      if (s.beginsTest) {
        const datasets = [...open].map((id) => id.split('/')[0]);
        expect(datasets).not.toContain(s.dataset);
        if (s.dataset === 'names') expect(datasets).not.toContain('shopping');
        if (s.dataset === 'shopping') expect(datasets).not.toContain('names');
        open.add(s.testId);
      }
      if (s.endsTest) open.delete(s.testId);
    }
    // Interleaving really happens: some test starts while another is open.
    const starts = schedule.lanes[0]!.filter((s) => s.beginsTest).map((s) => s.step);
    const ends = schedule.lanes[0]!.filter((s) => s.endsTest).map((s) => s.step);
    expect(starts[1]!).toBeLessThan(ends[0]!);
  });

  it('is deterministic and deals tests to lanes with unique turn ids', () => {
    const a = buildSchedule(tests, options(800, 2));
    const b = buildSchedule(tests, options(800, 2));
    expect(JSON.stringify(a.lanes)).toEqual(JSON.stringify(b.lanes));
    expect(a.lanes).toHaveLength(2);
    const ids = a.lanes.flat().map((s) => s.turnId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(a.totalTurns).toBe(ids.length);
  });
});
