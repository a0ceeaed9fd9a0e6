/**
 * A definition's bytes as GoodAI's `TestExample.save` writes them (issue 25):
 * `json.dump(to_dict(), fd, indent=2)`: GoodAI's keys in its order, Python's spacing and ASCII
 * escapes, no newline at the end, and `percentage_finished` a float (`30.0`), as GoodAI computes it.
 */
import { pyJsonDumps, PyFloat } from './py-json-dumps.js';
import type { TestDefinitionFile } from './types.js';

export function goodaiDefJson(def: TestDefinitionFile): string {
  return pyJsonDumps(
    {
      script: def.script,
      is_question: def.is_question,
      waits: def.waits.map((w) => ({
        ...(w.tokens !== undefined ? { tokens: w.tokens } : {}),
        ...(w.time !== undefined ? { time: w.time } : {}),
        ...(w.percentage_finished !== undefined ? { percentage_finished: new PyFloat(w.percentage_finished) } : {}),
      })),
      expected_responses: def.expected_responses,
      can_be_interleaved: def.can_be_interleaved,
      is_temporal: def.is_temporal,
      uses_callback: def.uses_callback,
    },
    2,
  );
}
