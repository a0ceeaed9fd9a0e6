/**
 * Single-answer evaluators for task suites (issue 8): each a pure function of
 * the model's answer and the task's `expected`, with no I/O and no clock.
 * `expected` may be a list of acceptable answers (SQuAD style); the best one counts.
 */
import type { ScoreResult } from './types.js';

/** A task verdict: the score plus whether it counts as a pass (what attempts retry on). */
export interface TaskVerdict extends ScoreResult {
  passed: boolean;
}

function verdict(score: number, passed: boolean, reason: string): TaskVerdict {
  return { score, maxScore: 1, passed, reasons: [reason] };
}

/** The acceptable answers: a list as given, anything else as a one-element list. */
export function acceptable(expected: unknown): unknown[] {
  return Array.isArray(expected) ? expected : [expected];
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function quote(text: string, max = 80): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(t.length > max ? `${t.slice(0, max)}…` : t);
}

/** Case-, whitespace- and trailing-punctuation-insensitive form used by `exact` and `contains`. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^["'`]+|["'`.!?;:]+$/g, '')
    .trim();
}

/** `exact`: the normalized answer equals a normalized expected answer. */
export function exactMatch(answer: string, expected: unknown): TaskVerdict {
  const a = normalizeText(answer);
  const hit = acceptable(expected).find((e) => normalizeText(asText(e)) === a);
  return hit !== undefined ? verdict(1, true, `exact match ${quote(asText(hit))}`) : verdict(0, false, `${quote(answer)} is not ${quote(acceptable(expected).map(asText).join(' | '))}`);
}

/** `contains`: a normalized expected answer occurs in the normalized answer. */
export function containsMatch(answer: string, expected: unknown): TaskVerdict {
  const a = normalizeText(answer);
  const hit = acceptable(expected).find((e) => a.includes(normalizeText(asText(e))));
  return hit !== undefined ? verdict(1, true, `contains ${quote(asText(hit))}`) : verdict(0, false, `${quote(answer)} does not contain ${quote(acceptable(expected).map(asText).join(' | '))}`);
}

/**
 * `regex`: an expected pattern matches the answer. Patterns come from the task
 * file (trusted like the rest of the suite), the answer from the model.
 */
export function regexMatch(answer: string, expected: unknown, options: { flags?: string } = {}): TaskVerdict {
  for (const e of acceptable(expected)) {
    let re: RegExp;
    try {
      re = new RegExp(asText(e), options.flags ?? 'i');
    } catch (err) {
      return verdict(0, false, `invalid pattern ${quote(asText(e))}: ${(err as Error).message}`);
    }
    if (re.test(answer)) return verdict(1, true, `matches /${re.source}/${re.flags}`);
  }
  return verdict(0, false, `${quote(answer)} matches no expected pattern`);
}

const NUMBER = /[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+(?:[eE][-+]?\d+)?/g;

/** The last number written in a text (models put the result last), commas as thousands separators. */
export function lastNumber(text: string): number | undefined {
  const all = text.match(NUMBER);
  const last = all?.[all.length - 1];
  if (last === undefined) return undefined;
  const n = Number(last.replace(/,/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

/**
 * `numeric`: the last number in the answer is within `tolerance` of an expected
 * value (absolute, or relative to the expected value when `relative`).
 */
export function numericMatch(answer: string, expected: unknown, options: { tolerance?: number; relative?: boolean } = {}): TaskVerdict {
  const got = lastNumber(answer);
  if (got === undefined) return verdict(0, false, `no number in ${quote(answer)}`);
  const tolerance = options.tolerance ?? 1e-9;
  for (const e of acceptable(expected)) {
    const want = typeof e === 'number' ? e : lastNumber(asText(e));
    if (want === undefined) continue;
    const limit = options.relative ? Math.abs(want) * tolerance : tolerance;
    if (Math.abs(got - want) <= limit) return verdict(1, true, `${got} ≈ ${want} (±${limit})`);
  }
  return verdict(0, false, `${got} is not within ${tolerance}${options.relative ? ' (relative)' : ''} of ${acceptable(expected).map(asText).join(' | ')}`);
}

/** SQuAD's answer normalization: lower case, no punctuation, no articles, single spaces. */
export function squadNormalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g, '')
    .replace(/\b(a|an|the)\b/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .join(' ');
}

/** SQuAD token F1 between a prediction and one ground truth. */
export function tokenF1(prediction: string, truth: string): number {
  const p = squadNormalize(prediction).split(' ').filter(Boolean);
  const t = squadNormalize(truth).split(' ').filter(Boolean);
  if (p.length === 0 || t.length === 0) return p.length === t.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const w of t) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of p) {
    const c = counts.get(w) ?? 0;
    if (c > 0) {
      common++;
      counts.set(w, c - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / p.length;
  const recall = common / t.length;
  return (2 * precision * recall) / (precision + recall);
}

/**
 * `qa` (extractive QA, SQuAD v1.1 metric): the score is the best token F1 over
 * the ground truths; a pass is an exact match after normalization, or F1 at
 * or above `threshold` when one is given.
 */
export function extractiveQa(answer: string, expected: unknown, options: { threshold?: number } = {}): TaskVerdict {
  const truths = acceptable(expected).map(asText);
  let f1 = 0;
  let em = false;
  const a = squadNormalize(answer);
  for (const t of truths) {
    f1 = Math.max(f1, tokenF1(answer, t));
    if (squadNormalize(t) === a) em = true;
  }
  const passed = em || (options.threshold !== undefined && f1 >= options.threshold);
  return verdict(em ? 1 : f1, passed, `EM ${em ? 1 : 0}, F1 ${f1.toFixed(3)} against ${quote(truths.join(' | '))}`);
}

/** The first JSON object or array in a text (bare, or inside a ``` fence), else undefined. */
export function extractJson(text: string): unknown {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/i.exec(text);
  const candidates = fenced?.[1] !== undefined ? [fenced[1], text] : [text];
  for (const c of candidates) {
    const trimmed = c.trim();
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      // look for an embedded object below
    }
    for (const open of ['{', '[']) {
      const start = trimmed.indexOf(open);
      const end = trimmed.lastIndexOf(open === '{' ? '}' : ']');
      if (start !== -1 && end > start) {
        try {
          return JSON.parse(trimmed.slice(start, end + 1)) as unknown;
        } catch {
          // not this one
        }
      }
    }
  }
  return undefined;
}

function getPath(value: unknown, path: string): unknown {
  let cur = value;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return normalizeText(a) === normalizeText(b);
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

/**
 * `json`: the answer's JSON has the expected object's fields (all of them, or
 * the dotted `fields` named), compared leniently for strings. Score is the
 * share of fields that match; a pass needs all.
 */
export function jsonFieldMatch(answer: string, expected: unknown, options: { fields?: string[] } = {}): TaskVerdict {
  const got = extractJson(answer);
  if (got === undefined) return verdict(0, false, `no JSON in ${quote(answer)}`);
  if (expected === null || typeof expected !== 'object' || Array.isArray(expected)) {
    return sameValue(got, expected) ? verdict(1, true, 'JSON equal') : verdict(0, false, 'JSON differs');
  }
  const fields = options.fields ?? Object.keys(expected);
  if (fields.length === 0) return verdict(1, true, 'no fields to compare');
  const wrong = fields.filter((f) => !sameValue(getPath(got, f), getPath(expected, f)));
  const score = (fields.length - wrong.length) / fields.length;
  return verdict(score, wrong.length === 0, wrong.length === 0 ? `all ${fields.length} fields match` : `fields differ: ${wrong.join(', ')}`);
}

/**
 * The code a model wrote: the first fenced block in the wanted language (or
 * any fenced block), else the whole answer.
 */
export function extractCode(answer: string, language: 'javascript' | 'python'): string {
  const fences = [...answer.matchAll(/```([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)```/g)];
  const names = language === 'python' ? ['python', 'py', 'python3'] : ['javascript', 'js', 'node', 'mjs', 'cjs'];
  const preferred = fences.find((f) => names.includes((f[1] ?? '').toLowerCase())) ?? fences[0];
  return preferred?.[2] ?? answer;
}
