/** Bounded rolling figures of a run: a ring of recent values, the tokens/s window as running sums, percentiles. */

/** issue 17: tokens/s is measured over the calls that ended in this window. */
export const TPS_WINDOW_MS = 10_000;

export class Ring<T> {
  private items: T[] = [];
  private start = 0;
  constructor(private readonly cap: number) {}
  push(v: T): void {
    if (this.items.length < this.cap) this.items.push(v);
    else {
      this.items[this.start] = v;
      this.start = (this.start + 1) % this.cap;
    }
  }
  toArray(): T[] {
    return [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
  }
  get length(): number {
    return this.items.length;
  }
}

/** One call in the tokens/s window: when it ended, its output tokens, its call time and (issue 22) its time after the first token. */
export interface WindowCall {
  t: number;
  tokens: number;
  llm_ms: number;
  /** llm_ms - ttft_ms; absent where the TTFT is unknown or the reply came in one piece. */
  decode_ms?: number;
}

/**
 * Tokens and LLM time of the calls that ended in the last TPS_WINDOW_MS (at most `cap`
 * of them), kept as running sums: issue 17's windowed tokens/s without a pass over the
 * window per turn (folding a 100,000-turn run scanned up to 4,096 entries a turn).
 */
export class WindowSums {
  private items: WindowCall[] = [];
  private head = 0;
  tokens = 0;
  llm_ms = 0;
  /** issue 22: output tokens and time after the first token of the calls whose TTFT is known. */
  decode_tokens = 0;
  decode_ms = 0;
  constructor(private readonly cap: number) {}
  push(item: WindowCall): void {
    this.items.push(item);
    this.tokens += item.tokens;
    this.llm_ms += item.llm_ms;
    this.decode_tokens += item.decode_ms ? item.tokens : 0;
    this.decode_ms += item.decode_ms ?? 0;
    while (this.items.length - this.head > this.cap || this.items[this.head]!.t < item.t - TPS_WINDOW_MS) this.drop();
    if (this.head > 4096) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
  get empty(): boolean {
    return this.items.length === this.head;
  }
  /** The newest `n` calls still in the window, oldest first (the page computes the same rate from them). */
  recent(n: number): WindowCall[] {
    return this.items.slice(Math.max(this.head, this.items.length - n));
  }
  private drop(): void {
    const old = this.items[this.head++]!;
    this.tokens -= old.tokens;
    this.llm_ms -= old.llm_ms;
    this.decode_tokens -= old.decode_ms ? old.tokens : 0;
    this.decode_ms -= old.decode_ms ?? 0;
  }
}

export interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  mean: number | null;
}

export function percentiles(values: number[]): Percentiles {
  if (!values.length) return { count: 0, p50: null, p95: null, p99: null, mean: null };
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  return { count: s.length, p50: at(50), p95: at(95), p99: at(99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}
