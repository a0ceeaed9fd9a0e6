/**
 * W3C `TRACEPARENT` handed to a process (a launcher gives every shard the suite's): the run spans
 * the process starts become children of that span, so a trace viewer leads from the suite to every
 * shard's work. Only `@opentelemetry/api`: the span context is read, never exported from here.
 */
import { context, ROOT_CONTEXT, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { randomBytes } from 'node:crypto';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The remote parent in `traceparent`, or undefined for a missing or malformed one (telemetry never stops a run). */
export function parentFromTraceparent(value: string | undefined): Context | undefined {
  const m = TRACEPARENT.exec((value ?? '').trim().toLowerCase());
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) & TraceFlags.SAMPLED, isRemote: true });
}

/** Runs `body` under the span in `env.TRACEPARENT`, if any. */
export function withTraceparent<T>(env: NodeJS.ProcessEnv, body: () => T): T {
  const parent = parentFromTraceparent(env['TRACEPARENT']);
  return parent ? context.with(parent, body) : body();
}

/** A fresh sampled `traceparent`: the span a launcher names as the suite's. */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}
