/**
 * A task run's plan (issue 13): every task a one-turn test in a fresh agent
 * session, retried up to `attempts` times; each attempt is a turn handed to
 * the one turn executor (src/runner/turn-executor.ts).
 */
import type { ChatMessage } from '../agents/types.js';
import type { AgentConfig } from '../config/agent.js';
import type { TestDefinition } from '../datasets/types.js';
import { ConfigError } from '../errors.js';
import type { ScheduleStep } from '../runner/scheduler.js';
import { evaluatorName } from '../scoring/task-scoring.js';
import type { TaskDataset } from './load.js';
import type { EvaluatorSpec, Task } from './schema.js';

export const DEFAULT_EVALUATOR: EvaluatorSpec = { type: 'exact' };

/** A task ready to send. */
export interface PlannedTask {
  task: Task;
  def: TestDefinition;
  evaluator: EvaluatorSpec;
  /** The messages before the prompt; empty for a prompt task. Given even when empty: it puts the agent in task mode. */
  history: ChatMessage[];
  /** Estimated prompt tokens (the step's `tokens`). */
  tokens: number;
}

/** A task as a GoodAI-shaped one-turn test definition. */
export function taskDefinition(dataset: string, task: Task, evaluator: EvaluatorSpec): TestDefinition {
  const exampleId = task.id.replace(/[^A-Za-z0-9._-]/g, '_');
  const last = task.messages ? (task.messages[task.messages.length - 1] as ChatMessage).content : (task.prompt as string);
  return {
    testId: `${dataset}/${exampleId}`,
    dataset,
    exampleId,
    script: [last],
    is_question: [true],
    waits: [{}],
    expected_responses: [task.expected],
    can_be_interleaved: false,
    is_temporal: false,
    uses_callback: false,
    evaluation: evaluatorName(evaluator),
  };
}

/**
 * Whether `dataset` has tasks a judge scores; throws the one-line config error
 * when it has and no judge is given, before anything is written or called.
 */
export function requireJudge(dataset: TaskDataset, evaluator: EvaluatorSpec | undefined, judgeConfig: AgentConfig | undefined): boolean {
  const fallback = dataset.evaluator ?? evaluator ?? DEFAULT_EVALUATOR;
  const judged = dataset.tasks.find((t) => (t.evaluator ?? fallback).type === 'judge');
  if (judged && !judgeConfig) {
    throw new ConfigError('CONFIG_INVALID', `${dataset.file}: task "${judged.id}": evaluator "judge" needs a judge: the suite's "judge" or --judge-config`);
  }
  return judged !== undefined;
}

/** The dataset's tasks, in file order, with their definitions and evaluators. */
export function planTasks(dataset: TaskDataset, fallback: EvaluatorSpec): PlannedTask[] {
  return dataset.tasks.map((task) => {
    const evaluator = task.evaluator ?? fallback;
    const def = taskDefinition(dataset.name, task, evaluator);
    const history = task.messages?.slice(0, -1);
    // An estimate (4 characters a token) keeps the tokenizer out of the run; usage comes from the server.
    return { task, def, evaluator, history: history ?? [], tokens: Math.ceil((def.script[0] as string).length / 4) };
  });
}

/** The turn of one attempt at `p`. */
export function attemptStep(p: PlannedTask, where: { turnId: number; lane: number; laneStep: number; attempt: number }): ScheduleStep {
  return {
    turnId: where.turnId,
    lane: where.lane,
    step: where.laneStep,
    kind: 'test',
    testId: p.def.testId,
    dataset: p.def.dataset,
    message: p.def.script[0] as string,
    isQuestion: true,
    lineIndex: 0,
    beginsTest: where.attempt === 1,
    endsTest: true,
    tokens: p.tokens,
    laneTokensBefore: 0,
  };
}
