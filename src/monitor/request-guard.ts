/**
 * issue 14: who may talk to the monitor. A page at `http://rebind.evil.test:PORT`
 * whose name resolves to 127.0.0.1 read the whole snapshot (DNS rebinding):
 * the browser sends that name as Host, so only names the monitor answers to
 * pass. IP literals pass (rebinding needs a name); so do the loopback names and
 * the `--host` given. Cross-origin API calls (Origin of another site) are refused.
 */
import { isIP } from 'node:net';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/** The names (lowercase, no port, no brackets) the monitor answers to. */
export function allowedHostNames(host: string): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  names.add(bare(host));
  return names;
}

function bare(name: string): string {
  return name.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

/** `name:port`, `[v6]:port` or `name` → the name. */
function hostName(hostHeader: string): string {
  const h = hostHeader.trim();
  if (h.startsWith('[')) return bare(h.slice(0, h.indexOf(']') + 1));
  const colon = h.lastIndexOf(':');
  return bare(colon > -1 && h.indexOf(':') === colon ? h.slice(0, colon) : h);
}

/** Whether a request's Host header names this monitor. A missing Host (HTTP/1.0 tools) passes: no browser omits it. */
export function hostAllowed(hostHeader: string | undefined, allowed: Set<string>): boolean {
  if (hostHeader === undefined) return true;
  const name = hostName(hostHeader);
  return allowed.has(name) || isIP(name) !== 0 || name.endsWith('.localhost');
}

/** Whether an Origin header (absent on same-origin GETs and non-browser clients) is this monitor's own. */
export function originAllowed(origin: string | undefined, allowed: Set<string>, port: number): boolean {
  if (origin === undefined) return true;
  try {
    const u = new URL(origin);
    const p = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    return (u.protocol === 'http:' || u.protocol === 'https:') && p === port && hostAllowed(u.host, allowed);
  } catch {
    return false;
  }
}

/** The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive (RFC 9110 11.1). */
export function bearerToken(authorization: string | undefined): string | undefined {
  return authorization ? /^bearer[ \t]+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
}
