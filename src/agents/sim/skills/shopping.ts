/** Answers the Shopping question by replaying the adds and removes seen in context. */
import type { SimSkill } from '../skill.js';
import { matchesInOrder } from './text.js';

const QUESTION = /what is on my current shopping list/i;
const CHANGE = /\b(add|remove) (\d+) ([a-z]+) (?:to|from) my shopping list/gi;

/** "apples" and "apple" are one item; the generated items all pluralise with `s`. */
function singular(word: string): string {
  const w = word.toLowerCase();
  return w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : w;
}

export const shoppingSkill: SimSkill = {
  name: 'shopping',
  answer(question, context) {
    if (!QUESTION.test(question)) return undefined;
    const cart = new Map<string, number>();
    for (const [, verb, count, word] of matchesInOrder(context, CHANGE)) {
      const item = singular(word ?? '');
      const delta = Number(count) * (verb?.toLowerCase() === 'add' ? 1 : -1);
      const quantity = (cart.get(item) ?? 0) + delta;
      // Removing what was never seen (its add fell out of context) cannot go below zero.
      if (quantity > 0) cart.set(item, quantity);
      else cart.delete(item);
    }
    return JSON.stringify([...cart].map(([item, quantity]) => ({ item, quantity })));
  },
};
