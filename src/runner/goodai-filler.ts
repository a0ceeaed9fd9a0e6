/**
 * GoodAI's filler (issue 12), as its `utils/filling_task.py`
 * `filler_no_response_tokens_trivia` builds it: ONE message of trivia
 * questions with their answers, grown until it and its canned reply reach the
 * tokens still owed (at most the agent's max message size), and the canned
 * reply, the answers as a Python list, that the agent is given pre-filled.
 * The trivia are GoodAI's (data/goodai_trivia.json), drawn by `rnd.choice`
 * from a port of CPython's Random seeded as GoodAI's `TestRunner.random`
 * (`Random(0)`, whatever the run's seed), so the messages are GoodAI's byte for byte.
 */
import { loadGoodaiTrivia, type TriviaItem } from '../datasets/data-files.js';
import { PyRandom } from '../datasets/py-random.js';
import type { FillerMessage } from '../datasets/types.js';

/** GoodAI's filler header, word for word. */
export const GOODAI_FILLER_HEADER =
  'Here are some trivia questions and answers for you to process.' +
  ' Please extract all of the answers in json form as a single message: E.g ["answer 1", "answer 2", ...]\n';

/** GoodAI's `ChatSession.max_message_size` default, for agents that do not say. */
export const DEFAULT_MAX_MESSAGE_SIZE = 4096;

export interface GoodaiFillerSource {
  /**
   * One filler message for `tokensOwed` tokens of traffic, as large as `maxMessageSize` allows,
   * with the tokens of the message and of its canned reply (exact counts, issue 13).
   */
  next(tokensOwed: number, maxMessageSize: number): FillerMessage & { expected: string; tokens: number; expectedTokens: number };
}

/** GoodAI's `TestRunner.random` is `Random(0)`: its filler is the same for every seed. */
export const GOODAI_FILLER_SEED = 0;

/**
 * The filler of one conversation: `seed` seeds the Random its trivia are drawn from, GoodAI's
 * `GOODAI_FILLER_SEED` for GoodAI's one conversation.
 */
export function createGoodaiFiller(seed: number, countTokens: (text: string) => number): GoodaiFillerSource {
  const rng = new PyRandom(seed);
  const trivia = loadGoodaiTrivia();
  // Issue 13: a few hundred trivia items make every line and reply piece; each is counted once.
  const count = memoized(countTokens);
  const headerTokens = countTokens(GOODAI_FILLER_HEADER);
  return {
    next(tokensOwed, maxMessageSize) {
      const target = Math.min(tokensOwed, maxMessageSize);
      // The message's count is the sum of its lines': each ends in a newline, where the tokeniser's pre-split always cuts.
      let total = headerTokens;
      const parts = [GOODAI_FILLER_HEADER];
      const answers: string[] = [];
      const reply = new ListReprTokens(count);
      // At least one question, then until message + estimated reply reach the target (GoodAI's loop).
      while (answers.length === 0 || total + reply.tokens < target) {
        const item: TriviaItem = rng.choice(trivia);
        const line = `Q: ${item.q}, A: ${item.a}\n`;
        answers.push(item.a);
        total += count(line);
        reply.push(item.a);
        parts.push(line);
      }
      return { message: parts.join(''), expected: pythonListRepr(answers), tokens: total, expectedTokens: reply.tokens };
    },
  };
}

function memoized(countTokens: (text: string) => number): (text: string) => number {
  const counts = new Map<string, number>();
  return (text) => {
    let n = counts.get(text);
    if (n === undefined) {
      n = countTokens(text);
      // Bounded all the same: a custom trivia file could be large.
      if (counts.size >= 10_000) counts.clear();
      counts.set(text, n);
    }
    return n;
  };
}

/**
 * The tokens of `pythonListRepr(items)` as items are appended, without
 * counting the whole list again each time (issue 13: GoodAI's loop recounts
 * it per item, which made filler half of a run's allocations). Exact, not an
 * estimate: in `['a', 'b']` the tokeniser's pre-split (cl100k's and o200k's
 * patterns alike) always ends a piece at a separator's comma, since a space
 * follows it, and the pattern has no look-behind; so the count is the sum of
 * the counts of `['a',`, ` 'b',` … and the last item closed by `]`.
 */
export class ListReprTokens {
  private closed = 0;
  private last: string | undefined;
  tokens: number;

  constructor(private readonly countTokens: (text: string) => number) {
    this.tokens = countTokens('[]');
  }

  push(item: string): void {
    const opening = this.last === undefined ? '[' : ' ';
    if (this.last !== undefined) this.closed += this.countTokens(`${this.last},`);
    this.last = opening + pythonStrRepr(item);
    this.tokens = this.closed + this.countTokens(`${this.last}]`);
  }
}

/** `str(list_of_str)` as Python prints it: GoodAI's canned reply is exactly that. */
export function pythonListRepr(items: readonly string[]): string {
  return `[${items.map(pythonStrRepr).join(', ')}]`;
}

function pythonStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  if (!/[\\'"\p{C}]|(?! )\p{Z}/u.test(s)) return quote + s + quote;
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NOT_PRINTABLE.test(ch)) out += pythonEscape(ch.codePointAt(0)!);
    else out += ch;
  }
  return quote + out + quote;
}

/**
 * What Python's `str.isprintable()` refuses (categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs but the
 * space): `repr` writes those as escapes, as GoodAI's trivia answers hold a few (a soft hyphen, a
 * no-break space, a private-use character).
 */
const NOT_PRINTABLE = /^[\p{C}\p{Z}]$/u;

function pythonEscape(cp: number): string {
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}
