import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') || p.endsWith('.tsx') ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

const SRC = join(ROOT, 'src');
const all = sources(SRC);
const rel = (f: string): string => relative(SRC, f);

// STYLE.md 1, 6 and 10: the library does not know its CLI or its readers, and only telemetry/ touches the SDK.
describe('module boundaries', () => {
  it('keeps the library free of the CLI, yargs and the monitor', () => {
    const library = all.filter((f) => !rel(f).startsWith('cli/') && !rel(f).startsWith('monitor/') && !rel(f).startsWith('web/') && rel(f) !== 'index.ts');
    const offenders = library.flatMap((f) =>
      importsOf(f)
        .filter((i) => i === 'yargs' || i.startsWith('yargs/') || /(^|\/)cli\//.test(i) || /(^|\/)monitor\//.test(i))
        .map((i) => `${rel(f)} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  /** The server's modules the front end may import: the pure view queries and the views' shapes. */
  const SHARED_WITH_WEB = ['monitor/view-queries.ts', 'monitor/run-views.ts', 'events/shared-shapes.ts'];

  // issue 21: the front end is bundled for the browser: no Node module, and of the server only its pure view queries.
  it('keeps the front end (src/web) to browser code and the shared view queries', () => {
    const outside = (f: string, i: string): string => relative(SRC, join(dirname(f), i.replace(/\.js$/, '.ts')));
    const offenders = all
      .filter((f) => rel(f).startsWith('web/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((i) => i.startsWith('node:') || (i.startsWith('.') && !outside(f, i).startsWith('web/') && !SHARED_WITH_WEB.includes(outside(f, i))))
          .map((i) => `${rel(f)} imports ${i}`),
      );
    expect(offenders).toEqual([]);
    // What the page shares with the server imports nothing but itself: it stays browser-safe.
    for (const shared of SHARED_WITH_WEB) {
      const foreign = importsOf(join(SRC, shared)).filter((i) => !SHARED_WITH_WEB.includes(relative(SRC, join(dirname(join(SRC, shared)), i.replace(/\.js$/, '.ts')))));
      expect(foreign, shared).toEqual([]);
    }
  });

  it('lets only src/telemetry import the OpenTelemetry SDK and exporters', () => {
    const offenders = all
      .filter((f) => !rel(f).startsWith('telemetry/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((i) => /^@opentelemetry\/(sdk-|exporter-|resources|otlp-|context-async-hooks)/.test(i))
          .map((i) => `${rel(f)} imports ${i}`),
      );
    expect(offenders).toEqual([]);
  });

  it('keeps the runner from reporting by hand: no console output in src/runner', () => {
    const offenders = all.filter((f) => rel(f).startsWith('runner/') && /console\.(log|error|warn)\(/.test(readFileSync(f, 'utf8'))).map(rel);
    expect(offenders).toEqual([]);
  });

  // Issue 13: the event stream sits below the runner and the artifacts; the artifacts do not reach up into the runner.
  it('keeps src/events below runner/ and artifacts/, and artifacts/ free of runner/', () => {
    const offenders = all.flatMap((f) => {
      const r = rel(f);
      return importsOf(f)
        .filter((i) => {
          if (r.startsWith('events/')) return /(^|\/)(runner|cli|monitor|tasks|match|telemetry)\//.test(i) || (/(^|\/)artifacts\//.test(i) && !i.endsWith('artifacts/schemas.js'));
          if (r.startsWith('artifacts/')) return /(^|\/)runner\//.test(i);
          return false;
        })
        .map((i) => `${r} imports ${i}`);
    });
    expect(offenders).toEqual([]);
  });
});
