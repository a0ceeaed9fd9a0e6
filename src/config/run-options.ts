import { z } from 'zod';
import { EVALUATOR_NAMES } from '../tasks/schema.js';
import { ComputeHourlySchema, MonitorTokenSchema } from './monitor-options.js';
import { TRACE_PER_CHOICES } from '../telemetry/trace-per.js';

/**
 * Options of `referee run`, the single source of its CLI flags (STYLE.md 5):
 * the CLI builds its yargs options from this schema and validates argv with it.
 */
export const RunFlagsSchema = z.object({
  'agent-config': z.string().optional().describe('Agent YAML (default: the built-in memory agent on the offline sim model)'),
  'dataset-config': z.string().optional().describe('Dataset YAML in the GoodAI shape (default: the built-in offline dataset)'),
  overrides: z.array(z.string()).default([]).describe('Patch a config field, key.path=value (repeatable; agent.* or dataset.*)'),
  // issue 21: one name for the runs directory on every command; run's old name stays an alias.
  'runs-dir': z.string().default('runs').describe('Runs directory; each run gets <runs-dir>/<run-id>/').meta({ aliases: ['output-dir'] }),
  concurrency: z.number().int().positive().optional().describe('Test conversations run at once, turns within one in order (default 1; task runs: the suite\'s defaults.concurrency, else 8)'),
  'run-id': z.string().regex(/^[A-Za-z0-9._-]+$/).optional().describe('Run id (default: <agent>-<timestamp>-<random>); match mode: the match directory; a suite: the prefix of its cells\' ids'),
  'progress-interval': z.number().positive().default(5).describe('Seconds between progress lines when stderr is not a TTY'),
  'allow-dataset-mismatch': z.boolean().default(false).describe('Run even if the dataset differs from the sha256 pinned in the dataset config'),
  quiet: z.boolean().default(false).describe('No progress output'),
  // issue 21: a machine-readable ending for scripts.
  json: z.boolean().default(false).describe('Print the final summary as JSON on stdout (instead of the run directory path and the next steps)'),
  // issue 7 (shared with match mode's own use: both layouts load through src/datasets/load.ts)
  'dataset-dir': z.string().optional().describe('Run an existing dataset: a Referee dataset dir or a GoodAI definitions folder (its definitions/config.yml is the dataset config unless --dataset-config is given)'),
  'judge-config': z.string().optional().describe('Agent YAML whose endpoint judges the evaluations GoodAI hands to an LLM, and task evaluators of type judge (costs go to managing_costs_usd)'),
  // Issue 6: the live monitor beside the run, in the same process.
  monitor: z.boolean().default(false).describe('Serve the live monitor on 127.0.0.1 while the run executes'),
  // issue 21: --port, as on `monitor`, `view` and `sim`; the old name stays an alias.
  port: z.number().int().min(0).max(65535).default(8080).describe('Port of the --monitor page (0: any free port)').meta({ aliases: ['monitor-port'] }),
  // issue 14: the same binding and token as `referee monitor`.
  host: z.string().min(1).optional().describe('With --monitor: interface to bind (default 127.0.0.1); anything but loopback requires --token'),
  token: MonitorTokenSchema.optional().describe('With --monitor: required on /api/* as "Authorization: Bearer <token>" or ?token= (default: $REFEREE_MONITOR_TOKEN)'),
  'compute-hourly-usd': ComputeHourlySchema,
  // issue 17 (seed 003 A6, A9): the seed and the prices without writing an --overrides path.
  seed: z.number().int().nonnegative().optional().describe('Seed of the dataset generators and the schedule (sets dataset datasets.args.seed; LTM and match runs)'),
  'input-price-per-mtok': z.number().nonnegative().optional().describe('USD per million input tokens, overriding the price table (sets agent pricing.input_per_mtok)'),
  'output-price-per-mtok': z.number().nonnegative().optional().describe('USD per million output tokens, overriding the price table (sets agent pricing.output_per_mtok)'),
  // issue 3: the system/GPU sampler
  'sample-interval': z.number().positive().default(2).describe('Seconds between system/GPU telemetry samples (events.jsonl and metrics)'),
  // Task suites (issue 8): a suite YAML, or one task file with --agent-config.
  suite: z.string().optional().describe('Suite YAML: run its agents x datasets matrix of single-turn tasks'),
  tasks: z.string().optional().describe('A task file (.jsonl or .csv) to run against --agent-config'),
  evaluator: z.enum(EVALUATOR_NAMES).optional().describe('Evaluator of --tasks tasks that name none (default exact; judge asks --judge-config)'),
  // issue 14
  'unsafe-code-exec': z.boolean().default(false).describe('Task runs: where bubblewrap is missing, run model-written code WITHOUT a sandbox (warns on every run); refused for runs that execute no code'),
  attempts: z.number().int().min(1).max(20).optional().describe('Tries per task: a failed task is retried, every attempt recorded (default 1)'),
  // Past one machine: a shard of a task run or suite; `referee merge` puts the shards together.
  shard: z.string().regex(/^\d+\/\d+$/, 'i/N, for example 2/4').optional().describe('Task runs and suites: run only shard i of N (for example 2/4), every shard with the same --run-id; referee merge writes the whole run from the shards'),
  'cooling-s': z.number().nonnegative().optional().describe('Pause before each task, seconds: the Cooling stage (default 0)'),
  // issue 13: honest endings
  // issue 22: left out, a run with tests not answered (a scored call failed) exits 5 and stays out of the history.
  'max-failed-turns': z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe(
      'Share of failed turns (0..1) above which the run ends failed: exit 4, kept out of benchmark_history.jsonl. Left out: only a run in which every turn failed fails, and one with tests not answered (a scored call failed) exits 5, also kept out; given, that share alone decides',
    ),
  'trace-per': z
    .enum(TRACE_PER_CHOICES)
    .default('auto')
    .describe('Telemetry: run (the whole run one trace), test (each test its own trace, linked to the run\'s, a Phoenix session), auto (test above 400 planned turns)'),
  resume: z.string().min(1).optional().describe('Continue a killed or interrupted run from its run directory (configs and concurrency come from its run.json)'),
  // Match mode (issue 5): see src/match/run-match.ts.
  'compare-with': z.string().optional().describe('Match mode: the challenger agent YAML; both agents run on one dataset and are compared'),
  parallel: z.boolean().default(false).describe('Match mode: run both agents side by side instead of one after the other'),
  'agent-timeout': z.number().positive().optional().describe("Match mode: stop an agent's process that has not finished after this many seconds"),
  // issue 12: GoodAI's -i
  isolated: z.boolean().default(false).describe("GoodAI's -i: each test alone in its own conversation (no interleaving, no filler between its lines); GoodAI-shaped runs only"),
  role: z.enum(['champion', 'challenger']).optional().describe('Internal (match mode): this run\'s role, recorded in run.json and the telemetry resource'),
});
export type RunFlags = z.infer<typeof RunFlagsSchema>;

type YargsType = 'string' | 'number' | 'boolean' | 'array';

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) {
    s = s.unwrap() as z.ZodType;
  }
  return s;
}

interface YargsOption {
  type: YargsType;
  describe?: string;
  default?: unknown;
  string?: boolean;
  hidden?: boolean;
  alias?: string[];
}

/**
 * issue 21: a flag's other names, set on its schema field as `.meta({ aliases: [...] })`
 * (last, after `.describe()`), so the schema stays the one source of the flags.
 */
function aliasesOf(field: z.ZodType): string[] {
  const aliases = field.meta()?.['aliases'];
  return Array.isArray(aliases) ? aliases.filter((a): a is string => typeof a === 'string') : [];
}

/** yargs option definitions derived from a flat zod object schema. */
export function yargsOptionsFromSchema(schema: z.ZodObject): Record<string, YargsOption> {
  const out: Record<string, YargsOption> = {};
  for (const [key, field] of Object.entries(schema.shape) as [string, z.ZodType][]) {
    const inner = unwrap(field);
    const type: YargsType =
      inner instanceof z.ZodNumber ? 'number' : inner instanceof z.ZodBoolean ? 'boolean' : inner instanceof z.ZodArray ? 'array' : 'string';
    const def = field instanceof z.ZodDefault ? (field.def.defaultValue as unknown) : undefined;
    out[key] = {
      type,
      ...(field.description ? { describe: field.description } : {}),
      // issue 17: a flag documented as internal is accepted but not shown in --help.
      ...(field.description?.startsWith('Internal') ? { hidden: true } : {}),
      ...(def !== undefined && type !== 'array' ? { default: def } : {}),
      ...(type === 'array' ? { string: true } : {}),
      ...(aliasesOf(field).length ? { alias: aliasesOf(field) } : {}),
    };
  }
  return out;
}
