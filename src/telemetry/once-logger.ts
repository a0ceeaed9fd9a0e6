import type { DiagLogger } from '@opentelemetry/api';

/**
 * The SDK's diagnostic logger: each problem once, on one line, on stderr, so a
 * dead collector never floods a benchmark's output (STYLE.md 7). Which levels
 * arrive here is OTEL_LOG_LEVEL's call (setup.ts).
 */
export class OnceLogger implements DiagLogger {
  private readonly seen = new Set<string>();
  private say(level: string, raw: unknown, args: unknown[]): void {
    const message = oneLineMessage([raw, ...args].map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' '));
    const key = `${level}:${message.slice(0, 80)}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    process.stderr.write(`referee: telemetry ${level}: ${message}\n`);
  }
  error = (message: string, ...args: unknown[]): void => this.say('error', message, args);
  warn = (message: string, ...args: unknown[]): void => this.say('warning', message, args);
  info = (message: string, ...args: unknown[]): void => this.say('info', message, args);
  debug = (message: string, ...args: unknown[]): void => this.say('debug', message, args);
  verbose = (message: string, ...args: unknown[]): void => this.say('verbose', message, args);
}

function safeJson(v: unknown): string {
  if (v instanceof Error) return v.message;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** The SDK logs some errors as a JSON-serialised Error with its stack: keep the message, on one line. */
export function oneLineMessage(raw: unknown): string {
  let text = typeof raw === 'string' ? raw : String(raw);
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { message?: unknown };
      if (typeof parsed.message === 'string') text = parsed.message;
    } catch {
      /* not JSON after all */
    }
  }
  text = text.replace(/\s*\n\s*/g, ' ');
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}
