import { connect } from 'node:net';
import { proxyFor } from './proxy.js';

/**
 * Whether something listens at `url`'s host and port: a TCP connection, opened and closed, before a
 * run creates its directory, so an agent that is not up fails the set-up with the address and the
 * real errno and leaves nothing behind. Through a proxy the proxy answers for the origin: no probe.
 * Resolves with null when reachable, or the error code (ECONNREFUSED, ENOTFOUND, ETIMEDOUT, …).
 */
export function unreachable(url: string, timeoutMs = 5000): Promise<string | null> {
  const u = new URL(url);
  if (proxyFor(u)) return Promise.resolve(null);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (code: string | null): void => {
      socket.destroy();
      resolve(code);
    };
    socket.setTimeout(timeoutMs, () => done('ETIMEDOUT'));
    socket.once('connect', () => done(null));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}
