/** GoodAI's scheduler semantics (issue 7): intro, reset messages, the virtual clock, callbacks. */
import { describe, expect, it } from 'vitest';
import { DatasetConfigSchema } from '../../src/config/dataset.js';
import { createGoodaiFiller } from '../../src/runner/goodai-filler.js';
import { getGenerator } from '../../src/datasets/registry.js';
import type { TestDefinition, TestDefinitionFile } from '../../src/datasets/types.js';
import { GOODAI_INTRO, goodaiScheduleOptions } from '../../src/runner/goodai-options.js';
import { buildSchedule } from '../../src/runner/scheduler.js';
import { countTokens } from '../../src/tokens.js';

const asTest = (def: TestDefinitionFile, dataset: string, folder: string, i = 0): TestDefinition => ({ ...def, testId: `${folder}/${i}`, dataset, exampleId: String(i) });
const make = (dataset: string, folder: string, examples = 1, args: Record<string, unknown> = {}): TestDefinition[] =>
  getGenerator(dataset)
    .generate({ seed: 4, examples, args })
    .map((d, i) => asTest(d, dataset, folder, i));

function schedule(tests: TestDefinition[], configOverrides: Record<string, unknown> = {}, memorySpan = 800) {
  const config = DatasetConfigSchema.parse({ config: configOverrides, datasets: { datasets: [{ name: 'colours' }] } });
  return buildSchedule(tests, {
    memorySpan,
    lanes: 1,
    incompatibilities: [],
    countTokens,
    createFiller: (lane) => createGoodaiFiller(lane, countTokens),
    ...goodaiScheduleOptions(config),
  }).lanes[0]!;
}

describe('GoodAI scheduler semantics', () => {
  it('opens every conversation with the introduction, unless the config turns it off', () => {
    const steps = schedule(make('colours', 'Colours'));
    expect(steps[0]).toMatchObject({ message: GOODAI_INTRO, isIntro: true, kind: 'filler' });
    expect(schedule(make('colours', 'Colours'), { intro: false })[0]!.testId).toBe('Colours/0');
  });

  it('sends the dataset reset message right after a test\'s last line, and it ends the test', () => {
    const steps = schedule(make('trigger_response', 'Trigger Response'));
    const mine = steps.filter((s) => s.testId === 'Trigger Response/0');
    const last = mine.at(-1)!;
    expect(last).toMatchObject({ isReset: true, endsTest: true, isQuestion: false });
    expect(last.message).toMatch(/^Cancel any instructions/);
    expect(steps[steps.indexOf(last) - 1]).toBe(mine.at(-2)); // nothing in between
    expect(mine.filter((s) => s.endsTest)).toHaveLength(1);
    // Colours has no reset message: its question ends it.
    const colours = schedule(make('colours', 'Colours')).filter((s) => s.testId === 'Colours/0');
    expect(colours.at(-1)).toMatchObject({ isQuestion: true, endsTest: true });
  });

  it('keeps a callback test open for n replies after it registers, then resets it', () => {
    const [pm] = make('prospective_memory', 'Prospective Memory');
    const nth = (pm!.expected_responses[0] as [string, string, number])[2];
    const steps = schedule([pm!]);
    const register = steps.findIndex((s) => s.registersCallback);
    const reset = steps.findIndex((s) => s.isReset);
    expect(register).toBeGreaterThan(0);
    // The reply to the registering line is the first; n - 1 more come before the reset.
    expect(reset - register).toBe(nth);
    expect(steps[reset]).toMatchObject({ testId: 'Prospective Memory/0', endsTest: true });
    expect(steps[reset]!.message).toMatch(/^Forget my instruction/);
  });

  it('jumps the virtual clock for time waits, records the wait, and writes the temporal question from the times', () => {
    const [jokes] = make('jokes', 'Jokes', 1, { jokes_told: 3 });
    // issue 12: like GoodAI, nothing tells the time by default; `tell: timestamp` prefixes temporal lines.
    expect(schedule([jokes!], {}, 600).filter((s) => s.testId === 'Jokes/0')[0]!.message).toBe(jokes!.script[0]);
    const steps = schedule([jokes!], { clock: { tell: 'timestamp' } }, 600);
    const mine = steps.filter((s) => s.testId === 'Jokes/0');
    expect(mine).toHaveLength(4);
    // Every line of a temporal test carries the virtual time.
    for (const s of mine) expect(s.message).toMatch(/^\[2024-01-01 \d\d:\d\d:\d\d\] /);
    // Each joke's wait is recorded with its time; the clock really jumped that far before the next line.
    for (let i = 0; i < 3; i++) {
      expect(mine[i]!.waitAfter).toEqual({ tokens: expect.any(Number), time: jokes!.waits[i]!.time });
      expect(mine[i + 1]!.virtualTimeMs! - mine[i]!.virtualTimeMs!).toBeGreaterThanOrEqual(jokes!.waits[i]!.time! * 1000);
    }
    expect(steps.some((s) => (s.clockJumpS ?? 0) > 0)).toBe(true);
    const question = mine[3]!;
    expect(question.isQuestion).toBe(true);
    const told = jokes!.script.indexOf(String(jokes!.expected_responses[0]));
    const minutes = Math.floor((question.virtualTimeMs! - mine[told]!.virtualTimeMs!) / 60_000);
    const words = `${minutes >= 60 ? `${Math.floor(minutes / 60)} hours ` : ''}${minutes % 60 ? `${minutes % 60} minutes ` : ''}`;
    // GoodAI's f-string: the timestamp ends in a space and another precedes `ago`.
    expect(question.message).toContain(`Which joke did I tell you about ${words} ago?`);
    // Non-temporal tests are not prefixed unless asked for.
    expect(schedule(make('colours', 'Colours')).find((s) => s.testId === 'Colours/0')!.message).not.toMatch(/^\[/);
    expect(schedule(make('colours', 'Colours'), { clock: { tell: 'timestamp_all' } })[0]!.message).toMatch(/^\[2024-01-01 09:00:00\] I am going/);
  });
});
