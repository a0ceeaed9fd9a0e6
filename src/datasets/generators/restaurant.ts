/**
 * GoodAI's Restaurant (its `datasets/restaurant.py`, MIT): a dynamic test. The test speaks as the
 * waiter ("Waiter: ..."), the agent answers as the diner, and GoodAI's LLM calls read the replies:
 * what was ordered (as JSON against the menu), whether the agent plays its role, notices a dish it
 * did not order, and recalls its drink. Each sub-challenge is a point out of 5; a failed one
 * (`RestaurantOrderFailed`) ends the test with the score so far.
 *
 * The control flow is GoodAI's generator, ported as a generator: a send yields the message and
 * gets the reply back, a judge call yields the prompt and gets the judge's reply back, so the
 * order of messages, judge calls and `Random("Restaurant - <id>")` draws is GoodAI's.
 */
import { readFileSync } from 'node:fs';
import { DatasetError } from '../../errors.js';
import type { JudgeMessages } from '../../scoring/judge.js';
import { pyErrorRepr, pyStrRepr, pyTruthy, sanitizeAndParseJson, type PyValue } from '../../scoring/py-json.js';
import type { AskLlm, DynamicAction, DynamicDatasetGenerator, DynamicScript, DynamicVerdict } from '../dynamic-script.js';
import { PyRandom } from '../py-random.js';
import type { TestDefinition, TestDefinitionFile, Wait } from '../types.js';
import {
  DRINK_RECALL_SYSTEM_PROMPT,
  DRINK_RECALL_USER_PROMPT,
  EXTRACT_ITEMS_PROMPT,
  NOTICE_MISHAP_PROMPT,
  pyFormat,
  ROLE_EVAL_PROMPT,
} from './restaurant-prompts.js';
import { packagePath } from '../../package-path.js';

/** GoodAI's `RestaurantDataset.reset_message`. */
export const RESTAURANT_RESET = "Let's not pretend to be at a restaurant anymore. Please also forget everything about it.";
export const RESTAURANT_MAX_SCORE = 5;
/** GoodAI's model names; the run's one judge answers both. */
export const GPT_4_TURBO_BEST = 'gpt-4-turbo';
export const GPT_CHEAPEST = 'gpt-3.5-turbo';
/** The one line a run without a judge prints for Restaurant. */
export const RESTAURANT_NEEDS_JUDGE =
  'restaurant skipped: it needs a judge model during the run (GoodAI\'s LLM calls read the diner\'s replies and steer the waiter): give --judge-config <agent.yaml> (configs/agents/sim-judge.yaml runs it offline)';

export const RESTAURANT_SETUP =
  "When I talk to you as the waiter (e.g. 'Waiter: what will it be sir?'), then you will reply as if you were the " +
  'customer at a restaurant. Give straight answers to the questions and avoid going off script. Understood?';

/** GoodAI's menu, its sections in order, and the menu text it shows (`RestaurantDataset.__post_init__`). */
export interface RestaurantMenu {
  sections: [string, string[]][];
  items: string[];
  text: string;
}

let menuCache: RestaurantMenu | undefined;

export function restaurantMenu(): RestaurantMenu {
  if (menuCache) return menuCache;
  const file = packagePath('data/goodai_restaurant_menu.json');
  let menu: unknown;
  try {
    menu = (JSON.parse(readFileSync(file, 'utf8')) as { menu?: unknown }).menu;
  } catch (cause) {
    throw new DatasetError('DATASET_INVALID', `cannot read data file ${file}`, { cause });
  }
  if (!menu || typeof menu !== 'object') throw new DatasetError('DATASET_INVALID', `${file}: menu must be an object of sections`);
  const sections = Object.entries(menu as Record<string, string[]>);
  const items = sections.flatMap(([, content]) => content);
  const text = sections.map(([section, content]) => [`${section}:`, ...content.map((item) => `${items.indexOf(item) + 1}. ${item}`)].join('\n')).join('\n\n');
  menuCache = { sections, items, text };
  return menuCache;
}

/** GoodAI's `enumerate_str`. */
export function enumerateStr(items: readonly string[]): string {
  if (items.length < 2) return items.join('');
  return [items.slice(0, -1).join(', '), items[items.length - 1]!].join(' and ');
}

/** Python's line boundaries (`str.splitlines`): \n, \r, \v, \f, \x1c-\x1e, \x85, \u2028, \u2029; \r\n is one. */
const LINE_BREAKS = new Set([0x0a, 0x0d, 0x0b, 0x0c, 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029]);

/** `s.splitlines()[-1]`: the last line, its break left out ('' where Python would raise on an empty text). */
export function pyLastLine(s: string): string {
  let end = s.length;
  if (s.endsWith('\r\n')) end -= 2;
  else if (end > 0 && LINE_BREAKS.has(s.charCodeAt(end - 1))) end--;
  let start = end;
  while (start > 0 && !LINE_BREAKS.has(s.charCodeAt(start - 1))) start--;
  return s.slice(start, end);
}

type Yielded = { kind: 'send'; message: string; question: boolean } | { kind: 'wait'; wait: Wait } | { kind: 'ask'; prompt: JudgeMessages; model: string };
type Script = Generator<Yielded, void, string>;

class RestaurantOrderFailed extends Error {}

const get = (v: PyValue | undefined, key: string): PyValue | undefined => (v instanceof Map ? v.get(key) : undefined);

/** Python's `a != b` between a JSON value and a bool. */
const pyNotEqualBool = (v: PyValue | undefined, b: boolean): boolean => !(v === b || (typeof v === 'bigint' && v === BigInt(b)) || (typeof v === 'number' && v === Number(b)));

/** The test's state, as GoodAI's `RestaurantExample` holds it. */
class RestaurantRun implements DynamicScript {
  readonly actions: DynamicAction[] = [];
  private score = 0;
  private readonly reasoning: string[] = [];
  private readonly expected: string[] = [];
  private readonly messages: string[] = [];
  private readonly random: PyRandom;
  private lastReply = '';
  private lines = 0;
  private readonly gen: Script;
  private done = false;
  private judgeError: string | undefined;

  constructor(
    private readonly menu: RestaurantMenu,
    uniqueId: string,
  ) {
    // GoodAI's TestExample.__post_init__: Random(self.unique_id).
    this.random = new PyRandom(uniqueId);
    this.gen = this.actionIter();
    this.take(this.gen.next(''));
  }

  async afterReply(reply: string, ask: AskLlm): Promise<void> {
    if (this.done) return;
    this.lastReply = reply;
    for (let pending = this.feed(reply); pending; ) {
      let response: string;
      try {
        response = await ask(pending.prompt, pending.model);
      } catch (err) {
        this.judgeError = (err as Error).message;
        this.reasoning.push(`judge call failed: ${this.judgeError}`);
        this.stop();
        return;
      }
      pending = this.feed(response);
    }
  }

  replay(reply: string, recorded: () => string | undefined): void {
    if (this.done) return;
    this.lastReply = reply;
    for (let pending = this.feed(reply); pending; ) {
      const response = recorded();
      if (response === undefined) return this.stop();
      pending = this.feed(response);
    }
  }

  /** Hands the generator a reply (or a judge's), then runs it to its next message, judge call or end. */
  private feed(value: string): Extract<Yielded, { kind: 'ask' }> | undefined {
    for (let r = this.gen.next(value); ; r = this.gen.next('')) {
      if (r.done) {
        this.done = true;
        return undefined;
      }
      if (r.value.kind === 'ask') return r.value;
      this.take(r);
      if (r.value.kind === 'send') return undefined;
    }
  }

  private stop(): void {
    this.gen.return();
    this.done = true;
  }

  verdict(): DynamicVerdict {
    return { score: this.score, maxScore: RESTAURANT_MAX_SCORE, reasons: [...this.reasoning], expectedResponses: [...this.expected], ...(this.judgeError !== undefined ? { judgeError: this.judgeError } : {}) };
  }

  private take(r: IteratorResult<Yielded, void>): void {
    if (r.done) {
      this.done = true;
      return;
    }
    const y = r.value;
    if (y.kind === 'send') this.actions.push({ kind: 'send', line: this.lines++, message: y.message, isQuestion: y.question });
    else if (y.kind === 'wait') this.actions.push({ kind: 'wait', wait: y.wait });
  }

  private *actionIter(): Script {
    try {
      yield* this.restaurantScript();
    } catch (err) {
      if (!(err instanceof RestaurantOrderFailed)) throw err;
    }
  }

  /** `DynamicExample.say`: the reply comes back. */
  private *superSay(message: string, question = false): Generator<Yielded, string, string> {
    return yield { kind: 'send', message, question };
  }

  /** `RestaurantExample.say`. */
  private *say(message: string, question = true): Generator<Yielded, void, string> {
    const sent = `Waiter: ${message}`;
    const reply = yield* this.superSay(sent, question);
    this.messages.push(sent);
    this.messages.push(`Diner: ${reply}`);
  }

  private wait(percentage: number): Yielded {
    return { kind: 'wait', wait: { percentage_finished: percentage } };
  }

  private *restaurantScript(): Script {
    // Setup
    yield* this.superSay(RESTAURANT_SETUP);
    yield this.wait(20);

    // Give the menu and ask for the drink
    yield* this.say(`Good day. Welcome to our restaurant. Here is the menu for you to look over:\n\n${this.menu.text}\n\nIn the meantime, what would you like to drink?`);
    const m = this.messages;
    m[m.length - 2] = pyLastLine(m[m.length - 2]!);
    this.expected.push('The agent follows the role of a customer at a restaurant and orders a drink.');
    yield* this.checkRoleFollowing();
    const drinks = yield* this.extractOrderItems(true);
    const drinksStr = enumerateStr(drinks);
    this.reasoning.push(`The agent answered as the customer and ordered ${drinksStr}.`);
    this.score += 1;
    yield this.wait(40);

    // Ordering food
    yield* this.say(`Here is your ${drinksStr}. What would you like to eat?`);
    this.expected.push('The agent orders at least one dish from the menu.');
    const order = yield* this.extractOrderItems(false);
    const orderStr = enumerateStr(order);
    this.reasoning.push(`The agent ordered ${orderStr}.`);
    this.score += 1;
    yield* this.say(`Excellent choice! ${orderStr} coming right up.`, false);
    yield this.wait(60);

    // Some dish is unexpectedly unavailable -> order another thing
    const oldItem = this.random.choice(order);
    yield* this.say(`I am very sorry, but I have been informed in the kitchen that the ${oldItem} is currently unavailable. Can I serve you something else instead?`);
    this.expected.push('The agent orders an alternative meal from the menu.');
    const newItems = yield* this.extractOrderItems(false);
    const newItemsStr = enumerateStr(newItems);
    const repeated = newItems.filter((item) => order.includes(item));
    if (repeated.length > 0) {
      this.reasoning.push(`The agent orders some things again: [${repeated.map(pyStrRepr).join(', ')}]`);
      return;
    }
    this.reasoning.push('The agent orders a different meal.');
    this.score += 1;

    // Say sorry and change the order
    order.splice(order.indexOf(oldItem), 1);
    order.push(...newItems);
    yield* this.say(`${newItemsStr} it is. Sorry again for the inconvenience.`, false);
    yield this.wait(80);

    // Alter the order -> does the agent notice?
    const [trueItem, , alteredOrder] = this.alterOrder(order, oldItem);
    yield* this.say(`Here you are: ${enumerateStr(alteredOrder)}. Enjoy the meal.`);
    yield* this.checkNoticesMishap();
    yield* this.say('I apologize. I will fix it immediately.', false);
    yield this.wait(90);

    // Amend the order and offer an extra drink
    yield* this.say(`Here it is: ${trueItem}, just as you ordered.\nWe would like to compensate you with an additional drink on the house. What were you having?`);
    yield* this.checkRecallsDrink(drinks);
  }

  private *askLlm(prompt: JudgeMessages, model: string): Generator<Yielded, string, string> {
    return yield { kind: 'ask', prompt, model };
  }

  private *extractOrderItems(drinks: boolean): Generator<Yielded, string[], string> {
    const conversation = this.messages.join('\n');
    const responseJson = yield* this.askLlm({ user: pyFormat(EXTRACT_ITEMS_PROMPT, { conversation, menu: this.menu.text }) }, GPT_4_TURBO_BEST);
    let response: PyValue;
    try {
      response = sanitizeAndParseJson(responseJson);
    } catch {
      this.reasoning.push('Could not extract ordered items due to a JSON parse error.');
      throw new RestaurantOrderFailed();
    }
    const order = get(response, 'order');
    const items: string[] = [];
    // GoodAI would stop on a KeyError or TypeError here; Referee ends the test with the reason.
    if (!Array.isArray(order)) return this.fail('The judge\'s reply has no "order" list.');
    const beverages = this.menu.sections.find(([s]) => s === 'Beverages')?.[1].length ?? 0;
    for (const itemDict of order) {
      if (pyNotEqualBool(get(itemDict, 'is_drink'), drinks)) {
        this.reasoning.push(drinks ? 'The agent was expected to order only drinks.' : 'The agent was not expected to order any drinks.');
        throw new RestaurantOrderFailed();
      }
      const item = get(itemDict, 'item');
      const itemStr = typeof item === 'string' ? item : String(item);
      if (drinks) {
        items.push(itemStr);
        continue;
      }
      if (pyTruthy(get(itemDict, 'off_menu')) && !this.menu.text.toLowerCase().includes(itemStr.toLowerCase())) {
        this.reasoning.push(`${itemStr} is not in the menu.`);
        throw new RestaurantOrderFailed();
      }
      let menuNr = get(itemDict, 'menu_nr');
      if (typeof menuNr === 'string' && /^\s*[+-]?\d+\s*$/.test(menuNr)) menuNr = BigInt(menuNr.trim());
      const nr = typeof menuNr === 'bigint' ? Number(menuNr) : typeof menuNr === 'boolean' ? Number(menuNr) : typeof menuNr === 'number' ? menuNr : NaN;
      const numDishes = this.menu.items.length - beverages;
      if (!(nr >= 1 && nr <= numDishes) || !Number.isInteger(nr)) {
        this.reasoning.push(`${itemStr} is not in the menu.`);
        throw new RestaurantOrderFailed();
      }
      items.push(this.menu.items[nr - 1]!);
    }
    if (!pyTruthy(get(response, 'has_ordered_something')) || items.length === 0) {
      this.reasoning.push('The agent did not order anything.');
      throw new RestaurantOrderFailed();
    }
    return items;
  }

  private fail(reason: string): never {
    this.reasoning.push(reason);
    throw new RestaurantOrderFailed();
  }

  private findAlternativeDish(item: string, oldItem: string): [string, string] | undefined {
    for (const [, content] of this.menu.sections) {
      for (const sectionItem of content) {
        if (sectionItem.includes(item)) {
          const choices = content.filter((c) => c !== sectionItem && c !== oldItem);
          return [sectionItem, this.random.choice(choices)];
        }
      }
    }
    return undefined;
  }

  private alterOrder(order: string[], oldItem: string): [string, string, string[]] {
    const shuffled = [...order];
    this.random.shuffle(shuffled);
    for (const item of shuffled) {
      const alternative = this.findAlternativeDish(item, oldItem);
      if (alternative) {
        const [origDish, altDish] = alternative;
        const altered = [...order];
        altered[altered.indexOf(item)] = altDish;
        return [origDish, altDish, altered];
      }
    }
    throw new Error(`Cannot alter wrong order: [${order.map(pyStrRepr).join(', ')}]`);
  }

  private *checkNoticesMishap(): Generator<Yielded, void, string> {
    this.expected.push('The agent notices the mix-up.');
    const noticed = yield* this.gptBoolCheck({ system: NOTICE_MISHAP_PROMPT, user: `Customer: ${this.lastReply}` }, 'noticed');
    if (!pyTruthy(noticed)) {
      this.reasoning.push('The agent does not notice the mishap.');
      throw new RestaurantOrderFailed();
    }
    this.reasoning.push('The agent notices the unordered meal.');
    this.score += 1;
  }

  private *checkRoleFollowing(): Generator<Yielded, void, string> {
    const follows = yield* this.gptBoolCheck({ system: ROLE_EVAL_PROMPT, user: `Participant: ${this.lastReply}` }, 'follows_role', GPT_4_TURBO_BEST);
    if (!pyTruthy(follows)) {
      this.reasoning.push('The agent did not follow the role of a customer at a restaurant.');
      throw new RestaurantOrderFailed();
    }
  }

  private *checkRecallsDrink(drinks: string[]): Generator<Yielded, void, string> {
    const drinksStr = enumerateStr(drinks);
    this.expected.push(`The agent recalls that it was drinking ${drinksStr}.`);
    const recalls = yield* this.gptBoolCheck({ system: DRINK_RECALL_SYSTEM_PROMPT, user: pyFormat(DRINK_RECALL_USER_PROMPT, { drinks: drinksStr, message: this.lastReply }) }, 'recalls');
    this.reasoning.push(`The agent ${pyTruthy(recalls) ? 'recalled perfectly' : 'forgot'} what it was drinking.`);
    this.score += pyTruthy(recalls) ? 1 : 0;
  }

  private *gptBoolCheck(prompt: JudgeMessages, key: string, model = GPT_CHEAPEST): Generator<Yielded, PyValue, string> {
    const evalJson = yield* this.askLlm(prompt, model);
    let parsed: PyValue;
    try {
      parsed = sanitizeAndParseJson(evalJson);
    } catch (err) {
      return this.fail(`Could not evaluate due to a JSON parsing error: ${pyErrorRepr(err as Error)}`);
    }
    if (!(parsed instanceof Map) || !parsed.has(key)) return this.fail(`Could not evaluate due to a JSON parsing error: KeyError(${pyStrRepr(key)})`);
    return parsed.get(key)!;
  }
}

/** GoodAI's `DynamicExample.to_dict()` before it runs: every list empty. */
function emptyDynamicExample(): TestDefinitionFile {
  return { script: [], is_question: [], waits: [], expected_responses: [], can_be_interleaved: true, is_temporal: false, uses_callback: false };
}

export const restaurantGenerator: DynamicDatasetGenerator = {
  name: 'restaurant',
  displayName: 'Restaurant',
  resetMessage: RESTAURANT_RESET,
  needsJudge: RESTAURANT_NEEDS_JUDGE,
  generate({ examples }) {
    restaurantMenu();
    return Array.from({ length: examples }, emptyDynamicExample);
  },
  dynamicScript(def: TestDefinition) {
    return new RestaurantRun(restaurantMenu(), def.testId.replace('/', ' - '));
  },
};
