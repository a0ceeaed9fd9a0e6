/**
 * The one place that reads `data/*.json`. Both `src/datasets/` (vitest) and
 * `dist/datasets/` (compiled) sit two levels below the repo root, so one
 * relative URL serves both.
 */
import { readFileSync } from 'node:fs';
import { DatasetError } from '../errors.js';
import { packagePath } from '../package-path.js';

export interface TriviaItem {
  q: string;
  a: string;
}

const cache = new Map<string, unknown>();

function readJson(file: string): unknown {
  const hit = cache.get(file);
  if (hit !== undefined) return hit;
  const path = packagePath(`data/${file}`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new DatasetError('DATASET_INVALID', `cannot read data file ${path}`, { cause });
  }
  cache.set(file, value);
  return value;
}

function stringList(file: string): readonly string[] {
  const value = readJson(file);
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    throw new DatasetError('DATASET_INVALID', `data/${file} must be a non-empty JSON list of strings`);
  }
  return value as string[];
}

export function loadNames(): readonly string[] {
  return stringList('names.json');
}

export function loadTrivia(): readonly TriviaItem[] {
  const value = readJson('trivia.json');
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((v) => typeof v === 'object' && v !== null && typeof v.q === 'string' && typeof v.a === 'string');
  if (!ok) throw new DatasetError('DATASET_INVALID', 'data/trivia.json must be a non-empty JSON list of {"q", "a"}');
  return value as TriviaItem[];
}

/**
 * GoodAI's filler trivia (`data/goodai_trivia.json`: TriviaQA's questions as GoodAI's
 * data/trivia/trivia.json holds them, Apache-2.0), in GoodAI's order: its filler draws by index.
 */
export function loadGoodaiTrivia(): readonly TriviaItem[] {
  const cached = goodaiTrivia;
  if (cached) return cached;
  const list = (readJson('goodai_trivia.json') as { trivia?: unknown } | null)?.trivia;
  const ok = Array.isArray(list) && list.length > 0 && list.every((v) => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string');
  if (!ok) throw new DatasetError('DATASET_INVALID', 'data/goodai_trivia.json: trivia must be a non-empty list of [question, answer]');
  goodaiTrivia = (list as [string, string][]).map(([q, a]) => ({ q, a }));
  return goodaiTrivia;
}
let goodaiTrivia: TriviaItem[] | undefined;

/** One entry of GoodAI's ChapterBreak selection (`data/chapterbreak-goodai-selection.json`, GoodAI's, MIT). */
export interface ChapterBreakSelection {
  id: string;
  /** GoodAI uses a sample only where this is true (`null` in its file counts as not). */
  solvable: boolean | null;
  /** A Python `re` pattern whose group 1 is a beginning's chapter number. */
  chapter_cleanup?: string;
}

export function loadChapterBreakSelection(): readonly ChapterBreakSelection[] {
  const list = (readJson('chapterbreak-goodai-selection.json') as { selection?: unknown } | null)?.selection;
  const ok =
    Array.isArray(list) &&
    list.every((v) => typeof v?.id === 'string' && (typeof v.solvable === 'boolean' || v.solvable === null) && (v.chapter_cleanup === undefined || typeof v.chapter_cleanup === 'string'));
  if (!ok) throw new DatasetError('DATASET_INVALID', 'data/chapterbreak-goodai-selection.json: selection must be a list of {"id", "solvable", "chapter_cleanup"?}');
  return list as ChapterBreakSelection[];
}

// ---- issue 7: data of the v3 datasets (theory of mind, spies, places); issue 25: GoodAI's own lists below ----

export interface TomVocabulary {
  rooms: string[];
  objects: string[];
  containers: string[];
  likes: string[];
  distractor_things: string[];
}

/** One-word rooms, objects and containers for the Sally-Anne stories. */
export function loadTomVocabulary(): TomVocabulary {
  const value = readJson('tom.json') as Record<string, unknown>;
  const keys: (keyof TomVocabulary)[] = ['rooms', 'objects', 'containers', 'likes', 'distractor_things'];
  for (const k of keys) {
    const list = value?.[k];
    if (!Array.isArray(list) || list.length < 2 || !list.every((v) => typeof v === 'string')) {
      throw new DatasetError('DATASET_INVALID', `data/tom.json: ${k} must be a list of at least two strings`);
    }
  }
  return value as unknown as TomVocabulary;
}

export interface SpyCode {
  code: string;
  answers: string[];
}
export type SpyTopic = 'place' | 'time' | 'thing';
export function loadSpyCodes(): Readonly<Record<SpyTopic, readonly SpyCode[]>> {
  const value = readJson('spy_codes.json') as Record<string, unknown>;
  for (const topic of ['place', 'time', 'thing']) {
    const list = value?.[topic];
    const ok =
      Array.isArray(list) &&
      list.length > 0 &&
      list.every((c) => typeof c?.code === 'string' && Array.isArray(c.answers) && c.answers.length > 0 && c.answers.every((a: unknown) => typeof a === 'string'));
    if (!ok) throw new DatasetError('DATASET_INVALID', `data/spy_codes.json: ${topic} must be a list of {"code", "answers": [..]}`);
  }
  return value as unknown as Record<SpyTopic, SpyCode[]>;
}

export function loadPlaces(): readonly string[] {
  return stringList('places.json');
}

/** issue 12: GoodAI's place names, the list its Locations Directions judge and scorer use. */
export function loadGoodaiPlaces(): readonly string[] {
  const value = (readJson('goodai_locations.json') as { places?: unknown } | null)?.places;
  if (!Array.isArray(value) || !value.every((p) => typeof p === 'string')) {
    throw new DatasetError('DATASET_INVALID', 'data/goodai_locations.json: places must be a list of strings');
  }
  return value as string[];
}

/** issue 25: GoodAI's own word lists of its v3 generators (`data/goodai_v3.json`, GoodAI's, MIT). */
export interface GoodaiV3Lists {
  colours: { COLOURS: string[]; STATEMENTS: string[] };
  shopping: { ITEMS: string[]; STATEMENTS_ADD: string[]; STATEMENTS_REMOVE: string[]; NUMBER: number[] };
  trigger_response: { REQUESTS: string[]; RESPONSE: string[]; TRIGGERS: string[] };
  prospective_memory: { QUOTES: [quote: string, author: string][] };
  locations: { LOCATIONS: string[]; DIRECTIONS: string[]; DISTANCES: number[]; STATEMENTS: string[] };
  jokes: { JOKES: string[] };
  name_list: { STATEMENTS: string[] };
}

export function loadGoodaiV3(): GoodaiV3Lists {
  return readJson('goodai_v3.json') as GoodaiV3Lists;
}
