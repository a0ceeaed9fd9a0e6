/**
 * issue 12: Referee's copies of GoodAI's published v3 configurations
 * (configurations/published_benchmarks/benchmark-v3-*.yml) differ from each
 * other only where GoodAI's do: the run name and the memory span.
 */
import { describe, expect, it } from 'vitest';
import { loadDatasetConfig } from '../../src/config/load.js';

const SPANS = { '1k': 1000, '32k': 32000, '120k': 120000, '200k': 200000, '500k': 500000 } as const;

describe('GoodAI v3 configurations', () => {
  const base = loadDatasetConfig('configs/datasets/benchmark-v3-32k.yaml');

  it.each(Object.entries(SPANS))('benchmark-v3-%s matches GoodAI\'s but for its span', (name, span) => {
    const config = loadDatasetConfig(`configs/datasets/benchmark-v3-${name}.yaml`);
    expect(config.config.run_name).toBe(`Benchmark 3 - ${name}`);
    expect(config.datasets.args.memory_span).toBe(span);
    expect(config.datasets.args.dataset_examples).toBe(3);
    // GoodAI's 1k configuration alone leaves ChapterBreak out.
    expect(config.datasets.datasets).toEqual(name === '1k' ? base.datasets.datasets.filter((d) => d.name !== 'chapterbreak') : base.datasets.datasets);
    expect(config.config.incompatibilities).toEqual([['names', 'name_list'], ['locations', 'locations_directions']]);
    // GoodAI's clock: moved by its time jumps only, so Jokes' questions name GoodAI's times (test/runner/goodai-messages.test.ts).
    expect(config.config.clock.step_s).toBe(0);
    // GoodAI's scoring unless a user asks for the strict variant.
    expect(config.config.scoring).toBe('goodai');
  });

  it('lists the datasets GoodAI v3 runs offline, with its arguments', () => {
    expect(base.datasets.datasets.map((d) => [d.name, d.args])).toEqual([
      ['colours', { colour_changes: 3 }],
      ['shopping', { item_changes: 6 }],
      ['locations_directions', { known_locations: 6 }],
      ['name_list', { name_changes: 5 }],
      ['jokes', { jokes_told: 4 }],
      ['sallyanne', { question_type: 'theory_of_mind' }],
      ['prospective_memory', {}],
      ['trigger_response', {}],
      ['spy_meeting', {}],
      ['chapterbreak', {}],
      ['restaurant', {}],
    ]);
  });
});
