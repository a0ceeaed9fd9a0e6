/**
 * A dynamic test (GoodAI's `DynamicExample`): its next message depends on what an LLM reads in the
 * agent's replies, so its definition is empty and a script object writes its lines as the run goes.
 * The lane plan hands out what `actions` holds; the lane awaits `afterReply` (which asks the judge
 * and pushes the next actions, or ends the script) before the plan learns the reply.
 */
import type { JudgeMessages } from '../scoring/judge.js';
import type { DatasetGenerator, TestDefinition, Wait } from './types.js';

/** A message the script sends (its text and whether its reply is an answer), or a wait after one. */
export type DynamicAction = { kind: 'send'; line: number; message: string; isQuestion: boolean } | { kind: 'wait'; wait: Wait };

/** One judge call: GoodAI's `ask_llm(context, model)`; the reply text, or a throw when the call failed. */
export type AskLlm = (prompt: JudgeMessages, model: string) => Promise<string>;

/** GoodAI's `DynamicExample.evaluate`: its score out of its max score, its reasoning. */
export interface DynamicVerdict {
  score: number;
  maxScore: number;
  reasons: string[];
  /** GoodAI's `expected_responses`, as the script filled them in. */
  expectedResponses: string[];
  /** Set when a judge call failed: the test's score is the judge's failure, not the agent's. */
  judgeError?: string;
}

export interface DynamicScript {
  /** The live list of actions the plan steps through; the script appends to it. */
  readonly actions: DynamicAction[];
  /** Runs the script on with the reply to the last message sent, up to its next message or its end. */
  afterReply(reply: string, ask: AskLlm): Promise<void>;
  /**
   * The same, on a resume's rebuild of the schedule: the judge's replies as recorded (`llm_call`
   * events), in order; where they run out, the script stops there (the rebuild ends at that reply).
   */
  replay(reply: string, recorded: () => string | undefined): void;
  verdict(): DynamicVerdict;
}

export interface DynamicDatasetGenerator extends DatasetGenerator {
  dynamicScript(def: TestDefinition): DynamicScript;
}

export function isDynamicGenerator(g: DatasetGenerator | undefined): g is DynamicDatasetGenerator {
  return g !== undefined && typeof (g as Partial<DynamicDatasetGenerator>).dynamicScript === 'function';
}
