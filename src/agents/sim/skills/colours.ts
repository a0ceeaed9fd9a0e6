/**
 * Answers "What is my favourite colour?" with the latest colour stated in
 * context, whatever the wording (issue 12: GoodAI says "My favourite colour
 * could be described as Khaki."): in a statement about the favourite colour,
 * the colour is the word the phrase leaves over.
 */
import type { SimSkill } from '../skill.js';
import { contextStatements } from './text.js';

const QUESTION = /what is my favou?rite colou?r/i;
const ABOUT = /\bfavou?rite colou?r\b/i;
// The wording around a colour; what is left is the colour.
const FRAME = new Set(
  'my your favourite favorite colour color is was now the name of could be described as i have changed mind it its called new from on call'.split(' '),
);

/** The colour a statement names, or undefined when it names none (or is not about the colour). */
export function statedColour(sentence: string): string | undefined {
  if (!ABOUT.test(sentence)) return undefined;
  const words = sentence.toLowerCase().match(/[a-z]+/g) ?? [];
  const left = words.filter((w) => !FRAME.has(w));
  return left.length > 0 ? left[left.length - 1] : undefined;
}

export const coloursSkill: SimSkill = {
  name: 'colours',
  answer(question, context) {
    if (!QUESTION.test(question)) return undefined;
    const colours = contextStatements(context)
      .map((s) => statedColour(s))
      .filter((c): c is string => c !== undefined);
    const latest = colours[colours.length - 1];
    return latest ? `Your favourite colour is ${latest}.` : "I don't know what your favourite colour is.";
  },
};
