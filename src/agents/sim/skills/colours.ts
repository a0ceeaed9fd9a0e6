/** Answers "What is my favourite colour?" with the latest colour stated in context. */
import type { SimSkill } from '../skill.js';
import { matchesInOrder } from './text.js';

const QUESTION = /what is my favou?rite colou?r/i;
const STATEMENT = /\bmy favou?rite colou?r is (?:now )?([a-z]+)|\b([a-z]+) is my favou?rite colou?r\b/gi;

export const coloursSkill: SimSkill = {
  name: 'colours',
  answer(question, context) {
    if (!QUESTION.test(question)) return undefined;
    const colours = matchesInOrder(context, STATEMENT).map((m) => (m[1] ?? m[2] ?? '').toLowerCase());
    const latest = colours[colours.length - 1];
    return latest ? `Your favourite colour is ${latest}.` : "I don't know what your favourite colour is.";
  },
};
