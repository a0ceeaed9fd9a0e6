/** The simulated model's repertoire, tried in order; the first that recognises the question answers. */
import type { ChatMessage } from '../../types.js';
import type { SimSkill } from '../skill.js';
import { coloursSkill } from './colours.js';
import { fillerSkill } from './filler.js';
import { judgeSkill } from './judge.js';
import { nameListSkill } from './name_list.js';
import { dinerSkill } from './restaurant.js';
import { shoppingSkill } from './shopping.js';
import { applyProspectiveMemory, jokesSkill, locationsDirectionsSkill, sallyAnneSkill, spyMeetingSkill, triggerResponseSkill } from './v3.js';
import { tasksSkill } from './tasks.js';

export const simSkills: SimSkill[] = [
  // A judge prompt quotes questions other skills would answer: it goes first.
  judgeSkill,
  // Restaurant: the sim answers the waiter as the diner.
  dinerSkill,
  coloursSkill,
  nameListSkill,
  shoppingSkill,
  // issue 7: the rest of the v3 suite
  sallyAnneSkill,
  spyMeetingSkill,
  jokesSkill,
  locationsDirectionsSkill,
  triggerResponseSkill,
  // issue 8: single-turn tasks
  tasksSkill,
  fillerSkill,
];

/** What the sim says to a statement it has no skill for, like a model acknowledging a fact. */
export function fallbackReply(_question: string): string {
  return 'Okay, noted.';
}

/** The first skill's answer, else the fallback: the whole sim reply in one call. */
export function answerWithSkills(question: string, context: readonly ChatMessage[]): string {
  let reply: string | undefined;
  for (const skill of simSkills) {
    reply = skill.answer(question, context);
    if (reply !== undefined) break;
  }
  // Prospective memory changes whatever the reply is (issue 7).
  return applyProspectiveMemory(reply ?? fallbackReply(question), context);
}
