import { RefereeError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

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
  return EXIT.error;
}

/**
 * issue 21: the one line for a usage error yargs found. An unknown command names
 * itself and a suggestion: yargs' "Did you mean run?" alone does not say what was wrong,
 * and its "Unknown command: x" alone does not say where to look.
 */
export function usageErrorLine(message: string, args: readonly string[]): string {
  const typed = args.find((a) => !a.startsWith('-'));
  const suggestion = /^Did you mean (\S+)\?$/.exec(message.trim());
  if (suggestion && typed !== undefined) return `referee: unknown command "${typed}": did you mean ${suggestion[1]}?`;
  const unknown = /^Unknown commands?: (\S+)/.exec(message.trim());
  if (unknown) return `referee: unknown command "${unknown[1]}" (referee --help lists the commands)`;
  return `referee: ${oneLine(message)}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
