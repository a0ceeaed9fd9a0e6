/**
 * A real on-disk long-term memory: an append-only `memory.jsonl` (one
 * `{id, ts, role, text}` record a line, written through a persistent fd so a
 * crash loses nothing already written) and an in-memory BM25 index rebuilt
 * from the file on open, so a resumed run keeps its memory. A torn last line,
 * or any unreadable line, is skipped.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { OpenInferenceSpanKind, SemanticConventions as OI } from '@arizeai/openinference-semantic-conventions';
import { AgentError } from '../../errors.js';
import { ATTR, SPAN, TRACER_NAME } from '../../telemetry/names.js';
import { truncateUtf8 } from '../llm/openai-client.js';

export type MemoryRole = 'user' | 'assistant' | 'system';

export interface MemoryRecord {
  /** Sequential from 0 in the order written. */
  id: number;
  /** ISO-8601 time of writing. */
  ts: string;
  role: MemoryRole;
  text: string;
}

export interface MemoryHit {
  record: MemoryRecord;
  /** BM25 score; higher is more relevant. */
  score: number;
}

export interface MemoryStoreOptions {
  /** @default "memory.jsonl" */
  fileName?: string;
  /** BM25 term-frequency saturation. @default 1.2 */
  k1?: number;
  /** BM25 length normalisation. @default 0.75 */
  b?: number;
}

export const MEMORY_FILE = 'memory.jsonl';

/** Words too common to say anything about relevance. */
const STOPWORDS = new Set(
  'a an and are as at be been but by did do does for from had has have i if in is it its me my of on or so that the their them they this to was we were what when where which who will with you your'.split(
    ' ',
  ),
);
const WORD = /[\p{L}\p{N}]+/gu;

/** Lowercased word tokens without stopwords. */
export function memoryTerms(text: string): string[] {
  const words = text.toLowerCase().match(WORD);
  if (!words) return [];
  return words.filter((w) => !STOPWORDS.has(w)).map(stem);
}

/** A light plural stemmer, so "names" finds "name" and "apples" finds "apple". */
function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return word.slice(0, -3) + 'y';
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us')) return word.slice(0, -1);
  return word;
}

const tracer = () => trace.getTracer(TRACER_NAME);

export class MemoryStore {
  readonly path: string;
  /** Lines that could not be read when the store was opened (a torn last line, corruption). */
  readonly skippedLines: number;
  private fd: number | undefined;
  private readonly k1: number;
  private readonly b: number;
  private readonly all: MemoryRecord[] = [];
  private readonly docLength: number[] = [];
  private totalLength = 0;
  /** term → flat [docIndex, termFrequency, docIndex, termFrequency, …], doc indexes ascending. */
  private readonly postings = new Map<string, number[]>();
  private nextId = 0;
  /** The file ended without a newline: the next write starts on a fresh line. */
  private needsNewline = false;

  private constructor(path: string, opts: MemoryStoreOptions) {
    this.path = path;
    this.k1 = opts.k1 ?? 1.2;
    this.b = opts.b ?? 0.75;
    let skipped = 0;
    let content = '';
    try {
      if (existsSync(path)) content = readFileSync(path, 'utf8');
      if (content.length > 0 && !content.endsWith('\n')) this.needsNewline = true;
      for (const line of content.split('\n')) {
        if (line.trim().length === 0) continue;
        const record = parseRecord(line);
        if (record) this.index(record);
        else skipped++;
      }
      this.fd = openSync(path, 'a');
    } catch (err) {
      throw storeError(path, 'could not open', err);
    }
    this.skippedLines = skipped;
  }

  /** Opens (creating if needed) the store in `dir` and rebuilds its index. */
  static open(dir: string, opts: MemoryStoreOptions = {}): MemoryStore {
    return withSpan('open', (span) => {
      try {
        mkdirSync(dir, { recursive: true });
      } catch (err) {
        throw storeError(dir, 'could not create directory', err);
      }
      const store = new MemoryStore(join(dir, opts.fileName ?? MEMORY_FILE), opts);
      span.setAttribute(ATTR.storageHits, store.size);
      return store;
    }).value;
  }

  /** Number of records. */
  get size(): number {
    return this.all.length;
  }

  /** Every record, oldest first. Do not mutate. */
  get records(): readonly MemoryRecord[] {
    return this.all;
  }

  /** Appends records (one write call) and indexes them. `ms` is the time spent. */
  write(items: ReadonlyArray<{ role: MemoryRole; text: string }>): { records: MemoryRecord[]; ms: number } {
    const { value, ms } = withSpan('write', (span) => {
      if (this.fd === undefined) throw storeError(this.path, 'write after close');
      const ts = new Date().toISOString();
      const records = items.map((item) => ({ id: this.nextId++, ts, role: item.role, text: item.text }));
      let out = this.needsNewline ? '\n' : '';
      for (const r of records) out += `${JSON.stringify(r)}\n`;
      try {
        const bytes = Buffer.from(out, 'utf8');
        let offset = 0;
        while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
      } catch (err) {
        throw storeError(this.path, 'could not write', err);
      }
      this.needsNewline = false;
      for (const r of records) this.index(r);
      span.setAttribute(ATTR.storageHits, records.length);
      return records;
    });
    return { records: value, ms };
  }

  /** The `k` records most relevant to `query` by BM25, best first (ties: newest first). */
  search(query: string, k: number): { hits: MemoryHit[]; ms: number } {
    const { value, ms } = withSpan('search', (span) => {
      try {
        span.setAttribute(OI.OPENINFERENCE_SPAN_KIND, OpenInferenceSpanKind.RETRIEVER);
        span.setAttribute(OI.INPUT_VALUE, truncateUtf8(query).text);
      } catch {
        // telemetry never breaks a search
      }
      const hits = this.rank(query, k);
      span.setAttribute(ATTR.storageHits, hits.length);
      return hits;
    });
    return { hits: value, ms };
  }

  private rank(query: string, k: number): MemoryHit[] {
    const n = this.all.length;
    if (n === 0 || k <= 0) return [];
    const terms = [...new Set(memoryTerms(query))];
    const avgLength = this.totalLength / n || 1;
    const scores = new Map<number, number>();
    for (const term of terms) {
      const list = this.postings.get(term);
      if (!list) continue;
      const df = list.length / 2;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (let j = 0; j < list.length; j += 2) {
        const doc = list[j] as number;
        const tf = list[j + 1] as number;
        const norm = (tf * (this.k1 + 1)) / (tf + this.k1 * (1 - this.b + (this.b * (this.docLength[doc] as number)) / avgLength));
        scores.set(doc, (scores.get(doc) ?? 0) + idf * norm);
      }
    }
    const ranked = [...scores.entries()].sort((x, y) => y[1] - x[1] || y[0] - x[0]);
    return ranked.slice(0, k).map(([doc, score]) => ({ record: this.all[doc] as MemoryRecord, score }));
  }

  private index(record: MemoryRecord): void {
    const doc = this.all.length;
    this.all.push(record);
    if (record.id >= this.nextId) this.nextId = record.id + 1;
    const terms = memoryTerms(record.text);
    this.docLength.push(terms.length);
    this.totalLength += terms.length;
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [term, count] of tf) {
      const list = this.postings.get(term);
      if (list) list.push(doc, count);
      else this.postings.set(term, [doc, count]);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}

function parseRecord(line: string): MemoryRecord | undefined {
  try {
    const r = JSON.parse(line) as Partial<MemoryRecord> | null;
    if (
      r &&
      typeof r === 'object' &&
      typeof r.id === 'number' &&
      Number.isInteger(r.id) &&
      r.id >= 0 &&
      typeof r.text === 'string' &&
      (r.role === 'user' || r.role === 'assistant' || r.role === 'system')
    ) {
      return { id: r.id, ts: typeof r.ts === 'string' ? r.ts : '', role: r.role, text: r.text };
    }
  } catch {
    // torn or corrupt line
  }
  return undefined;
}

function storeError(path: string, what: string, cause?: unknown): AgentError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new AgentError('AGENT_ERROR', `memory store ${path}: ${what}${detail}`, cause === undefined ? undefined : { cause });
}

/** Runs `fn` inside a `storage {op}` span and times it. */
function withSpan<T>(op: string, fn: (span: Span) => T): { value: T; ms: number } {
  // issue 16: every span has an OpenInference kind (Phoenix showed these as UNKNOWN); a search sets RETRIEVER.
  const span = tracer().startSpan(SPAN.storage(op), { attributes: { [ATTR.storageOp]: op, [OI.OPENINFERENCE_SPAN_KIND]: OpenInferenceSpanKind.CHAIN } });
  const started = performance.now();
  try {
    const value = fn(span);
    const ms = performance.now() - started;
    return { value, ms };
  } catch (err) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}
