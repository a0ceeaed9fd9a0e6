/**
 * Reading and cutting back a run directory's files (issue 4, shared by every
 * kind of resume since issue 13): JSON checked against its schema, JSONL read
 * line by line with a torn last line dropped, files rewritten atomically.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { z } from 'zod';
import { formatZodIssues } from '../config/load.js';
import { RunDirError } from '../errors.js';

export interface Line<T> {
  raw: string;
  value: T;
}

export function parseJsonFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new RunDirError('RUN_DIR_INVALID', `${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

export function check<S extends z.ZodType>(schema: S, where: string, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new RunDirError('RUN_DIR_INVALID', formatZodIssues(where, r.error));
  return r.data;
}

export interface JsonlFile<T> {
  file: string;
  lines: Line<T>[];
  /** The file needs rewriting even if every line is kept (a torn or unterminated tail). */
  dirty: boolean;
}

/**
 * Reads a JSONL file line by line, keeping the raw text. A last line that is
 * not valid JSON is a torn write and is dropped; a bad line elsewhere, or a
 * line of the wrong shape, is a RunDirError naming file, line and field.
 */
export function readLines<S extends z.ZodType>(file: string, schema: S): JsonlFile<z.infer<S>> {
  if (!existsSync(file)) return { file, lines: [], dirty: false };
  const text = readFileSync(file, 'utf8');
  const raw = text.split('\n');
  let dirty = !text.endsWith('\n') && text.length > 0;
  if (raw[raw.length - 1] === '') raw.pop();
  const lines: Line<z.infer<S>>[] = [];
  raw.forEach((line, i) => {
    if (line.trim() === '') {
      dirty = true;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (i === raw.length - 1) {
        dirty = true;
        return;
      }
      throw new RunDirError('RUN_DIR_INVALID', `${file}:${i + 1}: corrupt JSONL line (not the last one, so not a torn write)`);
    }
    lines.push({ raw: line, value: check(schema, `${file}:${i + 1}`, value) });
  });
  return { file, lines, dirty };
}

/** Rewrites `f` with the lines `keep` accepts, atomically, when anything changes. */
export function rewrite<T>(f: JsonlFile<T>, keep: (line: Line<T>) => boolean): void {
  const kept = f.lines.filter(keep);
  if (!f.dirty && kept.length === f.lines.length) return;
  writeAtomic(f.file, kept.map((l) => l.raw + '\n').join(''));
}

/** Drops a partial last line (no trailing newline) of a JSONL file the runner does not parse. */
export function cutTornTail(file: string): void {
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  if (text.length === 0 || text.endsWith('\n')) return;
  writeAtomic(file, text.slice(0, text.lastIndexOf('\n') + 1));
}

export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.resume-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
