/**
 * A real on-disk long-term memory: an append-only `memory.jsonl` (one
 * `{id, ts, role, text}` record a line, written through a persistent fd so a
 * crash loses nothing already written) and an in-memory BM25 index rebuilt
 * from the file on open, so a resumed run keeps its memory. A torn last line,
 * or any unreadable line, is skipped. Issue 13: the texts stay on disk (the
 * index keeps each record's place in the file, and the newest records in
 * memory), so a long run's memory does not grow with what it has said.
 */
import { redact } from '../../events/secrets.js';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { OpenInferenceSpanKind, SemanticConventions as OI } from '@arizeai/openinference-semantic-conventions';
import { writeError } from '../../artifacts/jsonl-writer.js';
import { AgentError } from '../../errors.js';
import { ATTR, SPAN, TRACER_NAME } from '../../telemetry/names.js';
import { truncateUtf8 } from '../llm/openai-client.js';
import { PostingRing } from './postings.js';

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
  /**
   * Issue 13: the newest documents scored per query term. A term as common as "the colour" is in
   * most memories; scoring all of them made each search cost grow with the run. Rare terms (the
   * ones that find a needle) have short lists and are scored whole; idf still counts every document.
   * @default 1024
   */
  maxPostings?: number;
}

/** Issue 13: see MemoryStoreOptions.maxPostings. */
export const MAX_POSTINGS = 1024;
/** Issue 13: the newest records kept in memory (between this and twice this); older ones are read from the file. */
const RECENT_KEPT = 256;

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
  private readonly maxPostings: number;
  /** term → documents containing it in all (idf); the postings list keeps only the newest. */
  private readonly docFreq = new Map<string, number>();
  /** Byte offset and length of each indexed record's line in the file, by doc index. */
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  /** The newest records, kept whole: the recent history reads them every turn. */
  private readonly recent: MemoryRecord[] = [];
  /** Bytes in the file (where the next line starts). */
  private fileBytes = 0;
  private readonly docLength: number[] = [];
  private totalLength = 0;
  /** term → its newest maxPostings (document, term frequency) pairs. */
  private readonly postings = new Map<string, PostingRing>();
  private nextId = 0;
  /** The file ended without a newline: the next write starts on a fresh line. */
  private needsNewline = false;

  private constructor(path: string, opts: MemoryStoreOptions) {
    this.path = path;
    this.k1 = opts.k1 ?? 1.2;
    this.b = opts.b ?? 0.75;
    this.maxPostings = Math.max(1, opts.maxPostings ?? MAX_POSTINGS);
    let skipped = 0;
    try {
      const content = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
      if (content.length > 0 && content[content.length - 1] !== 10) this.needsNewline = true;
      let start = 0;
      while (start < content.length) {
        let end = content.indexOf(10, start);
        if (end < 0) end = content.length;
        const line = content.toString('utf8', start, end);
        if (line.trim().length > 0) {
          const record = parseRecord(line);
          if (record) this.index(record, start, end - start);
          else skipped++;
        }
        start = end + 1;
      }
      this.fileBytes = content.length;
      this.fd = openSync(path, 'a+');
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
    return this.offsets.length;
  }

  /** The record at `index` (0: the oldest), from memory if recent, else read from the file. */
  recordAt(index: number): MemoryRecord | undefined {
    if (index < 0 || index >= this.offsets.length) return undefined;
    const fromRecent = index - (this.offsets.length - this.recent.length);
    if (fromRecent >= 0) return this.recent[fromRecent];
    if (this.fd === undefined) throw storeError(this.path, 'read after close');
    const bytes = Buffer.allocUnsafe(this.lengths[index] as number);
    readSync(this.fd, bytes, 0, bytes.length, this.offsets[index] as number);
    const record = parseRecord(bytes.toString('utf8'));
    if (!record) throw storeError(this.path, `record ${index} at byte ${this.offsets[index]} is unreadable`);
    return record;
  }

  /** Appends records (one write call) and indexes them. `ms` is the time spent. */
  write(items: ReadonlyArray<{ role: MemoryRole; text: string }>): { records: MemoryRecord[]; ms: number } {
    const { value, ms } = withSpan('write', (span) => {
      if (this.fd === undefined) throw storeError(this.path, 'write after close');
      const ts = new Date().toISOString();
      const records = items.map((item) => ({ id: this.nextId++, ts, role: item.role, text: item.text }));
      let out = this.needsNewline ? '\n' : '';
      const places: [number, number][] = [];
      let at = this.fileBytes + out.length;
      for (const r of records) {
        // Issue 24: the store is an artifact of the run directory: no secret in it.
        const line = redact(JSON.stringify(r));
        const length = Buffer.byteLength(line);
        places.push([at, length]);
        at += length + 1;
        out += `${line}\n`;
      }
      try {
        const bytes = Buffer.from(out, 'utf8');
        let offset = 0;
        while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
        this.fileBytes += bytes.length;
      } catch (err) {
        // A write cut short (a full disk) leaves part of a line: cut the file back to its whole lines.
        try {
          ftruncateSync(this.fd, this.fileBytes);
        } catch {
          // the error below says what failed first
        }
        // The store is a file of the run directory: its failed write reads as any run file's (file, errno, code).
        throw writeError(this.path, 'cannot append', err);
      }
      this.needsNewline = false;
      records.forEach((r, i) => this.index(r, ...(places[i] as [number, number])));
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
    const n = this.offsets.length;
    if (n === 0 || k <= 0) return [];
    const terms = [...new Set(memoryTerms(query))];
    const avgLength = this.totalLength / n || 1;
    const scores = new Map<number, number>();
    for (const term of terms) {
      const list = this.postings.get(term);
      if (!list) continue;
      const df = this.docFreq.get(term) ?? list.size;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      // Issue 13: the newest maxPostings documents only (the ring keeps no more).
      list.forEach((doc, tf) => {
        const norm = (tf * (this.k1 + 1)) / (tf + this.k1 * (1 - this.b + (this.b * (this.docLength[doc] as number)) / avgLength));
        scores.set(doc, (scores.get(doc) ?? 0) + idf * norm);
      });
    }
    return topK(scores, k).map(([doc, score]) => ({ record: this.recordAt(doc) as MemoryRecord, score }));
  }

  private index(record: MemoryRecord, offset: number, length: number): void {
    const doc = this.offsets.length;
    this.offsets.push(offset);
    this.lengths.push(length);
    this.recent.push(record);
    if (this.recent.length > 2 * RECENT_KEPT) this.recent.splice(0, this.recent.length - RECENT_KEPT);
    if (record.id >= this.nextId) this.nextId = record.id + 1;
    const terms = memoryTerms(record.text);
    this.docLength.push(terms.length);
    this.totalLength += terms.length;
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [term, count] of tf) {
      this.docFreq.set(term, (this.docFreq.get(term) ?? 0) + 1);
      let list = this.postings.get(term);
      if (!list) this.postings.set(term, (list = new PostingRing(this.maxPostings)));
      list.add(doc, count);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}

/**
 * The `k` best [doc, score] pairs, best first (ties: newest first), by a
 * bounded selection: O(m log k), not a sort of every scored document.
 */
export function topK(scores: ReadonlyMap<number, number>, k: number): [number, number][] {
  const better = (a: [number, number], b: [number, number]): boolean => a[1] > b[1] || (a[1] === b[1] && a[0] > b[0]);
  // A min-heap of the best k so far: its root is the worst of them.
  const heap: [number, number][] = [];
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < heap.length && better(heap[worst]!, heap[l]!)) worst = l;
      if (r < heap.length && better(heap[worst]!, heap[r]!)) worst = r;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst]!, heap[i]!];
      i = worst;
    }
  };
  for (const entry of scores) {
    if (heap.length < k) {
      heap.push(entry);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!better(heap[parent]!, heap[i]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    } else if (better(entry, heap[0]!)) {
      heap[0] = entry;
      down(0);
    }
  }
  return heap.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
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
