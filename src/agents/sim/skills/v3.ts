/**
 * The simulated model's skills for the rest of GoodAI's v3 suite (issue 7).
 * Like the others, each reads only the messages it was sent: a fact that fell
 * out of the context window is a fact the sim does not know. Retrieved
 * memories arrive as `[memory N] user: ...` lines, so patterns are not
 * anchored to the start of a line.
 */
import { tomBeliefs, type TomEvent } from '../../../datasets/generators/sallyanne.js';
import { porterStem } from '../../../scoring/porter.js';
import type { ChatMessage } from '../../types.js';
import type { SimSkill } from '../skill.js';

/** Every line of the context, in order. */
function contextLines(context: readonly ChatMessage[]): string[] {
  return context.flatMap((m) => m.content.split(/\r?\n/));
}

// ---- SallyAnne -------------------------------------------------------------

const TV = /\(On TV\) (.+?)\s*$/;
const TOM: ReadonlyArray<[RegExp, (m: RegExpExecArray) => TomEvent]> = [
  [/^(\w+) entered the (\w+)\.$/, (m) => ({ kind: 'enter', agent: m[1]!, room: m[2]! })],
  [/^(\w+) exited the (\w+)\.$/, (m) => ({ kind: 'exit', agent: m[1]!, room: m[2]! })],
  [/^The (\w+) (?:is|are) in the (\w+)\.$/, (m) => ({ kind: 'place', object: m[1]!, container: m[2]! })],
  [/^(\w+) moved the (\w+) to the (\w+)\.$/, (m) => ({ kind: 'move', agent: m[1]!, object: m[2]!, container: m[3]! })],
];

export const sallyAnneSkill: SimSkill = {
  name: 'sallyanne',
  answer(question, context) {
    const first = /Where will (\w+) look for the (\w+)\?/.exec(question);
    const second = /Where does (\w+) think that (\w+) searches for the (\w+)\?/.exec(question);
    const real = /Where (?:is|are) the (\w+) really\?/.exec(question);
    const initial = /Where (?:was|were) the (\w+) at the beginning\?/.exec(question);
    if (!first && !second && !real && !initial) return undefined;
    const events: TomEvent[] = [];
    for (const line of contextLines(context)) {
      const sentence = TV.exec(line)?.[1];
      if (!sentence) continue;
      for (const [pattern, build] of TOM) {
        const m = pattern.exec(sentence);
        if (m) {
          events.push(build(m));
          break;
        }
      }
    }
    const b = tomBeliefs(events);
    const answer = first
      ? b.first.get(first[1]!)?.get(first[2]!)
      : second
        ? b.second.get(`${second[1]}|${second[2]}`)?.get(second[3]!)
        : real
          ? b.location.get(real[1]!)
          : b.initial.get(initial![1]!);
    return JSON.stringify({ answer: answer ?? 'unknown' });
  },
};

// ---- Trigger response ------------------------------------------------------

const RULE = /Whenever I (.+?) then say: '(.+)'\s*$/;
const TRIGGER_RESET = /Cancel any instructions as to what sentence you should say/i;
// Words that carry no meaning of their own in a rule or a trigger.
const FUNCTION_WORDS = new Set(
  "i me my you your am is are was the a an to for of with that this say says write ask express instead please some pretty very what do don't dont not in on at it and or then whenever message today now right honestly think did we will when there be".split(' '),
);

/** The meaningful words of a text, stemmed, so "feeling ill" and "I don't feel well" share "feel". */
function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[a-z']+/g) ?? []).filter((w) => !FUNCTION_WORDS.has(w)).map((w) => porterStem(w.replace(/'/g, '')));
}

/** The entities Python's `html.escape` writes, read back. */
function unescapeHtml(text: string): string {
  return text.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Same word, or one a longer spelling of the other ("achoo", "achooo"). */
const sameWord = (a: string, b: string): boolean => a === b || (Math.min(a.length, b.length) >= 4 && (a.startsWith(b) || b.startsWith(a)));

/**
 * Says a rule's sentence when a message is its trigger, whatever the rule's
 * wording (issue 12: GoodAI's rules describe the trigger, "Whenever I say
 * that I am tired or sleepy", where Referee's quote it): the rule sharing
 * the most meaningful words with the message, at least a quarter of them.
 */
export const triggerResponseSkill: SimSkill = {
  name: 'trigger_response',
  answer(question, context) {
    if (/Whenever I /.test(question)) return undefined;
    let rules: { words: string[]; response: string }[] = [];
    for (const line of contextLines(context.slice(0, -1))) {
      if (TRIGGER_RESET.test(line)) rules = [];
      // GoodAI's rule lines come out of pystache HTML-escaped ("It&#x27;s Party time!"); a model reads the apostrophe.
      const m = RULE.exec(unescapeHtml(line));
      if (m) rules.push({ words: contentWords(m[1]!), response: m[2]! });
    }
    const said = contentWords(question);
    let best: { response: string; shared: number } | undefined;
    for (const rule of rules) {
      const shared = said.filter((w) => rule.words.some((r) => sameWord(w, r))).length;
      if (shared > 0 && shared * 4 >= said.length && (!best || shared >= best.shared)) best = { response: rule.response, shared };
    }
    return best ? `${best.response}.` : undefined;
  },
};

// ---- Spy meeting -----------------------------------------------------------

type SpyTopic = 'place' | 'time' | 'thing';
/**
 * Decoding a clandestine message is the model's general knowledge, like
 * trivia: what each kind of riddle means, not a copy of any code book, so
 * Referee's and GoodAI's phrasings both decode (issue 12).
 */
const DECODE: ReadonlyArray<[RegExp, SpyTopic, string]> = [
  [/land meets the sea|\bcoast|\bshore/i, 'place', 'shore'],
  [/\btrains?\b/i, 'place', 'depot'],
  [/cars are made|\bfactory/i, 'place', 'factory'],
  [/apples grow/i, 'place', 'orchard'],
  [/\bcargo\b|ships unload/i, 'place', 'docks'],
  [/bread is baked/i, 'place', 'bakery'],
  [/sun starts|blackbirds sing/i, 'time', 'dawn'],
  [/sun is (?:high|at its highest)/i, 'time', 'noon'],
  [/sun leaves the sky/i, 'time', 'sunset'],
  [/moon is (?:high|at its highest)/i, 'time', 'midnight'],
  [/across a river/i, 'thing', 'boat'],
  [/open locked doors/i, 'thing', 'lockpicks'],
  [/border guards/i, 'thing', 'passport'],
  [/escape quickly over land/i, 'thing', 'motorbike'],
  [/see in the dark/i, 'thing', 'torch'],
];
const SPY_LINE = /\b(?:meet|meeting|rendezvous|[Bb]ring)\b/;

export const spyMeetingSkill: SimSkill = {
  name: 'spy_meeting',
  answer(question, context) {
    if (!/when and where a meeting is going to happen/i.test(question)) return undefined;
    const latest: Partial<Record<SpyTopic, string>> = {};
    for (const line of contextLines(context.slice(0, -1))) {
      if (!SPY_LINE.test(line)) continue;
      const hit = DECODE.find(([pattern]) => pattern.test(line));
      if (hit) latest[hit[1]] = hit[2];
    }
    const parts = [
      latest.place ? `at the ${latest.place}` : undefined,
      latest.time ? `at ${latest.time}` : undefined,
      latest.thing ? `and you should bring a ${latest.thing}` : undefined,
    ].filter(Boolean);
    return parts.length ? `The meeting is ${parts.join(', ')}.` : "I don't know of any meeting.";
  },
};

// ---- Jokes (temporal) --------------------------------------------------------

const STAMP = /\[(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\]\s*(.+?)\s*$/;
const ASK_JOKE = /which joke did i tell you about (?:(\d+) hours? ?)?(?:(\d+) minutes? ?)? *ago/i;

function stampMs(m: RegExpExecArray): number {
  return Date.parse(`${m[1]}T${m[2]}Z`);
}

export const jokesSkill: SimSkill = {
  name: 'jokes',
  answer(question, context) {
    const ask = ASK_JOKE.exec(question);
    if (!ask) return undefined;
    const nowMatch = STAMP.exec(question.split(/\r?\n/)[0] ?? '');
    if (!nowMatch) return "I can't tell when you told me anything.";
    const target = stampMs(nowMatch) - (Number(ask[1] ?? 0) * 60 + Number(ask[2] ?? 0)) * 60_000;
    let best: { text: string; distance: number } | undefined;
    for (const line of contextLines(context.slice(0, -1))) {
      const m = STAMP.exec(line);
      if (!m || m[3]!.endsWith('?') || /trivia questions/i.test(m[3]!)) continue;
      const distance = Math.abs(stampMs(m) - target);
      if (!best || distance <= best.distance) best = { text: m[3]!.replace(/^Joke: /, ''), distance };
    }
    return best ? `You told me this joke: ${best.text}` : "I don't remember you telling me any joke.";
  },
};

// ---- Locations directions ----------------------------------------------------

// "Statue of Founder" (GoodAI, issue 12): a lower-case "of" may join the words.
const PLACE = String.raw`\b([A-Z][A-Za-z]*(?: (?:of )?[A-Z][A-Za-z]*){0,2})`;
const LOCATION_STATEMENTS: ReadonlyArray<[RegExp, (m: RegExpExecArray) => { place: string; other: string; dir: string; km: number }]> = [
  [new RegExp(`${PLACE} is a location in my home town, it is (\\d+) KM, (\\w+) from ${PLACE}\\.`), (m) => ({ place: m[1]!, km: Number(m[2]), dir: m[3]!, other: m[4]! })],
  [new RegExp(`I visited ${PLACE}, which is (\\d+) KM, (\\w+) from ${PLACE}\\.`), (m) => ({ place: m[1]!, km: Number(m[2]), dir: m[3]!, other: m[4]! })],
  // GoodAI writes this one without a full stop (issue 12).
  [new RegExp(`About (\\d+) km (\\w+) of the ${PLACE} there is a ${PLACE}\\.?`), (m) => ({ km: Number(m[1]), dir: m[2]!, other: m[3]!, place: m[4]! })],
  [new RegExp(`And finally there is ${PLACE} which is (\\w+) from ${PLACE} and (\\d+) KM from it\\.`), (m) => ({ place: m[1]!, dir: m[2]!, other: m[3]!, km: Number(m[4]) })],
];
const LOCATIONS_RESET = /disregard, all of the locations/i;

export const locationsDirectionsSkill: SimSkill = {
  name: 'locations_directions',
  answer(question, context) {
    const ask = new RegExp(`how would I travel from ${PLACE} to ${PLACE} following`).exec(question);
    if (!ask) return undefined;
    let defs = new Map<string, { other: string; dir: string; km: number }>();
    for (const line of contextLines(context.slice(0, -1))) {
      if (LOCATIONS_RESET.test(line)) defs = new Map();
      for (const [pattern, read] of LOCATION_STATEMENTS) {
        const m = pattern.exec(line);
        if (m) {
          const d = read(m);
          defs.set(d.place, { other: d.other, dir: d.dir, km: d.km });
          break;
        }
      }
    }
    const [origin, destination] = [ask[1]!, ask[2]!];
    const route: string[] = [];
    let at = destination;
    while (at !== origin && route.length < 20) {
      const d = defs.get(at);
      if (!d) return `I don't know how to get from ${origin} to ${destination}.`;
      route.unshift(`From ${d.other}, go ${d.km}km ${d.dir} to ${at}.`);
      at = d.other;
    }
    return at === origin ? route.join('\n') : `I don't know how to get from ${origin} to ${destination}.`;
  },
};

// ---- Prospective memory (changes any reply) -----------------------------------

const APPEND = /please append the quote from (.+?), to your (\d+)(?:st|nd|rd|th) response/i;
const PROSPECTIVE_RESET = /Forget my instruction to append a quote/i;

/**
 * Appends a quote when the context shows it was asked for in this reply.
 * Counting replies needs the request and every reply since in the window,
 * so only a verbatim history can do it, as for a real model.
 */
export function applyProspectiveMemory(reply: string, context: readonly ChatMessage[]): string {
  let request: { author: string; nth: number; index: number } | undefined;
  context.forEach((m, index) => {
    if (m.role !== 'user') return;
    if (PROSPECTIVE_RESET.test(m.content)) request = undefined;
    const a = APPEND.exec(m.content);
    if (a) request = { author: a[1]!, nth: Number(a[2]), index };
  });
  if (!request) return reply;
  const repliesSince = context.slice(request.index + 1).filter((m) => m.role === 'assistant').length;
  if (repliesSince + 1 !== request.nth) return reply;
  // Python's repr() quotes with ' unless the quote holds one, then with " (GoodAI's script line).
  const quoteLine = new RegExp(`(['"])(.+)\\1 - ${request.author.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  for (const line of contextLines(context)) {
    const q = quoteLine.exec(line);
    if (q) return `${reply}\n${q[2]}`;
  }
  return reply;
}
