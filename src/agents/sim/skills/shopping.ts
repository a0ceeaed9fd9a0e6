/**
 * Answers the Shopping question by replaying the adds and removes seen in
 * context, whatever the wording: Referee's ("Please add 2 apples to my
 * shopping list.") and GoodAI's ("I want to buy another 1 Soap.", "I require
 * 2 Leek, please put it on the list.", "Remove 1 Leek.", issue 12). GoodAI's
 * "I have bought all of the items" message empties the list.
 */
import type { SimSkill } from '../skill.js';
import { contextStatements } from './text.js';

const QUESTION = /what is on my current shopping list/i;
const ADD = /\b(?:add|require|want to buy|buy|put)\b/i;
const REMOVE = /\bremove\b/i;
// "(another) <n> <item words>" up to the list phrase, a comma or the end.
const AMOUNT = /\b(?:another )?(\d+) ([A-Za-z][A-Za-z ]*?)(?= (?:to|from|on) (?:my|the)\b|,|\.|$)/;
const RESET = /bought all of the items on the list|remove all of the items/i;

/** "apples" and "apple" are one item; the generated items all pluralise with `s`. */
function singular(words: string): string {
  const w = words.toLowerCase().trim();
  return w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w;
}

export const shoppingSkill: SimSkill = {
  name: 'shopping',
  answer(question, context) {
    if (!QUESTION.test(question)) return undefined;
    const cart = new Map<string, number>();
    for (const sentence of contextStatements(context)) {
      if (RESET.test(sentence)) {
        cart.clear();
        continue;
      }
      const sign = REMOVE.test(sentence) ? -1 : ADD.test(sentence) ? 1 : 0;
      const m = sign === 0 ? null : AMOUNT.exec(sentence);
      if (!m) continue;
      const item = singular(m[2]!);
      const quantity = (cart.get(item) ?? 0) + sign * Number(m[1]);
      // Removing what was never seen (its add fell out of context) cannot go below zero.
      if (quantity > 0) cart.set(item, quantity);
      else cart.delete(item);
    }
    return JSON.stringify([...cart].map(([item, quantity]) => ({ item, quantity })));
  },
};
