import type { Reporter } from './reporter.js';

/** Calls a reporter hook on every reporter, in order, awaiting each. */
export type Emit = <K extends keyof Reporter>(hook: K, ...hookArgs: Parameters<NonNullable<Reporter[K]>>) => Promise<void>;

/** The `emit` of a set of reporters: a hook is called on each that has it, in order. */
export function emitTo(reporters: readonly Reporter[]): Emit {
  return async (hook, ...hookArgs) => {
    for (const r of reporters) {
      const fn = r[hook] as ((...a: unknown[]) => unknown) | undefined;
      if (fn) await fn.apply(r, hookArgs);
    }
  };
}
