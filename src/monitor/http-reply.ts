import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import { NotFound } from './views.js';

/** How the monitor's server answers: its headers, JSON bodies, query parsing and the one place an error becomes a status. */

export const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // Defence in depth: the page renders model text with textContent; even so no inline script may run.
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS });
  res.end(text);
}

function queryOf(url: URL): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of url.searchParams) q[k] = v;
  return q;
}

export function parseQuery<S extends z.ZodType>(schema: S, url: URL): z.infer<S> {
  const r = schema.safeParse(queryOf(url));
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.length ? issue.path.join('.') : (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : 'query');
    throw new BadRequest(`${url.pathname}: query parameter ${field}: ${issue.message}`);
  }
  return r.data;
}

export class BadRequest extends Error {}

/** The one place a failed request becomes its status: 400, 404 or 500. */
export function fail(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof BadRequest) sendJson(res, 400, { error: err.message });
  else if (err instanceof NotFound) sendJson(res, 404, { error: err.message });
  else sendJson(res, 500, { error: (err as Error).message });
}
