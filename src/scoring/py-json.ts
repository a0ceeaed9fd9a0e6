/**
 * JSON read the way GoodAI's scorers read it (issue 12): Python's `json.loads`
 * (its C scanner: the same error messages at the same code-point positions)
 * and the repair loop of `goodai.helpers.json_helper.sanitize_and_parse_json`,
 * which steers by those messages. Scores only agree with GoodAI's when a
 * reply parses (or fails) exactly as there, so types follow Python too: an
 * integer is a `bigint`, a float a `number`, an object a `Map`.
 */

export type PyValue = null | boolean | bigint | number | string | PyValue[] | PyDict;
export type PyDict = Map<string, PyValue>;

/**
 * Python's `json.JSONDecodeError`: `msg` and the code-point position it names;
 * the message is Python's `str(exc)`, "msg: line L column C (char P)".
 */
export class PyJsonError extends Error {
  constructor(
    readonly msg: string,
    readonly pos: number,
    doc: readonly string[] = [],
  ) {
    let line = 1;
    let lastBreak = -1;
    for (let k = 0; k < pos && k < doc.length; k++) {
      if (doc[k] === '\n') {
        line++;
        lastBreak = k;
      }
    }
    super(`${msg}: line ${line} column ${pos - lastBreak} (char ${pos})`);
    this.name = 'JSONDecodeError';
  }
}

const WS = new Set([' ', '\t', '\n', '\r']);
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Scanner {
  constructor(private readonly s: string[]) {}

  skip(i: number): number {
    while (i < this.s.length && WS.has(this.s[i]!)) i++;
    return i;
  }

  private matches(i: number, word: string): boolean {
    return this.s.slice(i, i + word.length).join('') === word;
  }

  /** A value at `i`, or `undefined` where Python's scanner raises StopIteration (reported as "Expecting value"). */
  value(i: number): [PyValue, number] {
    const c = this.s[i];
    if (c === '"') return this.string(i + 1);
    if (c === '{') return this.object(i + 1);
    if (c === '[') return this.array(i + 1);
    for (const [word, v] of [['null', null], ['true', true], ['false', false], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]] as const) {
      if (c === word[0] && this.matches(i, word)) return [v, i + word.length];
    }
    return this.number(i);
  }

  private number(start: number): [PyValue, number] {
    const s = this.s;
    const digit = (k: number): boolean => s[k] !== undefined && s[k]! >= '0' && s[k]! <= '9';
    let i = start;
    if (s[i] === '-') i++;
    if (s[i] !== undefined && s[i]! >= '1' && s[i]! <= '9') while (digit(i)) i++;
    else if (s[i] === '0') i++;
    else throw new PyJsonError('Expecting value', start, s);
    let float = false;
    if (s[i] === '.' && digit(i + 1)) {
      float = true;
      i += 2;
      while (digit(i)) i++;
    }
    if (s[i] === 'e' || s[i] === 'E') {
      let e = i + 1;
      if (s[e] === '-' || s[e] === '+') e++;
      if (digit(e)) {
        while (digit(e)) e++;
        float = true;
        i = e;
      }
    }
    const text = s.slice(start, i).join('');
    return [float ? Number(text) : BigInt(text), i];
  }

  private string(begin: number): [string, number] {
    const s = this.s;
    let out = '';
    let i = begin;
    for (;;) {
      const c = s[i];
      if (c === undefined) throw new PyJsonError('Unterminated string starting at', begin - 1, s);
      if (c === '"') return [out, i + 1];
      if (c.codePointAt(0)! <= 0x1f) throw new PyJsonError('Invalid control character at', i, s);
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = s[i + 1];
      if (e === undefined) throw new PyJsonError('Unterminated string starting at', begin - 1, s);
      if (e === 'u') {
        const hex = s.slice(i + 2, i + 6).join('');
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new PyJsonError('Invalid \\uXXXX escape', i + 1, s);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else if (Object.hasOwn(ESCAPES, e)) {
        out += ESCAPES[e];
        i += 2;
      } else throw new PyJsonError('Invalid \\escape', i, s);
    }
  }

  private object(start: number): [PyDict, number] {
    const s = this.s;
    const out: PyDict = new Map();
    let i = this.skip(start);
    if (s[i] === '}') return [out, i + 1];
    for (;;) {
      if (s[i] !== '"') throw new PyJsonError('Expecting property name enclosed in double quotes', i, s);
      const [key, afterKey] = this.string(i + 1);
      i = this.skip(afterKey);
      if (s[i] !== ':') throw new PyJsonError("Expecting ':' delimiter", i, s);
      const [v, afterValue] = this.value(this.skip(i + 1));
      out.set(key, v);
      i = this.skip(afterValue);
      if (s[i] === '}') return [out, i + 1];
      if (s[i] !== ',') throw new PyJsonError("Expecting ',' delimiter", i, s);
      i = this.skip(i + 1);
    }
  }

  private array(start: number): [PyValue[], number] {
    const s = this.s;
    const out: PyValue[] = [];
    let i = this.skip(start);
    if (s[i] === ']') return [out, i + 1];
    for (;;) {
      const [v, after] = this.value(i);
      out.push(v);
      i = this.skip(after);
      if (s[i] === ']') return [out, i + 1];
      if (s[i] !== ',') throw new PyJsonError("Expecting ',' delimiter", i, s);
      i = this.skip(i + 1);
    }
  }
}

/**
 * Python's `json.loads(text)`. Throws PyJsonError as Python raises JSONDecodeError,
 * including for a text that starts with a byte order mark (U+FEFF): `json.loads`
 * refuses it before scanning ("Unexpected UTF-8 BOM"), and nothing in GoodAI's
 * repair loop handles that message, so such a reply is unreadable there.
 */
export function pyJsonLoads(text: string): PyValue {
  const chars = Array.from(text);
  if (chars[0] === '\ufeff') throw new PyJsonError('Unexpected UTF-8 BOM (decode using utf-8-sig)', 0, chars);
  const scanner = new Scanner(chars);
  const [value, end] = scanner.value(scanner.skip(0));
  const tail = scanner.skip(end);
  if (tail !== chars.length) throw new PyJsonError('Extra data', tail, chars);
  return value;
}

// Python's str.strip(): str.isspace() characters, which include \x1c-\x1f and not \ufeff.
const PY_SPACE = new Set([...'\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000'].concat(
  [0x1c, 0x1d, 0x1e, 0x1f, ...Array.from({ length: 11 }, (_, k) => 0x2000 + k)].map((c) => String.fromCharCode(c)),
));
function pyStrip(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b && PY_SPACE.has(text[a]!)) a++;
  while (b > a && PY_SPACE.has(text[b - 1]!)) b--;
  return text.slice(a, b);
}

const JS_FENCE = /^[\s\S]*```javascript([\s\S]*)```[\s\S]*$/;
const JSON_FENCE = /^[\s\S]*```(?:json)?([\s\S]*)```[\s\S]*$/;

/** Code-point slice, as Python slices a str. */
const cut = (chars: string[], from: number, to?: number): string => chars.slice(from, to).join('');

function repair(content: string, e: PyJsonError): string | undefined {
  const c = Array.from(content);
  const remain = cut(c, e.pos).trimStart();
  const insert = (sub: string): string => cut(c, 0, e.pos) + sub + cut(c, e.pos);
  const findFrom = (marker: string): number => c.findIndex((_, k) => k >= e.pos && cut(c, k, k + marker.length) === marker);
  const dropEllipsis = (): string => {
    const idx = findFrom('...');
    if (idx === -1) throw new Error(`Expected ellipsis at position ${e.pos}`);
    return cut(c, 0, idx) + cut(c, idx + 3);
  };
  const dropComma = (): string => {
    let k = Math.min(e.pos, c.length - 1);
    while (k >= 0 && c[k] !== ',') k--;
    if (k === -1) throw new Error(`Unable to resolve JSON error at position ${e.pos}`);
    return cut(c, 0, k) + cut(c, k + 1);
  };
  const dropComment = (): string => {
    const idx = findFrom('//');
    const lb = idx === -1 ? -1 : c.indexOf('\n', idx);
    if (idx === -1 || lb === -1) throw new Error(`Expected line comment at position ${e.pos}`);
    return cut(c, 0, idx) + cut(c, lb + 1);
  };
  if (e.msg.startsWith('Extra data')) return cut(c, 0, e.pos);
  if (e.msg.startsWith('Expecting value')) {
    if (e.pos === 0) {
      const starts = [c.indexOf('{'), c.indexOf('[')].filter((k) => k !== -1);
      if (starts.length === 0) throw new Error('Content provided is not JSON!');
      return cut(c, Math.min(...starts));
    }
    if (remain.startsWith('//')) return dropComment();
    if (remain.startsWith('...')) return dropEllipsis();
    if (remain.startsWith(']')) return dropComma();
    return insert('"');
  }
  if (e.msg.startsWith('Expecting property name enclosed in double quotes')) {
    if (remain.startsWith('...')) return dropEllipsis();
    if (remain.startsWith('}')) return dropComma();
    if (remain.startsWith('//')) return dropComment();
    return undefined;
  }
  if (e.msg.startsWith("Expecting ',' delimiter")) return insert(',');
  if (e.msg.startsWith("Expecting ':' delimiter")) return remain.startsWith('}') || remain.startsWith(',') ? insert(': null') : undefined;
  if (e.msg.startsWith('Invalid control character at') && c[e.pos] === '\n') return cut(c, 0, e.pos) + cut(c, e.pos + 1);
  return undefined;
}

/**
 * GoodAI's `sanitize_and_parse_json`: `json.loads`, else the body of the last
 * code fence, repaired step by step (extra text cut, commas and quotes
 * inserted, comments and ellipses dropped) for at most max(5, length/50)
 * steps. Throws (as Python raises a ValueError) when nothing parses.
 */
export function sanitizeAndParseJson(content: string): PyValue {
  try {
    return pyJsonLoads(content);
  } catch (error) {
    if (!(error instanceof PyJsonError)) throw error;
  }
  const fenced = JS_FENCE.exec(content) ?? JSON_FENCE.exec(content);
  let text = fenced ? fenced[1]! : content;
  for (let countdown = Math.max(5, Math.floor(Array.from(text).length / 50)); ; countdown--) {
    if (countdown <= 0) throw new Error('Unable to sanitize JSON after a number of iterations');
    text = pyStrip(text);
    try {
      return pyJsonLoads(text);
    } catch (error) {
      if (!(error instanceof PyJsonError)) throw error;
      const next = repair(text, error);
      if (next === undefined) throw error;
      text = next;
    }
  }
}

/** Python's truthiness, for GoodAI's `if present:`. */
export function pyTruthy(v: PyValue | undefined): boolean {
  if (v === null || v === undefined || v === false || v === '' || v === 0 || v === 0n) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

/** Python's `isinstance(v, int)`: a JSON integer, or a bool (a subclass of int). */
export const isPyInt = (v: PyValue | undefined): v is bigint | boolean => typeof v === 'bigint' || typeof v === 'boolean';

/** Python's `==` between a parsed number-like value and an expected number. */
export function pyNumEquals(v: PyValue | undefined, expected: unknown): boolean {
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? Number(v) : typeof v === 'number' ? v : undefined;
  return n !== undefined && typeof expected === 'number' && n === expected;
}

/** Python's `repr(s)` of a str: quotes chosen as Python chooses them, non-printable characters escaped. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && /[\p{C}\p{Z}]/u.test(ch)) {
      out += code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\U${code.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return quote + out + quote;
}

/** Python's `repr(exc)` of what `sanitize_and_parse_json` raised: a JSONDecodeError, else a ValueError. */
export function pyErrorRepr(error: Error): string {
  return `${error instanceof PyJsonError ? 'JSONDecodeError' : 'ValueError'}(${pyStrRepr(error.message)})`;
}
