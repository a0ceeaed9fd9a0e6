/**
 * issue 14: every writer applies the one redaction itself, so a secret that
 * reached a record by a path nobody redacted at the source still stays out of
 * the file or span: the JSONL writer (text and OTLP bytes), the atomic JSON
 * writer, and the span processor ahead of every exporter.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { JsonlWriter } from '../../src/artifacts/jsonl-writer.js';
import { writeJsonAtomic } from '../../src/artifacts/run-dir-writer.js';
import { registerSecrets } from '../../src/events/secrets.js';
import { RedactingSpanProcessor } from '../../src/telemetry/redacting-processor.js';
import { tempDir } from '../helpers.js';

const SECRET = `sk-writer/${process.pid}-${Date.now()}`;
registerSecrets([SECRET]);

describe('writers redact on their own', () => {
  it('JSONL text lines, OTLP byte lines and atomic JSON files', () => {
    const dir = tempDir('referee-redact-');
    const w = new JsonlWriter(join(dir, 'a.jsonl'));
    w.write({ error: `echo ${SECRET}`, url: 'http://user:pw@host/v1' });
    // JSON with an escaped slash, as some serialisers write it.
    w.writeLineBytes(Buffer.from(`{"v":"x ${SECRET.replace('/', '\\/')} y"}`));
    w.writeLineBytes(Buffer.from('{"clean":true}'));
    w.close();
    writeJsonAtomic(join(dir, 'b.json'), { message: SECRET });
    const a = readFileSync(join(dir, 'a.jsonl'), 'utf8');
    expect(a).toBe('{"error":"echo [redacted]","url":"http://[redacted]@host/v1"}\n{"v":"x [redacted] y"}\n{"clean":true}\n');
    expect(JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8'))).toEqual({ message: '[redacted]' });
  });

  it('spans: attributes, event attributes and the status message, before any exporter', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new RedactingSpanProcessor(), new SimpleSpanProcessor(exporter)] });
    const span = provider.getTracer('t').startSpan('chat');
    span.setAttribute('error.message', `HTTP 401: ${SECRET}`);
    span.setAttribute('list', ['ok', SECRET]);
    span.recordException(new Error(`stream said ${SECRET}`));
    span.setStatus({ code: 2, message: `bad key ${SECRET}` });
    span.end();
    await provider.forceFlush();
    const [done] = exporter.getFinishedSpans();
    expect(done!.attributes['error.message']).toBe('HTTP 401: [redacted]');
    expect(done!.attributes['list']).toEqual(['ok', '[redacted]']);
    expect(done!.events[0]!.attributes!['exception.message']).toBe('stream said [redacted]');
    expect(done!.status.message).toBe('bad key [redacted]');
    expect(JSON.stringify(done!.attributes) + JSON.stringify(done!.events)).not.toContain(SECRET);
  });
});
