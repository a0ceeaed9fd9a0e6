/**
 * Single-turn task answers for task suites (issue 8): arithmetic, trivia
 * (data/trivia.json, the capitals among it) and small functions in JavaScript
 * or Python. The model name sets how good the sim is, so a matrix of sim
 * agents shows honest differences:
 * - a name containing `mini` is the weak model: it multiplies two numbers of
 *   two digits or more one ten off, knows only every other trivia answer,
 *   and writes its functions with an off-by-one bug;
 * - a name containing `think` reasons first, in a `<think>…</think>` block.
 */
import { loadTrivia } from '../../../datasets/data-files.js';
import type { SimSkill } from '../skill.js';

const ARITHMETIC = /^\s*(?:what is|compute|calculate)\s+(-?\d+(?:\.\d+)?)\s*(\+|-|\*|×|x|\/|plus|minus|times|divided by)\s*(-?\d+(?:\.\d+)?)\s*\??\s*$/i;
const CODE = /\bwrite an? (javascript|js|python) function (?:named |called )?`?([A-Za-z_][A-Za-z0-9_]*)`?/i;

let trivia: Map<string, { a: string; index: number }> | undefined;
function triviaIndex(): Map<string, { a: string; index: number }> {
  trivia ??= new Map(loadTrivia().map((t, index) => [t.q.toLowerCase(), { a: t.a, index }]));
  return trivia;
}

interface Solution {
  js: (name: string, flawed: boolean) => string;
  py: (name: string, flawed: boolean) => string;
}

// Keyed by the function name without case or underscores: sumList = sum_list.
const SOLUTIONS: Record<string, Solution> = {
  sumlist: {
    js: (n, f) => `function ${n}(xs) {\n  let total = 0;\n  for (let i = 0; i < xs.length${f ? ' - 1' : ''}; i++) total += xs[i];\n  return total;\n}`,
    py: (n, f) => `def ${n}(xs):\n    total = 0\n    for i in range(len(xs)${f ? ' - 1' : ''}):\n        total += xs[i]\n    return total`,
  },
  factorial: {
    js: (n, f) => `function ${n}(k) {\n  let r = 1;\n  for (let i = 2; i ${f ? '<' : '<='} k; i++) r *= i;\n  return r;\n}`,
    py: (n, f) => `def ${n}(k):\n    r = 1\n    for i in range(2, k${f ? '' : ' + 1'}):\n        r *= i\n    return r`,
  },
  ispalindrome: {
    js: (n, f) => `function ${n}(s) {\n  const t = s.toLowerCase().replace(/[^a-z0-9]/g, '');\n  for (let i = 0; i < t.length / 2; i++) if (t[i] !== t[t.length - 1 - i${f ? ' - 1' : ''}]) return false;\n  return true;\n}`,
    py: (n, f) => `def ${n}(s):\n    t = ''.join(c for c in s.lower() if c.isalnum())\n    return t == t[::-1]${f ? '[1:]' : ''}`,
  },
  countvowels: {
    js: (n, f) => `function ${n}(s) {\n  let c = 0;\n  for (let i = ${f ? 1 : 0}; i < s.length; i++) if ('aeiouAEIOU'.includes(s[i])) c++;\n  return c;\n}`,
    py: (n, f) => `def ${n}(s):\n    return sum(1 for c in s${f ? '[1:]' : ''} if c in 'aeiouAEIOU')`,
  },
  fibonacci: {
    js: (n, f) => `function ${n}(k) {\n  let a = 0, b = 1;\n  for (let i = 0; i < k${f ? ' - 1' : ''}; i++) [a, b] = [b, a + b];\n  return a;\n}`,
    py: (n, f) => `def ${n}(k):\n    a, b = 0, 1\n    for _ in range(k${f ? ' - 1' : ''}):\n        a, b = b, a + b\n    return a`,
  },
};

function compute(a: number, op: string, b: number): number | undefined {
  switch (op.toLowerCase()) {
    case '+':
    case 'plus':
      return a + b;
    case '-':
    case 'minus':
      return a - b;
    case '*':
    case '×':
    case 'x':
    case 'times':
      return a * b;
    case '/':
    case 'divided by':
      return b === 0 ? undefined : a / b;
    default:
      return undefined;
  }
}

function withThinking(model: string, reasoning: string, answer: string): string {
  return model.includes('think') ? `<think>${reasoning}</think>\n${answer}` : answer;
}

export const tasksSkill: SimSkill = {
  name: 'tasks',
  answer(question, _context, model = '') {
    const weak = model.includes('mini');
    const m = ARITHMETIC.exec(question);
    if (m) {
      const a = Number(m[1]);
      const b = Number(m[3]);
      let r = compute(a, m[2] ?? '', b);
      if (r === undefined) return withThinking(model, 'Division by zero is undefined.', 'That is undefined.');
      if (weak && /^(\*|×|x|times)$/i.test(m[2] ?? '') && Math.abs(a) >= 10 && Math.abs(b) >= 10) r += 10;
      const shown = Number.isInteger(r) ? String(r) : String(Math.round(r * 1e6) / 1e6);
      return withThinking(model, `I need ${a} ${m[2]} ${b}. Working it through step by step gives ${shown}.`, `The answer is ${shown}.`);
    }
    const known = triviaIndex().get(question.trim().toLowerCase());
    if (known) {
      if (weak && known.index % 2 === 1) return withThinking(model, 'I do not remember this one.', "I don't know.");
      return withThinking(model, `Recalling what I know: ${known.a}.`, `${known.a}.`);
    }
    const c = CODE.exec(question);
    if (c) {
      const name = c[2] ?? 'f';
      const solution = SOLUTIONS[name.toLowerCase().replace(/_/g, '')];
      if (!solution) return `I don't know how to write ${name}.`;
      const python = (c[1] ?? '').toLowerCase() === 'python';
      const code = python ? solution.py(name, weak) : solution.js(name, weak);
      return withThinking(model, `The function ${name} needs a loop over its input.`, `\`\`\`${python ? 'python' : 'javascript'}\n${code}\n\`\`\``);
    }
    return undefined;
  },
};
