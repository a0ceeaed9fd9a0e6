/**
 * issue 12: Referee's plan against GoodAI's own runner. test/fixtures/goodai/plan-8k
 * holds definitions and a config written for this project in GoodAI's shapes, and
 * goodai-run.json: what GoodAI's runner/scheduler.py sent for them (run by hand in
 * a virtualenv, see the fixture's comment) with an agent answering every test line "OK".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDatasetConfig } from '../../src/config/load.js';
import { loadDataset } from '../../src/datasets/load.js';
import type { TestDefinition } from '../../src/datasets/types.js';
import { runScheduleOptions } from '../../src/runner/run-schedule.js';
import { buildSchedule, type ScheduleStep } from '../../src/runner/scheduler.js';
import { ROOT } from '../helpers.js';

const FIXTURE = join(ROOT, 'test/fixtures/goodai/plan-8k');
const goodai = JSON.parse(readFileSync(join(FIXTURE, 'goodai-run.json'), 'utf8')) as {
  filler_messages: number;
  llm_calls: number;
  total_tokens: number;
  test_messages: [string, string][];
};

/**
 * GoodAI's reset messages, word for word (its datasets/*.py): the plan is tested
 * on its own here; the dataset registry's reset messages are the generators' part.
 */
const GOODAI_RESET: Record<string, string> = {
  name_list: 'Forget, or otherwise disregard, all of the names I have given you before this message. You do not currrently know my name.',
  shopping: 'I have bought all of the items on the list. Please remove all of the items on the current shopping list.',
  locations_directions: 'Forget, or otherwise disregard, all of the locations that I have told you about before this message.',
  prospective_memory: 'Forget my instruction to append a quote to one of your replies.',
  trigger_response: 'Cancel any instructions as to what sentence you should say whenever I do something in particular.',
};

async function plan(): Promise<{ steps: ScheduleStep[]; definitions: TestDefinition[] }> {
  const config = loadDatasetConfig(join(FIXTURE, 'definitions/config.yml'));
  const { definitions } = await loadDataset(FIXTURE);
  const o = runScheduleOptions(config, { concurrency: 1, maxMessageSize: 4096 });
  // GoodAI tells the agent no time and its "OK" agent answers at once.
  const schedule = buildSchedule(definitions, { ...o, resetMessage: (d) => GOODAI_RESET[d.dataset], clock: { ...o.clock!, prefix: 'none', stepS: 0 } }, (s) => s.expected ?? 'OK');
  return { steps: schedule.lanes[0]!, definitions };
}

describe('GoodAI parity of the plan (issue 12)', () => {
  it('sends the same test messages in the same order as GoodAI\'s runner', async () => {
    const { steps } = await plan();
    const mine = steps.filter((s) => s.kind === 'test').map((s) => [s.testId.replace('/', ' - '), s.message]);
    expect(mine).toHaveLength(79);
    expect(mine).toEqual(goodai.test_messages);
  });

  it('sends filler as GoodAI does: one pre-filled trivia message per call, within 5% of GoodAI\'s count', async () => {
    const { steps } = await plan();
    const filler = steps.filter((s) => s.kind === 'filler' && !s.isIntro);
    expect(goodai.filler_messages).toBe(40);
    expect(Math.abs(filler.length - goodai.filler_messages) / goodai.filler_messages).toBeLessThanOrEqual(0.05);
    // Every filler message here is pre-filled (no callback was watching), so LLM calls = intro + test messages, as GoodAI's 80.
    expect(filler.every((s) => s.expected !== undefined && s.message.startsWith('Here are some trivia questions and answers for you to process.'))).toBe(true);
    expect(steps.length - filler.length).toBe(goodai.llm_calls);
    // One message per gap, as large as the gap (up to the max message size), not many small ones.
    expect(Math.max(...filler.map((s) => s.tokens))).toBeGreaterThan(500);
    expect(Math.max(...filler.map((s) => s.tokens))).toBeLessThanOrEqual(4096 + 40);
  });

  it('measures the same traffic as GoodAI (cl100k, messages and replies), within one filler message', async () => {
    const { steps } = await plan();
    const last = steps.at(-1)!;
    const total = last.laneTokensBefore + last.tokens + 1; // + the "OK" reply
    expect(Math.abs(total - goodai.total_tokens)).toBeLessThan(100);
  });

  it('subtracts the previous reply from a token wait, as GoodAI does', async () => {
    const { definitions } = await plan();
    const config = loadDatasetConfig(join(FIXTURE, 'definitions/config.yml'));
    const colours = definitions.filter((d) => d.dataset === 'colours').slice(0, 1);
    const o = { ...runScheduleOptions(config, { concurrency: 1 }), intro: undefined };
    const replyTokens = (reply: string) => {
      const steps = buildSchedule(colours, o, (s) => s.expected ?? reply).lanes[0]!;
      return steps.find((s) => s.waitAfter)!.waitAfter!.tokens;
    };
    const verbose = 'Noted, my favourite colour is now recorded and I will remember it for later questions.';
    // The first wait is 37.5% of 8000 tokens less the first line and its reply: a longer reply waits less by its own length.
    expect(replyTokens('OK') - replyTokens(verbose)).toBe(o.countTokens(verbose) * 2 - o.countTokens('OK') * 2);
  });
});

describe('GoodAI parity of isolated mode (issue 12)', () => {
  const isolated = JSON.parse(readFileSync(join(FIXTURE, 'goodai-run-isolated.json'), 'utf8')) as typeof goodai;

  it('runs each test alone, in GoodAI\'s order, in a conversation of its own, with filler only while a callback watches', async () => {
    const config = loadDatasetConfig(join(FIXTURE, 'definitions/config.yml'));
    const { definitions } = await loadDataset(FIXTURE);
    const o = runScheduleOptions({ ...config, config: { ...config.config, isolated: true } }, { concurrency: 1 });
    const steps = buildSchedule(definitions, { ...o, resetMessage: (d) => GOODAI_RESET[d.dataset], clock: { ...o.clock!, prefix: 'none', stepS: 0 } }, (s) => s.expected ?? 'OK').lanes[0]!;
    const tests = steps.filter((s) => s.kind === 'test');
    expect(tests.map((s) => [s.testId.replace('/', ' - '), s.message])).toEqual(isolated.test_messages);
    // No introduction, and no filler but GoodAI's 100-token portions for the two prospective memory callbacks, sent for real.
    const filler = steps.filter((s) => s.kind === 'filler');
    expect(filler.some((s) => s.isIntro)).toBe(false);
    // Each 100-token portion is one trivia message, or two when the first falls short: which depends on the trivia drawn.
    expect(isolated.filler_messages).toBe(6);
    expect(Math.abs(filler.length - isolated.filler_messages)).toBeLessThanOrEqual(2);
    expect(filler.every((s) => s.expected === undefined)).toBe(true);
    expect(steps.length - filler.length).toBe(isolated.llm_calls - isolated.filler_messages);
    // A new conversation starts at every test but the first, never inside one.
    const starts = steps.filter((s) => s.newConversation).map((s) => s.testId);
    expect(starts).toEqual(steps.filter((s) => s.beginsTest).slice(1).map((s) => s.testId));
  });
});
