/**
 * GoodAI's filler (issue 12), as its `utils/filling_task.py`
 * `filler_no_response_tokens_trivia` builds it: ONE message of trivia
 * questions with their answers, grown until it and its canned reply reach the
 * tokens still owed (at most the agent's max message size), and the canned
 * reply, the answers as a Python list, that the agent is given pre-filled.
 * The trivia are Referee's own (data/trivia.json): GoodAI's TriviaQA
 * selection is not shipped.
 */
import { loadTrivia, type TriviaItem } from '../datasets/data-files.js';
import { createRng } from '../datasets/rng.js';
import type { FillerMessage } from '../datasets/types.js';

/** GoodAI's filler header, word for word. */
export const GOODAI_FILLER_HEADER =
  'Here are some trivia questions and answers for you to process.' +
  ' Please extract all of the answers in json form as a single message: E.g ["answer 1", "answer 2", ...]\n';

/** GoodAI's `ChatSession.max_message_size` default, for agents that do not say. */
export const DEFAULT_MAX_MESSAGE_SIZE = 4096;

export interface GoodaiFillerSource {
  /** One filler message for `tokensOwed` tokens of traffic, as large as `maxMessageSize` allows. */
  next(tokensOwed: number, maxMessageSize: number): FillerMessage & { expected: string };
}

export function createGoodaiFiller(seed: number, countTokens: (text: string) => number): GoodaiFillerSource {
  const rng = createRng(seed);
  const trivia = loadTrivia();
  return {
    next(tokensOwed, maxMessageSize) {
      const target = Math.min(tokensOwed, maxMessageSize);
      let total = countTokens(GOODAI_FILLER_HEADER);
      const parts = [GOODAI_FILLER_HEADER];
      const answers: string[] = [];
      let replyTokens = 0;
      // At least one question, then until message + estimated reply reach the target (GoodAI's loop).
      while (answers.length === 0 || total + replyTokens < target) {
        const item: TriviaItem = rng.pick(trivia);
        const line = `Q: ${item.q}, A: ${item.a}\n`;
        answers.push(item.a);
        total += countTokens(line);
        replyTokens = countTokens(pythonListRepr(answers));
        parts.push(line);
      }
      return { message: parts.join(''), expected: pythonListRepr(answers) };
    },
  };
}

/** `str(list_of_str)` as Python prints it: GoodAI's canned reply is exactly that. */
export function pythonListRepr(items: readonly string[]): string {
  return `[${items.map(pythonStrRepr).join(', ')}]`;
}

function pythonStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return quote + out + quote;
}
