/** Answers the NameList question with every name given in context, first-seen order. */
import type { SimSkill } from '../skill.js';
import { matchesInOrder } from './text.js';

const QUESTION = /what have been all of the names that i have given you/i;
// Names are capitalised; the lead-in may start a sentence or not.
const STATEMENT = /\b[Mm]y name is (?:now )?([A-Z][A-Za-z'-]*)|\b[Cc]all me ([A-Z][A-Za-z'-]*)/g;

export const nameListSkill: SimSkill = {
  name: 'name_list',
  answer(question, context) {
    if (!QUESTION.test(question)) return undefined;
    const names: string[] = [];
    for (const m of matchesInOrder(context, STATEMENT)) {
      const name = m[1] ?? m[2];
      if (name && !names.includes(name)) names.push(name);
    }
    return JSON.stringify(names);
  },
};
