/**
 * ChapterBreak: the agent is read several chapters of a book in pages, then
 * six possible beginnings of the next chapter, and asked which one is the
 * true one (GoodAI's ChapterBreak dataset). The book data is not ours to
 * ship: the user supplies the ChapterBreak file (`args.data_file`, the JSON of
 * `chapterbreak_ctx_8192`, or its `.zst` where this Node can decompress it).
 */
import { readFileSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { z } from 'zod';
import { DatasetError } from '../../errors.js';
import { countTokens } from '../../tokens.js';
import { createRng, deriveSeed } from '../rng.js';
import type { DatasetGenerator, TestDefinitionFile } from '../types.js';
import { ordinal, parseArgs } from './common.js';

export const CHAPTERBREAK_RESET = 'Forget the chapters that I have read you and the potential continuations that I gave to you.';

const ArgsSchema = z.strictObject({
  /** Path to the ChapterBreak data (JSON with `pg19`/`ao3` → book id → [{ctx, pos, negs}]). Required. */
  data_file: z.string().min(1).optional(),
  /** Which part of the corpus. GoodAI's own hand-picked split needs its selection file; `all` is the nearest. @default "all" */
  split: z.enum(['pg19', 'ao3', 'all']).default('all'),
  /** Largest page, in tokens. @default 1004 */
  max_page_tokens: z.number().int().min(50).default(1004),
});

const SampleSchema = z.object({ ctx: z.string(), pos: z.string(), negs: z.array(z.string()).min(1) });
const CorpusSchema = z.record(z.string(), z.record(z.string(), z.array(SampleSchema)));

function readCorpus(file: string): z.infer<typeof CorpusSchema> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new DatasetError('DATASET_INVALID', `chapterbreak: cannot read args.data_file ${file} (${(cause as NodeJS.ErrnoException).code ?? cause})`, { cause });
  }
  if (file.endsWith('.zst')) {
    const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Buffer) => Buffer }).zstdDecompressSync;
    if (!zstd) throw new DatasetError('DATASET_INVALID', `chapterbreak: ${file} is zstd-compressed and this Node has no zstd; decompress it (zstd -d) and point args.data_file at the .json`);
    bytes = zstd(bytes);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new DatasetError('DATASET_INVALID', `chapterbreak: ${file} is not JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = CorpusSchema.safeParse(raw);
  if (!parsed.success) throw new DatasetError('DATASET_INVALID', `chapterbreak: ${file} is not ChapterBreak data:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Sentences packed into pages of at most `maxTokens` (GoodAI splits on ". " the same way). */
export function splitInPages(text: string, maxTokens: number): string[] {
  const pages: string[] = [];
  let current: string[] = [];
  let used = 0;
  for (const sentence of text.split('. ')) {
    const t = countTokens(sentence) + 1;
    if (used > 0 && used + t > maxTokens) {
      pages.push(current.join('. '));
      current = [];
      used = 0;
    }
    current.push(sentence);
    used += t;
  }
  if (current.length > 0) pages.push(current.join('. '));
  return pages;
}

function deliver(text: string, maxTokens: number, prefix = ''): string[] {
  const pages = splitInPages(text, maxTokens);
  if (pages.length === 1) return [prefix ? `${prefix}:\n\n${pages[0]}` : pages[0]!];
  return pages.map((page, i) => {
    const label = `${ordinal(i + 1)}${i === pages.length - 1 ? ' and last' : ''} page`;
    return `${prefix ? `${prefix} (${label})` : label}:\n\n${page}`;
  });
}

export const chapterBreakGenerator: DatasetGenerator = {
  name: 'chapterbreak',
  displayName: 'ChapterBreak',
  resetMessage: CHAPTERBREAK_RESET,
  generate({ seed, examples, args }) {
    const { data_file, split, max_page_tokens } = parseArgs('chapterbreak', ArgsSchema, args);
    if (!data_file) {
      throw new DatasetError(
        'DATASET_INVALID',
        'dataset "chapterbreak" needs its book data, which Referee does not ship: set datasets[].args.data_file to the ChapterBreak JSON (chapterbreak_ctx_8192)',
      );
    }
    const corpus = readCorpus(data_file);
    const samples: { id: string; ctx: string; pos: string; negs: string[] }[] = [];
    for (const part of split === 'all' ? ['pg19', 'ao3'] : [split]) {
      for (const [book, list] of Object.entries(corpus[part] ?? {})) list.forEach((s, i) => samples.push({ id: `${book}_${i}`, ...s }));
    }
    samples.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (samples.length < examples) {
      throw new DatasetError('DATASET_INVALID', `chapterbreak: ${data_file} has ${samples.length} samples in split "${split}", fewer than the ${examples} examples asked for`);
    }
    const rng = createRng(deriveSeed(seed, 'chapterbreak'));
    return rng
      .shuffle(samples)
      .slice(0, examples)
      .map((sample): TestDefinitionFile => {
        const options = rng.shuffle([{ right: true, text: sample.pos }, ...sample.negs.map((text) => ({ right: false, text }))]);
        const script = ["I am going to read you some chapters of a book. A few pages. Okay? You don't have to say anything, just listen."];
        script.push(...deliver(sample.ctx, max_page_tokens - 20));
        script.push(`Now I will give you ${options.length} options for the beginning of the next chapter. You don't have to comment anything, just read them carefully. Ready?`);
        options.forEach((o, i) => script.push(...deliver(o.text, max_page_tokens - 20, `Option ${i + 1}`)));
        script.push('Which option do you think is the true next-chapter beginning?\nAnswer with a single-digit number, corresponding to the option number.');
        return {
          script,
          is_question: script.map((_, i) => i === script.length - 1),
          // Read in one go: no waits, so nothing is interleaved between the pages.
          waits: script.map(() => ({})),
          expected_responses: [String(options.findIndex((o) => o.right) + 1)],
          can_be_interleaved: true,
          is_temporal: false,
          uses_callback: false,
        };
      });
  },
};

/**
 * Restaurant is a dynamic test in GoodAI: the waiter's next line depends on
 * what the agent ordered, which an LLM reads out of its reply. There is no
 * fixed script to write or replay, so Referee refuses it by name rather than
 * run something else under its name.
 */
export const restaurantGenerator: DatasetGenerator = {
  name: 'restaurant',
  displayName: 'Restaurant',
  generate() {
    throw new DatasetError(
      'DATASET_INVALID',
      'dataset "restaurant" is a dynamic test (the waiter reacts to what an LLM reads in the agent\'s replies) and has no fixed script; Referee does not run it: remove it from datasets.datasets',
    );
  },
};
