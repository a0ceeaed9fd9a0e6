import { connect } from 'node:net';
import { proxyFor } from './proxy.js';

/**
 * Whether something listens at `url`'s host and port: one TCP connection, opened and closed. A
 * run's set-up asks before it creates its directory, so an agent that is not up fails with the
 * address and the real errno and leaves nothing behind; the OTLP export gate asks before each
 * export. Through a proxy the proxy answers for the origin: no probe. Resolves with null when
 * reachable, or the error code (ECONNREFUSED, ENOTFOUND, ETIMEDOUT, …). `unref`: the probe does
 * not keep the process alive (an exporter's, at exit); a caller that awaits it alone must not set it.
 */
export function unreachable(url: string | URL, timeoutMs = 5000, opts: { unref?: boolean } = {}): Promise<string | null> {
  const u = typeof url === 'string' ? new URL(url) : url;
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
    if (opts.unref) socket.unref();
  });
}
