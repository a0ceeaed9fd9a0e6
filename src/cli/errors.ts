import { RefereeError } from '../errors.js';

/**
 * The one place errors become output (STYLE.md 3): a RefereeError is one line
 * and its exit code; anything else is one line and exit 1, with the stack only
 * when REFEREE_DEBUG is set.
 */
export function reportError(err: unknown, stream: NodeJS.WritableStream = process.stderr): number {
  if (err instanceof RefereeError) {
    stream.write(`referee: ${oneLine(err.message)}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  stream.write(`referee: ${oneLine(e?.message ?? String(err))}\n`);
  if (process.env.REFEREE_DEBUG && e?.stack) stream.write(`${e.stack}\n`);
  return 1;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
