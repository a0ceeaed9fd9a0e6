import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { boundHeapGrowth, DEFAULT_HEAP_GROWING_PERCENT } from '../../src/heap-growth.js';
import { runCli, tempDir } from '../helpers.js';

describe('the CLI heap growth bound (issue 13)', () => {
  it('applies the default, keeps V8 heuristics for 0, and takes a whole percent from the environment', () => {
    expect(boundHeapGrowth({})).toBe(DEFAULT_HEAP_GROWING_PERCENT);
    expect(boundHeapGrowth({ REFEREE_HEAP_GROWING_PERCENT: '0' })).toBeUndefined();
    expect(boundHeapGrowth({ REFEREE_HEAP_GROWING_PERCENT: '80' })).toBe(80);
    for (const bad of ['x', '-5', '2.5', '5000']) {
      expect(() => boundHeapGrowth({ REFEREE_HEAP_GROWING_PERCENT: bad })).toThrow(ConfigError);
    }
    boundHeapGrowth({});
  });

  it('refuses a bad REFEREE_HEAP_GROWING_PERCENT with one line and exit 2, before writing anything', async () => {
    const out = tempDir();
    const r = await runCli(['run', '--output-dir', out], { env: { REFEREE_HEAP_GROWING_PERCENT: 'lots' } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining('REFEREE_HEAP_GROWING_PERCENT: expected a whole number of percent from 0 to 1000, got "lots"')]);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});
