/**
 * ChapterBreak: the agent is read several chapters of a book in pages, then
 * six possible beginnings of the next chapter, and asked which one is the
 * true one. GoodAI's generator (datasets/chapterbreak.py), call for call: its
 * hand-checked selection of samples (`data/chapterbreak-goodai-selection.json`,
 * GoodAI's, MIT) with its chapter-number cleanup, the dataset's Random(seed)
 * shuffles, its pages of `max_message_size - 20` cl100k tokens (a sentence that
 * would overflow a page is left out, as GoodAI's `split_in_pages` leaves it).
 * The book passages are not ours to ship: the user supplies the public
 * ChapterBreak file (`chapterbreak_ctx_8192`, its JSON or GoodAI's `.zst`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { decompress } from 'fzstd';
import { z } from 'zod';
import { DatasetError } from '../../errors.js';
import { countGoodaiTokens } from '../../tokens.js';
import { loadChapterBreakSelection } from '../data-files.js';
import type { DatasetGenerator, TestDefinitionFile } from '../types.js';
import { ordinal, parseArgs } from './common.js';
import { datasetRandom } from './goodai.js';

export const CHAPTERBREAK_RESET = 'Forget the chapters that I have read you and the potential continuations that I gave to you.';

/** Where to get the passages: GoodAI's copy of ChapterBreak's 8k-context file. */
export const CHAPTERBREAK_DATA_URL = 'https://github.com/GoodAI/goodai-ltm-benchmark/releases/download/v1.1/chapterbreak_ctx_8192.zst';
/** The sha256 GoodAI's loader checks that file against. */
export const CHAPTERBREAK_DATA_SHA256 = '1567de8463149cfb314ab2ccc7e7acc17a3b262bccd70889e2d1e43be09043ed';

const ArgsSchema = z.strictObject({
  /**
   * The ChapterBreak data (`chapterbreak_ctx_8192`: JSON with `pg19`/`ao3` → book id → [{ctx, pos, negs}],
   * or GoodAI's `.zst` of it). Without it, `$REFEREE_CACHE_DIR/data/ChapterBreak/chapterbreak_ctx_8192.json`
   * (or `.zst`, `~/.cache/referee/...`) when present.
   */
  data_file: z.string().min(1).optional(),
  /** GoodAI's `split`: `goodai` is its hand-checked selection. @default "goodai" */
  split: z.enum(['goodai', 'pg19', 'ao3', 'all']).default('goodai'),
  /** GoodAI's `max_message_size` (the agent's; 4096 by default): pages hold up to 20 tokens less. @default 4096 */
  max_message_size: z.number().int().min(40).default(4096),
});

/** Where a user puts the ChapterBreak file once for every run, beside the other fetched data. */
export function defaultChapterBreakFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const dir = join(env['REFEREE_CACHE_DIR'] ?? join(homedir(), '.cache', 'referee'), 'data', 'ChapterBreak');
  return [join(dir, 'chapterbreak_ctx_8192.json'), join(dir, 'chapterbreak_ctx_8192.zst')];
}

/** The ChapterBreak file a run reads, or undefined when the user has supplied none. */
export function chapterBreakFileFor(args: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (typeof args['data_file'] === 'string') return args['data_file'];
  return defaultChapterBreakFiles(env).find((f) => existsSync(f));
}

/** The one line a run without the data prints: where to get it and where to put it. */
export function chapterBreakMissingLine(env: NodeJS.ProcessEnv = process.env): string {
  return `chapterbreak skipped: its book passages are not shipped; download ${CHAPTERBREAK_DATA_URL} (sha256 ${CHAPTERBREAK_DATA_SHA256.slice(0, 12)}...) to ${defaultChapterBreakFiles(env)[1]}, or set datasets[].args.data_file`;
}

const SampleSchema = z.object({ ctx: z.string(), pos: z.string(), negs: z.array(z.string()).min(1) });
const CorpusSchema = z.record(z.string(), z.record(z.string(), z.array(SampleSchema)));
type Sample = z.infer<typeof SampleSchema>;

function readCorpus(file: string): z.infer<typeof CorpusSchema> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new DatasetError('DATASET_INVALID', `chapterbreak: cannot read args.data_file ${file} (${(cause as NodeJS.ErrnoException).code ?? cause})`, { cause });
  }
  if (file.endsWith('.zst')) {
    try {
      bytes = Buffer.from(decompress(bytes));
    } catch (cause) {
      throw new DatasetError('DATASET_INVALID', `chapterbreak: ${file} is not zstd data: ${(cause as Error).message}`, { cause });
    }
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

/**
 * GoodAI's `split_in_pages`: sentences (split on ". ") packed into pages of at most `maxTokens`;
 * the sentence that would overflow a page closes it and is itself left out, as GoodAI's loop does.
 */
export function splitInPages(text: string, maxTokens: number): string[] {
  const separator = '. ';
  const separatorLen = countGoodaiTokens(separator);
  const pages: string[] = [];
  let current: string[] = [];
  let used = 0;
  for (const sentence of text.split(separator)) {
    const len = countGoodaiTokens(sentence);
    if (used === 0) {
      current.push(sentence);
      used += len;
      continue;
    }
    if (used + separatorLen + len > maxTokens) {
      pages.push(current.join(separator));
      current = [];
      used = 0;
      continue;
    }
    current.push(sentence);
    used += separatorLen + len;
  }
  if (used > 0) pages.push(current.join(separator));
  return pages;
}

/** GoodAI's `deliver_in_pages`. */
function deliver(text: string, maxTokens: number, prefix = ''): string[] {
  const pages = splitInPages(text, maxTokens);
  if (pages.length === 1) return [prefix ? `${prefix}:\n\n${pages[0]}` : pages[0]!];
  return pages.map((page, i) => {
    const label = `${ordinal(i + 1)}${i === pages.length - 1 ? ' and last' : ''} page`;
    return `${prefix ? `${prefix} (${label})` : label}:\n\n${page}`;
  });
}

/** A Python `re` pattern of GoodAI's selection as JavaScript: `\w` and `\d` are Unicode in Python. */
function pyRegex(pattern: string): RegExp {
  return new RegExp(pattern.replace(/\\\\|\\w|\\d/g, (m) => (m === '\\w' ? '[\\p{L}\\p{N}_]' : m === '\\d' ? '\\p{Nd}' : m)), 'u');
}

/** `re.match(pattern, text).group(1)`: Python raises where nothing matches; so does this, naming the sample. */
function group1(re: RegExp, text: string, id: string): string | undefined {
  const m = re.exec(text);
  if (!m) throw new DatasetError('DATASET_INVALID', `chapterbreak: sample ${id} does not match the chapter_cleanup of GoodAI's selection (${re.source}); is this the ChapterBreak 8k file?`);
  return m[1];
}

/** Python's `str.replace(old, new)`: every occurrence, `$` taken literally. */
function pyReplace(s: string, old: string, replacement: string): string {
  if (old === '') return replacement + Array.from(s).join(replacement) + replacement;
  return s.split(old).join(replacement);
}

/** GoodAI's `apply_sample_selection`: its solvable samples, their chapter numbers made alike. */
function applySelection(samples: Map<string, Sample>, file: string): Map<string, Sample> {
  const selected = new Map<string, Sample>();
  for (const sel of loadChapterBreakSelection()) {
    if (!sel.solvable) continue;
    const sample = samples.get(sel.id);
    if (!sample) throw new DatasetError('DATASET_INVALID', `chapterbreak: ${file} has no sample ${sel.id}, which GoodAI's selection names; is this the ChapterBreak 8k file (${CHAPTERBREAK_DATA_URL})?`);
    if (sel.chapter_cleanup) {
      const re = pyRegex(sel.chapter_cleanup);
      const right = group1(re, sample.pos, sel.id);
      sample.negs = sample.negs.map((neg) => {
        const wrong = group1(re, neg, sel.id);
        if (wrong === undefined) return neg;
        if (right === undefined) throw new DatasetError('DATASET_INVALID', `chapterbreak: sample ${sel.id}'s true beginning has no chapter number for GoodAI's cleanup`);
        return pyReplace(neg, wrong, right);
      });
    }
    selected.set(sel.id, sample);
  }
  return selected;
}

export const chapterBreakGenerator: DatasetGenerator = {
  name: 'chapterbreak',
  displayName: 'ChapterBreak',
  resetMessage: CHAPTERBREAK_RESET,
  missingData: (args, env = process.env) => (chapterBreakFileFor(args, env) ? undefined : chapterBreakMissingLine(env)),
  generate({ seed, examples, args }) {
    const { split, max_message_size } = parseArgs('chapterbreak', ArgsSchema, args);
    const file = chapterBreakFileFor(args);
    if (!file) throw new DatasetError('DATASET_INVALID', `dataset "chapterbreak" needs its book data (args.data_file): ${chapterBreakMissingLine()}`);
    const corpus = readCorpus(file);
    // GoodAI's get_samples: every sample as <book>_<i> (a later split's id wins), the selection, sorted ids, one shuffle.
    let samples = new Map<string, Sample>();
    for (const part of split === 'goodai' || split === 'all' ? ['pg19', 'ao3'] : [split]) {
      const books = corpus[part];
      if (!books) throw new DatasetError('DATASET_INVALID', `chapterbreak: ${file} has no "${part}" part`);
      for (const [book, list] of Object.entries(books)) list.forEach((s, i) => samples.set(`${book}_${i}`, { ...s, negs: [...s.negs] }));
    }
    if (split === 'goodai') samples = applySelection(samples, file);
    const ids = [...samples.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const list = ids.map((id) => ({ ...samples.get(id)!, id }));
    const rng = datasetRandom(seed);
    rng.shuffle(list);
    const pageTokens = max_message_size - 20;
    return list.slice(0, examples).map((sample): TestDefinitionFile => {
      const beginnings: [boolean, string][] = [[true, sample.pos], ...sample.negs.map((n): [boolean, string] => [false, n])];
      rng.shuffle(beginnings);
      const script = ["I am going to read you some chapters of a book. A few pages. Okay? You don't have to say anything, just listen."];
      script.push(...deliver(sample.ctx, pageTokens));
      script.push(`Now I will give you ${beginnings.length} options for the beginning of the next chapter. You don't have to comment anything, just read them carefully. Ready?`);
      beginnings.forEach(([, text], i) => script.push(...deliver(text, pageTokens, `Option ${i + 1}`)));
      script.push('Which option do you think is the true next-chapter beginning?\nAnswer with a single-digit number, corresponding to the option number.');
      return {
        example_id: sample.id,
        script,
        is_question: script.map((_, i) => i === script.length - 1),
        // Read in one go: no waits, so nothing is interleaved between the pages.
        waits: script.map(() => ({})),
        expected_responses: [String(beginnings.findIndex(([right]) => right) + 1)],
        can_be_interleaved: true,
        is_temporal: false,
        uses_callback: false,
      };
    });
  },
};
