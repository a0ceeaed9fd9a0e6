/**
 * Answers the NameList question with every name given in context since the
 * last "forget the names" message, first-seen order. Reads Referee's and
 * GoodAI's wordings ("Refer to me as X.", "X is what I am called.", issue 12).
 */
import type { SimSkill } from '../skill.js';
import { contextStatements } from './text.js';

const QUESTION = /what have been all of the names that i have given you/i;
const NAME = "([A-Z][A-Za-z'-]*)";
const STATEMENTS: readonly RegExp[] = [
  new RegExp(`\\b[Mm]y name (?:is|has changed to)(?: now)? ${NAME}`, 'g'),
  new RegExp(`\\b(?:[Cc]all me|[Rr]efer to me as|calling me by my name which is) ${NAME}`, 'g'),
  new RegExp(`\\b${NAME} is (?:my name|what I am called)\\b`, 'g'),
];
// GoodAI's NameList reset message: the names before it no longer count.
const RESET = /disregard, all of the names I have given you/i;

export const nameListSkill: SimSkill = {
  name: 'name_list',
  answer(question, context) {
    if (!QUESTION.test(question)) return undefined;
    let names: string[] = [];
    for (const sentence of contextStatements(context)) {
      if (RESET.test(sentence)) names = [];
      const found = STATEMENTS.flatMap((p) => [...sentence.matchAll(p)]).sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
      for (const m of found) if (m[1] && !names.includes(m[1])) names.push(m[1]);
    }
    return JSON.stringify(names);
  },
};
