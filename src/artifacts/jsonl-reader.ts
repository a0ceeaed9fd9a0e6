import { existsSync, readFileSync } from 'node:fs';

/**
 * Reads a JSONL file, tolerating a torn last line (a crash mid-write): it is
 * skipped and reported, never thrown. A corrupt line elsewhere is an error.
 */
export function readJsonl<T = unknown>(file: string): { records: T[]; tornTail: boolean } {
  if (!existsSync(file)) return { records: [], tornTail: false };
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const records: T[] = [];
  let tornTail = false;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line) as T);
    } catch (err) {
      const isLast = i === lines.length - 1 || lines.slice(i + 1).every((l) => l.trim() === '');
      if (isLast) tornTail = true;
      else throw new Error(`${file}:${i + 1}: corrupt JSONL line`, { cause: err });
    }
  });
  return { records, tornTail };
}
