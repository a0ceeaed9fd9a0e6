/**
 * issue 12: the simulated model answers GoodAI's own wording (the golden
 * GoodAI-shaped definitions), and still fails where the fact is not in its
 * context. Before this, it said "Okay, noted." to every GoodAI trigger.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { answerWithSkills } from '../../src/agents/sim/skills/index.js';
import type { ChatMessage } from '../../src/agents/types.js';
import { loadDataset } from '../../src/datasets/load.js';
import type { TestDefinition } from '../../src/datasets/types.js';
import type { Judge } from '../../src/scoring/judge.js';
import { getCallbackScorer, getJudgedScorer, getScorer } from '../../src/scoring/registry.js';
import { simJudge } from '../scoring/helpers.js';

const DIR = fileURLToPath(new URL('../fixtures/goodai/definitions-v3', import.meta.url));
const defs = (await loadDataset(DIR)).definitions;

/** Plays a test to the sim: every line in turn, the sim's own replies kept; `drop` lines are never sent. */
function play(def: TestDefinition, drop: (i: number) => boolean = () => false): string[] {
  const context: ChatMessage[] = [];
  const replies: string[] = [];
  def.script.forEach((line, i) => {
    if (drop(i)) return;
    context.push({ role: 'user', content: line });
    const reply = answerWithSkills(line, context);
    context.push({ role: 'assistant', content: reply });
    if (def.is_question[i]) replies.push(reply);
  });
  // Prospective memory counts the replies after its request: a few unrelated turns.
  if (def.uses_callback) {
    for (const filler of ['What is 2 + 2?', 'Name a river in Egypt.']) {
      context.push({ role: 'user', content: filler });
      const reply = answerWithSkills(filler, context);
      context.push({ role: 'assistant', content: reply });
      replies.push(reply);
    }
  }
  return replies;
}

/** The test's score; issue 25: a test GoodAI's LLM judge scores is asked of the sim's stand-in judge. */
async function score(def: TestDefinition, replies: string[]): Promise<number> {
  if (def.uses_callback) return getCallbackScorer(def.dataset)!(def, replies).score;
  const plain = getScorer(def.dataset)(def, replies);
  if (!plain.needsJudge) return plain.score;
  return (await getJudgedScorer(def.dataset)!(def, replies, simJudge(), def.script.filter((_, i) => def.is_question[i]))).score;
}

// Jokes needs the time (GoodAI tells none by default); SallyAnne and ChapterBreak have their own tests.
const ANSWERED = ['colours', 'name_list', 'shopping', 'spy_meeting', 'trigger_response', 'locations_directions', 'prospective_memory'];

describe('sim on GoodAI-worded definitions', () => {
  it.each(ANSWERED)('%s: full marks with every line in context', async (dataset) => {
    const def = defs.find((d) => d.dataset === dataset)!;
    expect(await score(def, play(def)), JSON.stringify(play(def))).toBe(1);
  });

  it.each(ANSWERED)('%s: less than full marks when the first fact never reached it', async (dataset) => {
    const def = defs.find((d) => d.dataset === dataset)!;
    // Line 0 is the first fact everywhere but Colours and Spy Meeting, whose decisive lines come later.
    const lost = dataset === 'colours' ? 2 : dataset === 'spy_meeting' ? 1 : 0;
    expect(await score(def, play(def, (i) => i === lost))).toBeLessThan(1);
  });

  it("honours GoodAI's reset messages: names and items before them are forgotten", () => {
    const context: ChatMessage[] = [
      { role: 'user', content: 'Refer to me as Oona.' },
      { role: 'user', content: 'Forget, or otherwise disregard, all of the names I have given you before this message. You do not currrently know my name.' },
      { role: 'user', content: 'Tomasz is what I am called.' },
      { role: 'user', content: 'I want to buy 2 Soap.' },
      { role: 'user', content: 'I have bought all of the items on the list. Please remove all of the items on the current shopping list.' },
      { role: 'user', content: 'I require another 1 Toilet Paper, please put it on the list.' },
    ];
    expect(answerWithSkills('What have been all of the names that I have given you? Express the answer as a JSON list.', context)).toBe('["Tomasz"]');
    expect(JSON.parse(answerWithSkills('What is on my current shopping list? Express the list as JSON.', context))).toEqual([{ item: 'toilet paper', quantity: 1 }]);
  });

  it('judges offline as GoodAI\'s judge would be asked: the sim answers the trigger and directions prompts (issue 12)', async () => {
    let calls = 0;
    const sim: Judge = {
      name: 'sim',
      ask: async (prompt) => {
        calls++;
        // issue 25: GoodAI's trigger and directions prompts are one user message.
        const user = typeof prompt === 'string' ? prompt : prompt.user;
        expect(typeof prompt === 'string' ? undefined : prompt.system).toBeUndefined();
        return answerWithSkills(user, [{ role: 'user', content: user }]);
      },
    };
    // Directions are always structured by the judge; the sim's own route reaches the destination.
    const route = defs.find((d) => d.dataset === 'locations_directions')!;
    expect((await getJudgedScorer('locations_directions')!(route, [`Sure.\n${play(route)[0]}`], sim, [])).score).toBe(1);
    expect((await getJudgedScorer('locations_directions')!(route, ['From Library, go 9km West to Park.'], sim, [])).score).toBe(0);
    expect(calls).toBe(2);
    // Trigger replies the deterministic check rejects go to the judge, which finds no sentence in them.
    const trigger = defs.find((d) => d.dataset === 'trigger_response')!;
    expect((await getJudgedScorer('trigger_response')!(trigger, ['No idea.', 'Hmm.', play(trigger)[2]!], sim, [])).score).toBeCloseTo(1 / 3, 12);
    expect(calls).toBe(4);
  });
});
