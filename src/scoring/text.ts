/** Text helpers shared by the v3 scorers (issue 7): normalising, ROUGE-L, JSON objects in prose. */
import { clip, matchingBracket } from './extract.js';
import { porterStem } from './porter.js';

/** Lower case without ASCII punctuation, as GoodAI's `standardise`. */
export function standardise(text: string): string {
  return text.toLowerCase().replace(/[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g, '');
}

/** `rouge_score`'s tokenizer with its stemmer on: lower case, [a-z0-9] runs, words over 3 letters stemmed. */
function rougeTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(/\s+/)
    .map((t) => (t.length > 3 ? porterStem(t) : t))
    .filter((t) => /^[a-z0-9]+$/.test(t));
}

/**
 * ROUGE-L F-measure as GoodAI computes it (`rouge_score`, `use_stemmer=True`):
 * longest common subsequence of the stemmed tokens (issue 12).
 */
export function rougeL(reference: string, candidate: string): number {
  const a = rougeTokens(reference);
  const b = rougeTokens(candidate);
  if (a.length === 0 || b.length === 0) return 0;
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) row[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, row[j - 1]!);
    prev = row;
  }
  const lcs = prev[b.length]!;
  if (lcs === 0) return 0;
  const p = lcs / b.length;
  const r = lcs / a.length;
  return (2 * p * r) / (p + r);
}

export type JsonObjectResult = { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };

/** The first JSON object in `text` (fenced or not), like GoodAI's `sanitize_and_parse_json`. */
export function extractJsonObject(text: string): JsonObjectResult {
  let firstError: string | undefined;
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    const end = matchingBracket(text, start, '{', '}');
    const candidate = end === -1 ? text.slice(start) : text.slice(start, end + 1);
    try {
      const value: unknown = JSON.parse(candidate);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { ok: true, value: value as Record<string, unknown> };
    } catch (error) {
      firstError ??= `${(error as Error).message} in ${JSON.stringify(clip(candidate, 80))}`;
    }
  }
  return firstError === undefined ? { ok: false, reason: 'no JSON object found in the answer' } : { ok: false, reason: `malformed JSON: ${firstError}` };
}

/**
 * GoodAI's `re.compile(rf"\b{word}\b")`: whole word, case-sensitive, and
 * Unicode-aware as Python's `\b` is (JavaScript's `\b` is ASCII-only, so
 * "cafébeach" would wrongly hold "beach").
 */
export function hasWord(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, 'u').test(text);
}
