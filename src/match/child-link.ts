/**
 * The child side of a match: a `referee run` started by a match parent has an
 * IPC channel to it. The parent asks for a graceful stop with an `abort`
 * message (idempotent, unlike a second SIGINT, which quits at once), and a
 * parent that dies (channel closed) stops the child the same way, so no agent
 * run outlives its match.
 */
export const ABORT_MESSAGE = 'referee:abort';

/** Calls `onAbort` when the parent asks or disappears; returns the detach function. No-op without a parent channel. */
export function linkToMatchParent(onAbort: (why: string) => void, proc: NodeJS.Process = process): () => void {
  if (!proc.send || !proc.connected) return () => {};
  const onMessage = (msg: unknown): void => {
    if (msg === ABORT_MESSAGE) onAbort('stopped by the match');
  };
  const onDisconnect = (): void => onAbort('the match process went away');
  // Issue 13: a dead parent closes the pipes too; writing the last lines must not crash the child with EPIPE.
  const onPipeError = (err: NodeJS.ErrnoException): void => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  };
  proc.stdout.on('error', onPipeError);
  proc.stderr.on('error', onPipeError);
  proc.on('message', onMessage);
  proc.on('disconnect', onDisconnect);
  return () => {
    proc.off('message', onMessage);
    proc.off('disconnect', onDisconnect);
    // Listening kept the channel referenced; let the process exit once the run is done.
    if (proc.connected) proc.disconnect();
  };
}
