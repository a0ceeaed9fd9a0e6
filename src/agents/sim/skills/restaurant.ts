/**
 * GoodAI's Restaurant, offline: the sim as the diner (it answers "Waiter: ..." from the menu and the
 * conversation in its context window, nothing else), and the sim judge answering GoodAI's four
 * Restaurant prompts from the texts inside them. A stand-in, not a grader: an item is ordered when
 * its menu name is in the diner's last reply.
 */
import { DRINK_RECALL_SYSTEM_PROMPT, NOTICE_MISHAP_PROMPT, ROLE_EVAL_PROMPT } from '../../../datasets/generators/restaurant-prompts.js';
import type { ChatMessage } from '../../types.js';
import type { SimSkill } from '../skill.js';

interface MenuLine {
  nr: number;
  item: string;
  drink: boolean;
}

/** The numbered items of the last menu in the text ("Beverages:" starts the drinks). */
function menuIn(text: string): MenuLine[] {
  const lines: MenuLine[] = [];
  let drink = false;
  for (const line of text.split('\n')) {
    if (/^[A-Z][\w ]*:$/.test(line.trim())) drink = line.trim() === 'Beverages:';
    const m = /^(\d+)\. (.+)$/.exec(line.trim());
    if (m) lines.push({ nr: Number(m[1]), item: m[2]!, drink });
  }
  return lines;
}

const lower = (s: string): string => s.toLowerCase();
const named = (text: string, item: string): boolean => lower(text).includes(lower(item));

/** The waiter's lines in the context, oldest first. */
function waiterLines(context: readonly ChatMessage[]): string[] {
  return context.filter((m) => m.role === 'user').flatMap((m) => m.content.split('\n')).filter((l) => /Waiter: /.test(l));
}

function dishesOrdered(context: readonly ChatMessage[], menu: MenuLine[]): string[] {
  // What the waiter confirmed: "Excellent choice! X coming right up." and "X it is. Sorry again ...".
  const confirmed = waiterLines(context).filter((l) => /coming right up\.$|it is\. Sorry again/.test(l));
  const unavailable = waiterLines(context).flatMap((l) => /the (.+) is currently unavailable/.exec(l)?.[1] ?? []);
  return menu.filter((d) => !d.drink && confirmed.some((l) => named(l, d.item)) && !unavailable.includes(d.item)).map((d) => d.item);
}

export const dinerSkill: SimSkill = {
  name: 'restaurant',
  answer(question, context) {
    const at = question.indexOf('Waiter: ');
    if (at < 0) return undefined;
    const waiter = question.slice(at);
    const all = context.map((m) => m.content).join('\n');
    const menu = menuIn(all);
    const drinks = menu.filter((m) => m.drink);
    const dishes = menu.filter((m) => !m.drink);
    if (/what would you like to drink\?/.test(waiter)) {
      const drink = drinks.find((d) => d.item === 'Lemonade') ?? drinks[0];
      return drink ? `I would like a ${drink.item}, please.` : 'What do you have to drink?';
    }
    if (/What would you like to eat\?/.test(waiter)) {
      const choice = [dishes.find((d) => /^Grilled Salmon/.test(d.item)) ?? dishes[0], dishes.find((d) => /^Tiramisu/.test(d.item)) ?? dishes[1]].filter((d) => d !== undefined);
      return choice.length > 0 ? `I will have the ${choice.map((d) => d.item).join(' and the ')}.` : 'I cannot see the menu any more.';
    }
    if (/is currently unavailable\. Can I serve you something else instead\?/.test(waiter)) {
      const mentioned = (d: MenuLine): boolean => context.some((m) => named(m.content, d.item) && m.role === 'assistant') || named(waiter, d.item);
      const other = dishes.find((d) => !mentioned(d));
      return other ? `Then I will have the ${other.item} instead.` : 'I cannot see the menu any more.';
    }
    const served = /Here you are: (.+)\. Enjoy the meal\./.exec(waiter);
    if (served) {
      const ordered = dishesOrdered(context, menu);
      const wrong = dishes.find((d) => named(served[1]!, d.item) && !ordered.includes(d.item));
      return wrong ? `Excuse me, I did not order the ${wrong.item}.` : 'Thank you, it looks delicious.';
    }
    if (/What were you having\?/.test(waiter)) {
      const drink = waiterLines(context).flatMap((l) => /Here is your (.+)\. What would you like to eat\?/.exec(l)?.[1] ?? []).pop();
      return drink ? `I was having ${drink}.` : 'I do not remember what I was drinking.';
    }
    return 'Thank you.';
  },
};

function between(text: string, start: string, end: string): string | undefined {
  const i = text.indexOf(start);
  if (i < 0) return undefined;
  const j = text.indexOf(end, i + start.length);
  return j < 0 ? undefined : text.slice(i + start.length, j);
}

/** GoodAI's four Restaurant prompts, answered from their texts; undefined for another prompt. */
export function restaurantJudgeAnswer(question: string, context: readonly ChatMessage[]): string | undefined {
  const system = context.find((m) => m.role === 'system')?.content;
  if (question.startsWith('This is a conversation between a diner and a waiter:\n\n```text\n')) {
    const conversation = between(question, '```text\n', '\n```') ?? '';
    const menu = menuIn(between(question, 'This is what the menu looks like:\n\n```text\n', '\n```') ?? '');
    const last = conversation.slice(conversation.lastIndexOf('Diner: ') + 'Diner: '.length);
    const order = menu.filter((m) => named(last, m.item)).map((m) => ({ is_drink: m.drink, item: m.item, menu_nr: m.nr, menu_ref: m.item, off_menu: false }));
    return JSON.stringify({ has_ordered_something: order.length > 0, order }, null, 2);
  }
  if (system === ROLE_EVAL_PROMPT) {
    const said = question.replace(/^Participant: /, '');
    return JSON.stringify({ follows_role: said.trim() !== '' && !/waiter:/i.test(said) });
  }
  if (system === NOTICE_MISHAP_PROMPT) {
    return JSON.stringify({ noticed: /did not order|didn't order|not what I ordered|mix-up|wrong/i.test(question) });
  }
  if (system === DRINK_RECALL_SYSTEM_PROMPT) {
    const drinks = /^Original order: (.*)$/m.exec(question)?.[1] ?? '';
    const said = question.slice(question.indexOf('The customer says now: ') + 'The customer says now: '.length);
    return JSON.stringify({ recalls: drinks !== '' && named(said, drinks) });
  }
  return undefined;
}
