/**
 * Referee's Restaurant script against GoodAI's published v3 runs: fed the replies the agents gave
 * and the answers GoodAI's LLM gave (each `CALLS an LLM. Response:` of the full log), it writes the
 * waiter's lines GoodAI's runner wrote, Random("Restaurant - <id>")'s picks included, and ends where
 * GoodAI's test ended.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { restaurantGenerator } from '../../src/datasets/generators/restaurant.js';
import type { TestDefinition } from '../../src/datasets/types.js';
import { readJson, ROOT } from '../helpers.js';

const RESULTS = join(ROOT, 'test/fixtures/goodai-published/Benchmark 3 - 32k/results');
const RESET = "Let's not pretend to be at a restaurant anymore. Please also forget everything about it.";
const body = (entry: string) => entry.slice(entry.indexOf('): ') + 3);

/** One Restaurant test out of a published full log: its messages, each with the reply, and its LLM answers in order. */
function published(log: string[], uniqueId: string): { turns: { message: string; reply: string }[]; answers: string[] } {
  const begin = log.findIndex((l) => l.endsWith(`Test '${uniqueId}' BEGINS`));
  const end = log.findIndex((l) => l.endsWith(`Test '${uniqueId}' ENDS`));
  const turns: { message: string; reply: string }[] = [];
  const answers: string[] = [];
  for (let i = begin + 1; i < end; i++) {
    const entry = log[i]!;
    if (entry.startsWith('Test (')) {
      const message = body(entry);
      // The test's own lines: its setup, the waiter's and its reset; other tests' lines are theirs.
      if (message.startsWith('When I talk to you as the waiter') || message.startsWith('Waiter: ') || message === RESET) turns.push({ message, reply: body(log[i + 1]!) });
    }
    if (entry.includes(`Test '${uniqueId}' CALLS an LLM. Response:\n`)) answers.push(entry.slice(entry.indexOf('Response:\n') + 'Response:\n'.length));
  }
  return { turns, answers };
}

/** The full logs of an agent's results that hold the whole of `Restaurant - <id>`, BEGINS to ENDS. */
function wholeLog(agent: string, uniqueId: string): string[] | undefined {
  for (const folder of readdirSync(join(RESULTS, agent), { withFileTypes: true }).filter((e) => e.isDirectory())) {
    for (const file of readdirSync(join(RESULTS, agent, folder.name))) {
      const log = readJson<{ full_log?: string[] }>(join(RESULTS, agent, folder.name, file)).full_log ?? [];
      if (log.some((l) => l.endsWith(`Test '${uniqueId}' BEGINS`)) && log.some((l) => l.endsWith(`Test '${uniqueId}' ENDS`))) return log;
    }
  }
  return undefined;
}

const cases = readdirSync(RESULTS, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .flatMap((agent) => [0, 1, 2].map((id) => [agent.name, id, wholeLog(agent.name, `Restaurant - ${id}`)] as const))
  .filter((c): c is readonly [string, number, string[]] => c[2] !== undefined);

describe("Restaurant against GoodAI's published runs", () => {
  it('the published logs hold whole Restaurant tests of both agents', () => {
    expect(cases.map(([agent, id]) => `${agent.split(' ')[0]} ${id}`)).toEqual(expect.arrayContaining(['LLMChatSession 0', 'LTMAgentWrapper 0']));
  });

  it.each(cases)('%s, Restaurant - %i', async (_agent, id, log) => {
    const { turns, answers } = published(log, `Restaurant - ${id}`);
    expect(turns.at(-1)?.message).toBe(RESET);
    const def = { ...restaurantGenerator.generate({ seed: 0, examples: 1, args: {} })[0]!, testId: `Restaurant/${id}`, dataset: 'restaurant', exampleId: String(id) } as TestDefinition;
    const script = restaurantGenerator.dynamicScript(def);
    let asked = 0;
    const sent: string[] = [];
    for (const turn of turns.slice(0, -1)) {
      const action = script.actions.filter((a) => a.kind === 'send')[sent.length];
      expect(action, `after ${sent.length} messages`).toBeDefined();
      sent.push(action!.kind === 'send' ? action!.message : '');
      await script.afterReply(turn.reply, async () => answers[asked++]!);
    }
    // Every waiter line as GoodAI wrote it, no line more, and every LLM answer read.
    expect(sent).toEqual(turns.slice(0, -1).map((t) => t.message));
    expect(script.actions.filter((a) => a.kind === 'send')).toHaveLength(sent.length);
    expect(asked).toBe(answers.length);
  });
});
