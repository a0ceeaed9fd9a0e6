/**
 * At a run's end, before runstats.json is written: the run's spans are flushed to the exporters and
 * those whose export failed (a collector down for part of the run) are sent again from its
 * spans.jsonl (resend.ts), so the run's own summary says how many were, and how many are still
 * only in the record. What fails after (a suite's later cells, the process's exit) is sent again,
 * or named on stderr, at shutdown.
 */
import type { RunStats } from '../artifacts/schemas.js';
import { resendFailedSpans } from './resend.js';
import { activeTelemetry } from './setup.js';

/** Per request of the resend: the OTLP exporter's own default timeout. */
const RESEND_TIMEOUT_MS = 2500;

/** `spans_resent` and `spans_unsent` of runstats.json; nothing where no OTLP export is configured. */
export async function resendRunSpans(runDir: string): Promise<Pick<RunStats, 'spans_resent' | 'spans_unsent'>> {
  const telemetry = activeTelemetry();
  if (!telemetry?.otlp) return {};
  try {
    await telemetry.forceFlush();
    const r = await resendFailedSpans([runDir], RESEND_TIMEOUT_MS, process.env, true);
    return { spans_resent: r.resent, spans_unsent: r.found - r.resent };
  } catch {
    return {};
  }
}
