/**
 * issue 22: how many tokens of prompt a built-in agent may send, counted with its own tokenizer
 * and corrected by what the server reports.
 *
 * The agent counts a message's text (`tokenizer:` in its config) plus a few tokens of chat format
 * per message. The server counts the prompt as the model sees it: its chat template's markers,
 * its own tokenizer when the agent's is another model's (cl100k on a Llama is 7-18% short). So
 * every response's `prompt_tokens` is set against what the agent had counted for that prompt,
 * and the budget divides by the largest ratio seen lately; a context-length error that names the
 * prompt's size teaches the same, and one that does not raises the ratio by a step. A margin of
 * the window (2%, at least 16 tokens) is kept free on top.
 */
import type { ContextOverflow } from './llm/context-errors.js';

/** Responses whose ratio is remembered: the largest of them is the one budgeted with. */
const RATIO_WINDOW = 32;
/** How much a context-length error without numbers raises the ratio. */
const BLIND_STEP = 1.1;

export interface BudgetOptions {
  /** The agent's `context_size`: prompt and reply together. */
  contextSize: number;
  /** The reply's room (`llm.max_tokens`). */
  maxTokens: number;
}

export class ContextBudget {
  private readonly ratios: number[] = [];
  /** A ratio learnt from a context-length error; kept until a larger one is seen. */
  private floorRatio = 1;
  /** The window the server said it has, when smaller than `context_size`. */
  private serverContext: number | undefined;

  constructor(private readonly opts: BudgetOptions) {}

  /** Tokens kept free for the difference between the agent's count and the server's. */
  get margin(): number {
    return Math.max(16, Math.ceil(this.window * 0.02));
  }

  /** The ratio the agent's counts are multiplied by: server tokens per counted token. */
  get ratio(): number {
    return Math.max(this.floorRatio, ...this.ratios, 1);
  }

  private get window(): number {
    return Math.min(this.opts.contextSize, this.serverContext ?? Infinity);
  }

  /** Prompt tokens, as the agent counts them, that fit beside the reply and the margin. */
  get promptBudget(): number {
    const serverTokens = this.window - this.opts.maxTokens - this.margin;
    return Math.max(0, Math.floor(serverTokens / this.ratio));
  }

  /** A response said the prompt the agent had counted as `counted` was `reported` tokens. */
  observe(counted: number, reported: number): void {
    if (!(counted > 0) || !(reported > 0)) return;
    this.ratios.push(reported / counted);
    if (this.ratios.length > RATIO_WINDOW) this.ratios.shift();
  }

  /**
   * A context-length error on a prompt the agent had counted as `counted`: learn what it said
   * (the prompt's real size, the server's window), or, where it said nothing, assume a step more.
   */
  overflowed(counted: number, info: ContextOverflow): void {
    if (info.contextTokens !== undefined && info.contextTokens > 0 && info.contextTokens < this.opts.contextSize) this.serverContext = info.contextTokens;
    if (info.promptTokens !== undefined && counted > 0) {
      this.floorRatio = Math.max(this.floorRatio, info.promptTokens / counted);
    } else {
      this.floorRatio = this.ratio * BLIND_STEP;
    }
  }
}
