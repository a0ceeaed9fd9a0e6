import { z } from 'zod';

/**
 * One fault the simulated model injects (issue 4), chosen per call: `at` lists
 * call numbers (1-based, in the order the server receives them), `every: N`
 * hits calls N, 2N, ..., `rate` hits that fraction of calls, drawn from `seed`
 * per call number so a run with the same seed meets the same faults.
 * The first matching fault of the list wins.
 */
export const SimFaultSchema = z
  .strictObject({
    /**
     * `hang`: accept the call, never answer. `status`: answer with an HTTP error
     * (`status`, optional `Retry-After`). `malformed`: a stream whose second chunk
     * is not JSON. `cut`: stream half the reply, then drop the connection.
     * `reset`: drop the connection before answering. `drip`: answer slowly,
     * `tokens_per_s` tokens a second. `text` (issue 22): a well-formed reply of `text` instead of
     * the model's own, e.g. a judge that does not answer in JSON.
     */
    kind: z.enum(['hang', 'status', 'malformed', 'cut', 'reset', 'drip', 'text']),
    /** HTTP status for `status`. @default 500 */
    status: z.number().int().min(400).max(599).optional(),
    /** `Retry-After` header, seconds, for `status`. */
    retry_after_s: z.number().int().nonnegative().optional(),
    /** The reply for `text`. */
    text: z.string().optional(),
    /** Output speed for `drip`. @default 2 */
    tokens_per_s: z.number().positive().optional(),
    /** Call numbers (1-based) that meet this fault. */
    at: z.array(z.number().int().positive()).min(1).optional(),
    /** Every Nth call meets this fault. */
    every: z.number().int().positive().optional(),
    /** Fraction of calls that meet this fault, drawn per call number from `seed`. */
    rate: z.number().min(0).max(1).optional(),
    /** Seed of `rate`. @default 0 */
    seed: z.number().int().nonnegative().default(0),
  })
  .superRefine((f, ctx) => {
    const selectors = [f.at, f.every, f.rate].filter((v) => v !== undefined).length;
    if (selectors !== 1) ctx.addIssue({ code: 'custom', path: ['at'], message: 'give exactly one of at, every or rate' });
    if (f.kind !== 'status' && (f.status !== undefined || f.retry_after_s !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: "status and retry_after_s only apply to kind 'status'" });
    }
    if ((f.kind === 'text') !== (f.text !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: "kind 'text' needs text, and text only applies to kind 'text'" });
    }
    if (f.kind !== 'drip' && f.tokens_per_s !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['tokens_per_s'], message: "tokens_per_s only applies to kind 'drip'" });
    }
  });

export type SimFault = z.infer<typeof SimFaultSchema>;
