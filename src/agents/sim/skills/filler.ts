/**
 * Answers filler trivia. A real model knows trivia without being told, so
 * the sim may look answers up in data/trivia.json; unlike the test skills,
 * it needs nothing from the conversation.
 */
import { loadTrivia } from '../../../datasets/data-files.js';
import type { SimSkill } from '../skill.js';

const INTRO = /here are some trivia questions/i;
const NUMBERED = /^\s*\d+\.\s+(.+?)\s*$/;

let answers: Map<string, string> | undefined;
function triviaAnswers(): Map<string, string> {
  answers ??= new Map(loadTrivia().map((t) => [t.q, t.a]));
  return answers;
}

export const fillerSkill: SimSkill = {
  name: 'filler',
  answer(question) {
    if (!INTRO.test(question)) return undefined;
    const known = triviaAnswers();
    const replies = question
      .split(/\r?\n/)
      .map((line) => NUMBERED.exec(line)?.[1])
      .filter((q): q is string => q !== undefined)
      .map((q) => known.get(q) ?? "I don't know");
    return JSON.stringify(replies);
  },
};
