/**
 * Filler: trivia messages sent between a test's lines to use up the memory
 * span. Their replies are not scored, but asking for answers keeps the agent
 * working rather than idling through them.
 */
import { loadTrivia } from './data-files.js';
import type { TriviaItem } from './data-files.js';
import { createRng, deriveSeed } from './rng.js';
import type { FillerMessage } from './types.js';

/** The opening line of every filler message; the sim's filler skill keys on it. */
export const FILLER_INTRO = 'Here are some trivia questions for you to answer:';
export const FILLER_OUTRO = 'Give your answers as a JSON list of strings, in the same order as the questions.';

export interface FillerSource {
  /** The next filler message; the sequence is fixed by the seed. */
  next(): FillerMessage;
}

export function createFillerSource(seed: number): FillerSource {
  const rng = createRng(deriveSeed(seed, 'filler'));
  const trivia = loadTrivia();
  // Deal from a shuffled deck so no question repeats until all have been asked.
  let deck: TriviaItem[] = [];
  const draw = (): TriviaItem => {
    if (deck.length === 0) deck = rng.shuffle(trivia);
    return deck.pop() as TriviaItem;
  };
  return {
    next(): FillerMessage {
      const count = rng.int(2, 4);
      const items: TriviaItem[] = [];
      while (items.length < count) {
        const item = draw();
        // A reshuffle can hand back a question already in this message.
        if (!items.includes(item)) items.push(item);
      }
      const lines = [FILLER_INTRO, ...items.map((item, i) => `${i + 1}. ${item.q}`), FILLER_OUTRO];
      return { message: lines.join('\n'), expected: JSON.stringify(items.map((item) => item.a)) };
    },
  };
}
