import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * Chart.js's UMD build, read from the installed npm package and inlined into
 * every report so it opens offline (no CDN). Its license header is kept as the
 * file's first comment; the source map reference is dropped (no map is shipped
 * with a report).
 */
export function chartJsSource(): string {
  if (cached) return cached;
  // The package's exports map hides dist/; its CommonJS entry sits beside the UMD file.
  const entry = createRequire(import.meta.url).resolve('chart.js');
  const file = join(dirname(entry), 'chart.umd.min.js');
  const source = readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  if (!/^\/\*![\s\S]*?Chart\.js v4[\s\S]*?Released under the MIT License[\s\S]*?\*\//.test(source)) {
    throw new Error(`${file}: expected Chart.js 4's UMD build with its MIT license header`);
  }
  cached = source;
  return source;
}
