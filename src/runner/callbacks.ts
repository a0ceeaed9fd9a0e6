/**
 * Callbacks (issue 7): a test that registers one (GoodAI's prospective
 * memory) is shown every reply of its conversation from the registering line
 * on, whoever's test it belongs to, until its callback has decided.
 */
import type { TestDefinition } from '../datasets/types.js';
import { getCallbackScorer } from '../scoring/registry.js';
import type { CallbackVerdict } from '../scoring/prospective_memory.js';

interface Watch {
  def: TestDefinition;
  replies: string[];
  verdict?: CallbackVerdict;
}

export class CallbackWatch {
  private readonly watching = new Map<string, Watch>();
  private readonly decided = new Map<string, CallbackVerdict>();

  /** Starts watching; the reply to the registering line is the first one shown. */
  register(def: TestDefinition): void {
    this.watching.set(def.testId, { def, replies: [] });
  }

  /**
   * Shows a reply to every registered callback (GoodAI runs them after every
   * test's steps); returns the test ids whose callback decided and is
   * deregistered. `decide: false` only records the reply: GoodAI sends a
   * test's reset message after its callback check, so that reply is judged at
   * the next check (issue 12: DEREGISTER_CALLBACK lands where GoodAI's does).
   */
  observe(reply: string, decide = true): string[] {
    for (const w of this.watching.values()) w.replies.push(reply);
    return decide ? this.decide() : [];
  }

  /** GoodAI's `check_result_callbacks`: every callback judges the replies it has seen; returns those that decided. */
  decide(): string[] {
    const done: string[] = [];
    for (const [testId, w] of this.watching) {
      const scorer = getCallbackScorer(w.def.evaluation ?? w.def.dataset);
      let verdict: CallbackVerdict;
      try {
        verdict = scorer ? scorer(w.def, w.replies) : { score: 0, maxScore: 1, reasons: ['no callback for this evaluation'], done: true };
      } catch (err) {
        verdict = { score: 0, maxScore: 1, reasons: [`callback failed: ${(err as Error).message}`], done: true };
      }
      w.verdict = verdict;
      if (verdict.done) {
        this.decided.set(testId, verdict);
        this.watching.delete(testId);
        done.push(testId);
      }
    }
    return done;
  }

  /** The decision, or the latest word of a callback that never decided (its test ended first). */
  verdict(testId: string): CallbackVerdict | undefined {
    const v = this.decided.get(testId) ?? this.watching.get(testId)?.verdict;
    this.watching.delete(testId);
    return v;
  }
}
