/**
 * The one place that reads `data/*.json`. Both `src/datasets/` (vitest) and
 * `dist/datasets/` (compiled) sit two levels below the repo root, so one
 * relative URL serves both.
 */
import { readFileSync } from 'node:fs';
import { DatasetError } from '../errors.js';

export interface TriviaItem {
  q: string;
  a: string;
}

const cache = new Map<string, unknown>();

function readJson(file: string): unknown {
  const hit = cache.get(file);
  if (hit !== undefined) return hit;
  const url = new URL(`../../data/${file}`, import.meta.url);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(url, 'utf8'));
  } catch (cause) {
    throw new DatasetError('DATASET_INVALID', `cannot read data file ${url.pathname}`, { cause });
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

export function loadColours(): readonly string[] {
  return stringList('colours.json');
}

/** Singular, lower-case, one word each; the plural is always `+s`. */
export function loadShoppingItems(): readonly string[] {
  return stringList('shopping_items.json');
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
