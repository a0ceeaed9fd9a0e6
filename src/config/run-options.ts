import { z } from 'zod';

/**
 * Options of `referee run`, the single source of its CLI flags (STYLE.md 5):
 * the CLI builds its yargs options from this schema and validates argv with it.
 */
export const RunFlagsSchema = z.object({
  'agent-config': z.string().optional().describe('Agent YAML (default: the built-in memory agent on the offline sim model)'),
  'dataset-config': z.string().optional().describe('Dataset YAML in the GoodAI shape (default: the built-in offline dataset)'),
  overrides: z.array(z.string()).default([]).describe('Patch a config field, key.path=value (repeatable; agent.* or dataset.*)'),
  'output-dir': z.string().default('runs').describe('Output root; each run gets <output-dir>/<run-id>/'),
  concurrency: z.number().int().positive().default(1).describe('Test conversations run at once (turns within one stay in order)'),
  'run-id': z.string().regex(/^[A-Za-z0-9._-]+$/).optional().describe('Run id (default: <agent>-<timestamp>-<random>)'),
  'progress-interval': z.number().positive().default(5).describe('Seconds between progress lines when stderr is not a TTY'),
  'allow-dataset-mismatch': z.boolean().default(false).describe('Run even if the dataset differs from the sha256 pinned in the dataset config'),
  quiet: z.boolean().default(false).describe('No progress output'),
  // Match mode (issue 5): see src/match/run-match.ts.
  'compare-with': z.string().optional().describe('Match mode: the challenger agent YAML; both agents run on one dataset and are compared'),
  parallel: z.boolean().default(false).describe('Match mode: run both agents side by side instead of one after the other'),
  'agent-timeout': z.number().positive().optional().describe("Match mode: stop an agent's process that has not finished after this many seconds"),
  'dataset-dir': z.string().optional().describe('Internal (match mode): run on this already generated dataset directory'),
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

/** yargs option definitions derived from a flat zod object schema. */
export function yargsOptionsFromSchema(schema: z.ZodObject): Record<string, { type: YargsType; describe?: string; default?: unknown; string?: boolean }> {
  const out: Record<string, { type: YargsType; describe?: string; default?: unknown; string?: boolean }> = {};
  for (const [key, field] of Object.entries(schema.shape) as [string, z.ZodType][]) {
    const inner = unwrap(field);
    const type: YargsType =
      inner instanceof z.ZodNumber ? 'number' : inner instanceof z.ZodBoolean ? 'boolean' : inner instanceof z.ZodArray ? 'array' : 'string';
    const def = field instanceof z.ZodDefault ? (field.def.defaultValue as unknown) : undefined;
    out[key] = {
      type,
      ...(field.description ? { describe: field.description } : {}),
      ...(def !== undefined && type !== 'array' ? { default: def } : {}),
      ...(type === 'array' ? { string: true } : {}),
    };
  }
  return out;
}
