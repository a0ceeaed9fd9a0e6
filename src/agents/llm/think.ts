/**
 * Reasoning models write `<think>…</think>` before their answer (issue 8).
 * That block is kept apart: never scored, counted as reasoning tokens and
 * shown as the Thinking stage.
 */

const OPEN = '<think>';
const CLOSE = '</think>';

/** The answer without `<think>` blocks, and the reasoning they held. */
export function splitThink(text: string): { answer: string; reasoning: string } {
  if (!text.includes(OPEN)) return { answer: text, reasoning: '' };
  let answer = '';
  let reasoning = '';
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf(OPEN, i);
    if (open === -1) {
      answer += text.slice(i);
      break;
    }
    answer += text.slice(i, open);
    const close = text.indexOf(CLOSE, open + OPEN.length);
    // An unclosed block (cut by max_tokens) is all reasoning: there is no answer after it.
    reasoning += text.slice(open + OPEN.length, close === -1 ? text.length : close);
    i = close === -1 ? text.length : close + CLOSE.length;
  }
  return { answer: answer.trim(), reasoning: reasoning.trim() };
}

export type StreamStage = 'thinking' | 'streaming';

/**
 * Follows streamed deltas and says which stage each piece belongs to, also
 * when a tag is split across deltas. Tags themselves are dropped.
 */
export class ThinkTracker {
  private inside = false;
  private pending = '';

  get stage(): StreamStage {
    return this.inside ? 'thinking' : 'streaming';
  }

  /** Splits a delta into pieces by stage, in order; empty pieces are left out. */
  feed(delta: string): { stage: StreamStage; text: string }[] {
    let text = this.pending + delta;
    this.pending = '';
    const out: { stage: StreamStage; text: string }[] = [];
    for (;;) {
      const tag = this.inside ? CLOSE : OPEN;
      const at = text.indexOf(tag);
      if (at === -1) {
        // Hold back a tail that could be the start of a tag split across deltas.
        const keep = partialTagSuffix(text, tag);
        const emit = text.slice(0, text.length - keep);
        this.pending = text.slice(text.length - keep);
        if (emit) out.push({ stage: this.stage, text: emit });
        return out;
      }
      if (at > 0) out.push({ stage: this.stage, text: text.slice(0, at) });
      this.inside = !this.inside;
      text = text.slice(at + tag.length);
    }
  }

  /** Whatever was held back at the end of the stream. */
  flush(): { stage: StreamStage; text: string }[] {
    const rest = this.pending;
    this.pending = '';
    return rest ? [{ stage: this.stage, text: rest }] : [];
  }
}

function partialTagSuffix(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) {
    if (text.endsWith(tag.slice(0, n))) return n;
  }
  return 0;
}
