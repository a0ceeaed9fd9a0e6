/**
 * The zod schema for a `.def.json` file in GoodAI's shape. `evaluation` (which
 * scorer) is read from older Referee files but no longer written: GoodAI's
 * loader raises on any key it does not know, and the scorer follows from the
 * dataset folder (issue 12).
 */
import { z } from 'zod';
import type { TestDefinitionFile } from './types.js';

export const WaitSchema = z.object({
  percentage_finished: z.number().min(0).max(100).optional(),
  tokens: z.number().int().min(0).optional(),
  time: z.number().min(0).optional(),
});

// Unknown keys are dropped rather than rejected: GoodAI's tools may write
// fields we do not use, and its definitions must stay loadable.
/** The keys of GoodAI's `TestExample.to_dict()`, static and dynamic alike. */
const DEFINITION_FIELDS = {
  script: z.array(z.string()),
  is_question: z.array(z.boolean()),
  waits: z.array(WaitSchema),
  expected_responses: z.array(z.unknown()),
  can_be_interleaved: z.boolean().default(true),
  is_temporal: z.boolean().default(false),
  uses_callback: z.boolean().default(false),
};

export const TestDefinitionFileSchema = z
  .object({
    ...DEFINITION_FIELDS,
    script: z.array(z.string()).min(1),
    evaluation: z.string().min(1).optional(),
  })
  .superRefine((def, ctx) => {
    // A temporal test (GoodAI's Jokes) has one more question than script
    // lines: the last question is written when it is asked (issue 7).
    const lines = def.script.length + (def.is_temporal && def.is_question.length === def.script.length + 1 ? 1 : 0);
    if (def.is_question.length !== lines) {
      ctx.addIssue({
        code: 'custom',
        path: ['is_question'],
        message: `has ${def.is_question.length} entries but script has ${def.script.length} lines`,
      });
    }
    if (def.waits.length !== lines) {
      ctx.addIssue({ code: 'custom', path: ['waits'], message: `has ${def.waits.length} entries but script has ${lines} lines` });
    }
    if (!def.is_question.includes(true)) {
      ctx.addIssue({ code: 'custom', path: ['is_question'], message: 'no script line is marked as a question' });
    }
  });

/** GoodAI's `DynamicExample` as written before it runs (Restaurant): its script is written during the run. */
export const DynamicDefinitionFileSchema = z.object(DEFINITION_FIELDS);

// Compile-time check that the schema's output still fits the hand-written interface.
const _fits: (v: z.output<typeof TestDefinitionFileSchema>) => TestDefinitionFile = (v) => v;
void _fits;
