import { EXIT } from '../exit-codes.js';
/**
 * Ctrl-C (or SIGTERM) aborts the returned controller, so a run finishes writing
 * what is done; a second one quits at once. `dispose` removes the handlers.
 */
export function abortOnInterrupt(): { abort: AbortController; dispose: () => void } {
  const abort = new AbortController();
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write('\n[referee] interrupted: writing what is done (Ctrl-C again to quit now)\n');
    abort.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    abort,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Resolves on the first SIGINT or SIGTERM: how the long-running servers (`sim`, `monitor`) wait to stop. */
export function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
