/**
 * Task suites (issue 8, seed 004): single-turn tasks scored by an evaluator,
 * run as a models × datasets matrix. The zod schemas here are the single
 * source of truth for task files and suite YAMLs.
 */
import { z } from 'zod';

export const CodeLanguageSchema = z.enum(['javascript', 'python']);

/** An evaluator with its options. `expected` of the task is what it compares against. */
export const EvaluatorObjectSchema = z.discriminatedUnion('type', [
  /** Normalized (case, whitespace, trailing punctuation) equality. */
  z.strictObject({ type: z.literal('exact') }),
  /** A normalized expected answer occurs in the answer. */
  z.strictObject({ type: z.literal('contains') }),
  /** An expected pattern matches; flags @default "i". */
  z.strictObject({ type: z.literal('regex'), flags: z.string().regex(/^[dgimsuvy]*$/).optional() }),
  /** The last number in the answer within `tolerance` (absolute, or relative) of the expected. */
  z.strictObject({ type: z.literal('numeric'), tolerance: z.number().nonnegative().optional(), relative: z.boolean().optional() }),
  /** Extractive QA, SQuAD metric: score = token F1, pass = exact match (or F1 ≥ threshold). */
  z.strictObject({ type: z.literal('qa'), threshold: z.number().min(0).max(1).optional() }),
  /** The answer's JSON has the expected fields (all, or the dotted `fields`). */
  z.strictObject({ type: z.literal('json'), fields: z.array(z.string().min(1)).optional() }),
  /**
   * The LLM judge (the suite's `judge` agent, or --judge-config): GoodAI's checklist
   * against `expected`, or, with `criteria`, a pass/fail grade against them.
   */
  z.strictObject({ type: z.literal('judge'), criteria: z.string().min(1).optional() }),
  /** The answer's code run against `expected` (the tests) in a sandbox. */
  z.strictObject({
    type: z.literal('code'),
    language: CodeLanguageSchema,
    /** Wall-clock limit of one run, ms. @default 5000 */
    timeout_ms: z.number().int().positive().optional(),
    /** Memory limit, MB. @default 256 */
    memory_mb: z.number().int().min(32).optional(),
  }),
]);
export type EvaluatorSpec = z.infer<typeof EvaluatorObjectSchema>;

/** Evaluator names usable as a plain string. */
export const EVALUATOR_NAMES = ['exact', 'contains', 'regex', 'numeric', 'qa', 'json', 'judge', 'code_js', 'code_python'] as const;

/** A name or an object; names become objects. */
export const EvaluatorSchema = z.union([z.enum(EVALUATOR_NAMES), EvaluatorObjectSchema]).transform((v): EvaluatorSpec => {
  if (typeof v !== 'string') return v;
  if (v === 'code_js') return { type: 'code', language: 'javascript' };
  if (v === 'code_python') return { type: 'code', language: 'python' };
  return { type: v };
});
export type EvaluatorInput = z.input<typeof EvaluatorSchema>;

export const TaskMessageSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

/** One line of a task file: `{id, prompt | messages, expected, evaluator?, meta?}`. */
export const TaskSchema = z
  .strictObject({
    id: z.union([z.string().min(1), z.number()]).transform(String),
    /** The whole prompt, sent as one user message. */
    prompt: z.string().min(1).optional(),
    /** Or a conversation; its last message must be the user's. */
    messages: z.array(TaskMessageSchema).min(1).optional(),
    /** What the evaluator compares against (a list: any of them); the tests for `code`. */
    expected: z.unknown().optional(),
    /** Overrides the dataset's and the suite's evaluator. */
    evaluator: EvaluatorSchema.optional(),
    /** Free-form, kept in the results. */
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((t, ctx) => {
    if ((t.prompt === undefined) === (t.messages === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['prompt'], message: 'give exactly one of "prompt" and "messages"' });
    }
    if (t.messages && t.messages[t.messages.length - 1]?.role !== 'user') {
      ctx.addIssue({ code: 'custom', path: ['messages'], message: 'the last message must have role "user"' });
    }
    if (t.expected === undefined) ctx.addIssue({ code: 'custom', path: ['expected'], message: 'is required' });
  });
export type Task = z.infer<typeof TaskSchema>;

export const SuiteDatasetSchema = z.strictObject({
  /** Shown in reports and test ids. @default the file name without extension */
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only')
    .optional(),
  /** A `.jsonl` or `.csv` task file, relative to the suite file. */
  file: z.string().min(1),
  /** The evaluator of tasks that name none. */
  evaluator: EvaluatorSchema.optional(),
});

/** Defaults for every cell of the matrix; the CLI flags of `referee run --tasks` take the same names. */
export const SuiteDefaultsSchema = z.strictObject({
  /** @default "exact" */
  evaluator: EvaluatorSchema.default({ type: 'exact' }),
  /** Tries per task: a failed task is retried up to this many times in all, every attempt recorded. @default 1 */
  attempts: z.number().int().min(1).max(20).default(1),
  /** Pause before each task after a worker's first (lets a local GPU cool), seconds. @default 0 */
  cooling_s: z.number().nonnegative().default(0),
  /** Tasks in flight at once, each in its own agent session. @default 8 */
  concurrency: z.number().int().positive().max(1024).default(8),
  timeouts: z
    .strictObject({
      /** Per LLM call, seconds; overrides the agent's `timeouts.call_s`. */
      call_s: z.number().positive().optional(),
      /** Per code-execution run, seconds. @default 5 */
      code_s: z.number().positive().default(5),
    })
    .default({ code_s: 5 }),
  /** Memory limit of code execution, MB. @default 256 */
  code_memory_mb: z.number().int().min(32).default(256),
});
export type SuiteDefaults = z.infer<typeof SuiteDefaultsSchema>;

/** A suite YAML: datasets × agents, run as a matrix. */
export const SuiteSchema = z.strictObject({
  /** @default the suite file name */
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only')
    .optional(),
  datasets: z.array(SuiteDatasetSchema).min(1, 'at least one dataset is required'),
  /** Agent YAML paths (the same agent configs as the LTM runs), relative to the suite file. */
  agents: z.array(z.string().min(1)).min(1, 'at least one agent is required'),
  /** Agent YAML of the LLM judge that `judge` evaluators ask, relative to the suite file; its cost is managing cost. */
  judge: z.string().min(1).optional(),
  defaults: SuiteDefaultsSchema.default(SuiteDefaultsSchema.parse({})),
});
export type Suite = z.infer<typeof SuiteSchema>;
