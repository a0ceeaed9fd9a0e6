/**
 * Pulls answers out of model prose. Models wrap JSON in sentences and
 * ```json fences; scoring should judge the answer, not the wrapping.
 */

export type JsonArrayResult = { ok: true; value: unknown[] } | { ok: false; reason: string };

/**
 * Index of the bracket closing the `open` at `start` (`[`/`]` or `{`/`}`),
 * skipping brackets inside JSON strings; -1 if unclosed.
 */
export function matchingBracket(text: string, start: number, open = '[', close = ']'): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === open) depth++;
    else if (ch === close && --depth === 0) return i;
  }
  return -1;
}

/**
 * The first JSON array in `text` (fenced or not). Each `[` is tried in turn,
 * so a stray "[note]" before the real list does not hide it. When a
 * bracketed span exists but none parses, the reason quotes the first error.
 */
export function extractJsonArray(text: string): JsonArrayResult {
  let firstError: string | undefined;
  for (let start = text.indexOf('['); start !== -1; start = text.indexOf('[', start + 1)) {
    const end = matchingBracket(text, start);
    const candidate = end === -1 ? text.slice(start) : text.slice(start, end + 1);
    try {
      const value: unknown = JSON.parse(candidate);
      if (Array.isArray(value)) return { ok: true, value };
    } catch (error) {
      firstError ??= `${(error as Error).message} in ${JSON.stringify(clip(candidate, 80))}`;
    }
  }
  return firstError === undefined
    ? { ok: false, reason: 'no JSON list found in the answer' }
    : { ok: false, reason: `malformed JSON list: ${firstError}` };
}

/** Whole-word, case-insensitive containment (so "red" is not found in "bored"). */
export function containsWord(text: string, word: string): boolean {
  const escaped = word.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'iu').test(text);
}

/** Shortens an answer for a reason line. */
export function clip(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The reply to the last question, which is the one these datasets score. */
export function lastAnswer(answers: readonly string[]): string | undefined {
  return answers.length === 0 ? undefined : answers[answers.length - 1];
}
