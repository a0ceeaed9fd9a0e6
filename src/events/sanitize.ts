/**
 * The metadata sanitizer (seed 001 2.1, issue 4): an agent that returns a
 * 100 MB rationale must not turn transcripts.jsonl into a 100 MB file. Over
 * the limit, the metadata is replaced by what was there, not what it said.
 */
import { truncateUtf8 } from '../agents/llm/openai-client.js';

/** Largest agent metadata kept, as JSON bytes (seed 001: 50 KB). */
export const METADATA_LIMIT_BYTES = 50 * 1024;
/** Raw model output kept in events.jsonl, head-truncated (seed 003 A3: 4 KB). */
export const RAW_OUTPUT_LIMIT_BYTES = 4 * 1024;

/** `metadata` itself, or seed 001's `{error, truncated_keys}` when its JSON exceeds `limitBytes` (or cannot be serialised). */
export function sanitizeMetadata(metadata: Record<string, unknown>, limitBytes: number = METADATA_LIMIT_BYTES): Record<string, unknown> {
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(metadata) ?? '');
  } catch (err) {
    return { error: `metadata could not be serialised: ${(err as Error).message}`, truncated_keys: Object.keys(metadata) };
  }
  if (size <= limitBytes) return metadata;
  return { error: `Metadata exceeded ${Math.round(limitBytes / 1024)}KB limit`, truncated_keys: Object.keys(metadata) };
}

/** The first `limitBytes` of `text` (whole UTF-8 characters) and whether anything was cut. */
export function headTruncate(text: string, limitBytes: number = RAW_OUTPUT_LIMIT_BYTES): { text: string; truncated: boolean } {
  return truncateUtf8(text, limitBytes);
}
