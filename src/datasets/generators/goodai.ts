/**
 * What GoodAI's generators share (issue 25): the dataset's `random.Random(seed)` (CPython's,
 * ported in py-random.ts) and the Python behaviours that reach a def.json's bytes: pystache's
 * `{{name}}` (HTML-escaped, as `html.escape(s, quote=True)`), `repr(str)`, and GoodAI's default waits.
 */
import { PyRandom } from '../py-random.js';
import type { Wait } from '../types.js';

/** The dataset's RNG, as GoodAI's `DatasetInterface.__getattribute__` seeds it for `generate_examples`. */
export function datasetRandom(seed: number): PyRandom {
  return new PyRandom(seed);
}

export function choice<T>(rng: PyRandom, items: readonly T[]): T {
  return rng.choice(items) as T;
}

export function randint(rng: PyRandom, a: number, b: number): number {
  return Number(rng.randint(a, b));
}

/** Python's `html.escape(s, quote=True)`, which pystache applies to every `{{name}}`. */
export function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');
}

/** pystache's `render(template, values)` for the plain `{{name}}` tags GoodAI's templates use. */
export function pystache(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => htmlEscape(String(values[name] ?? '')));
}

/** Python's `repr(str)`: single quotes unless the text has one and no double quote. */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** GoodAI's `TestExample.default_waits`: the lines spread so the last (the question) lands at 90% of the span; floats unrounded. */
export function goodaiWaits(lines: number): Wait[] {
  const perc = 90 / (lines - 1);
  const waits: Wait[] = [];
  for (let i = 0; i < lines - 1; i++) waits.push({ percentage_finished: (i + 1) * perc });
  waits.push({});
  return waits;
}

/** GoodAI's `utils.ui.ordinal`. */
export function goodaiOrdinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd', 'th'][Math.min(n % 10, 4)]!;
  return `${n}${suffix}`;
}
