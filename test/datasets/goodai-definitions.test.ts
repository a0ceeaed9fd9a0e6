/**
 * issue 12: definitions in GoodAI's own shapes (one golden fixture per
 * dataset, written for this project) load and score. GoodAI's
 * `TestExample.load` reads the same folder (scripts/goodai-load-check.py),
 * and Referee writes nothing into a def.json that GoodAI's loader would refuse.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectedShapeError } from '../../src/datasets/expected-shapes.js';
import { getGenerator } from '../../src/datasets/registry.js';
import { loadDataset } from '../../src/datasets/load.js';
import type { TestDefinition } from '../../src/datasets/types.js';
import { getCallbackScorer, getJudgedScorer, getScorer } from '../../src/scoring/registry.js';
import { simJudge } from '../scoring/helpers.js';

const DIR = fileURLToPath(new URL('../fixtures/goodai/definitions-v3', import.meta.url));
// The keys of GoodAI's TestExample.to_dict(); TestExample.load passes each to the constructor.
const GOODAI_KEYS = ['can_be_interleaved', 'expected_responses', 'is_question', 'is_temporal', 'script', 'uses_callback', 'waits'];

function rightAnswers(def: TestDefinition): string[] {
  const e = def.expected_responses;
  switch (def.dataset) {
    case 'shopping':
      return [JSON.stringify((e as [string, number][]).map(([item, quantity]) => ({ item, quantity })))];
    case 'name_list':
      return [JSON.stringify(e)];
    case 'spy_meeting':
      return [(e as string[][]).map((words) => words[0]).join(', ')];
    case 'sallyanne':
      return [JSON.stringify({ answer: e[0] })];
    case 'locations_directions':
      return [String(e[0])];
    default:
      return e.map(String);
  }
}

describe('GoodAI-shaped definitions (issue 12)', () => {
  it('load, one per GoodAI v3 dataset, each mapped to its Referee dataset', async () => {
    const { definitions } = await loadDataset(DIR);
    expect(definitions.map((d) => [d.testId, d.dataset])).toEqual([
      ['ChapterBreak/0', 'chapterbreak'],
      ['Colours/0', 'colours'],
      ['Jokes/0', 'jokes'],
      ['Locations Directions/0', 'locations_directions'],
      ['NameList/0', 'name_list'],
      ['Prospective Memory/0', 'prospective_memory'],
      ['SallyAnne/0', 'sallyanne'],
      ['Shopping/0', 'shopping'],
      ['Spy Meeting/0', 'spy_meeting'],
      ['Trigger Response/0', 'trigger_response'],
    ]);
  });

  it('score the right answers 1 and a wrong answer less', async () => {
    const { definitions } = await loadDataset(DIR);
    // issue 25: where GoodAI asks its LLM judge, the sim's stand-in judge is asked.
    const score = async (def: TestDefinition, answers: string[]): Promise<number> => {
      const plain = getScorer(def.dataset)(def, answers);
      return plain.needsJudge ? (await getJudgedScorer(def.dataset)!(def, answers, simJudge(), [])).score : plain.score;
    };
    for (const def of definitions.filter((d) => !d.uses_callback)) {
      expect(await score(def, rightAnswers(def)), def.testId).toBe(1);
      expect(await score(def, rightAnswers(def).map(() => '["nothing", 7]')), def.testId).toBeLessThan(1);
    }
    const pm = definitions.find((d) => d.uses_callback)!;
    expect(getCallbackScorer('prospective_memory')!(pm, ['Noted.', 'Paris.', 'Four. Well done is better than well said.'])).toMatchObject({ score: 1, done: true });
  });

  it("Shopping's [name, count] expectations give GoodAI's partial credit, not a definition error", async () => {
    const shopping = (await loadDataset(DIR)).definitions.find((d) => d.dataset === 'shopping')!;
    expect(shopping.expected_responses).toEqual([['soap', 3], ['leek', 2], ['toilet paper', 1], ['celery', 2]]);
    const answer = JSON.stringify([{ item: 'Soap', quantity: 3 }, { item: 'Leeks', quantity: 1 }, { item: 'Toilet paper', quantity: 1 }]);
    // Three of four items named, two of four quantities right, nothing invented.
    expect(getScorer('shopping')(shopping, [answer]).score).toBeCloseTo((3 / 4 + 2 / 4 + 1) / 3, 12);
  });

  it('Jokes asks its temporal question from a GoodAI definition', async () => {
    const jokes = (await loadDataset(DIR)).definitions.find((d) => d.dataset === 'jokes')!;
    const hour = 3_600_000;
    expect(getGenerator('jokes').createQuestion!(jokes, [0, 2 * hour, 3 * hour], 5.5 * hour)).toBe('Which joke did I tell you about 3 hours 30 minutes  ago?'); // GoodAI's exact bytes, double space included
  });

  it.each(['colours', 'name_list', 'shopping', 'spy_meeting', 'trigger_response', 'prospective_memory', 'jokes', 'locations_directions', 'sallyanne'])(
    '%s: generated definitions carry only the keys GoodAI reads',
    (name) => {
      for (const def of getGenerator(name).generate({ seed: 3, examples: 2, args: {} })) expect(Object.keys(def).sort()).toEqual(GOODAI_KEYS);
    },
  );
});

describe('expected_responses shapes (issue 12)', () => {
  it('accept every generated definition and every golden GoodAI one', async () => {
    for (const def of (await loadDataset(DIR)).definitions) expect(expectedShapeError(def.dataset, def.expected_responses), def.testId).toBeUndefined();
    for (const name of ['colours', 'name_list', 'shopping', 'spy_meeting', 'trigger_response', 'prospective_memory', 'jokes', 'locations_directions', 'sallyanne']) {
      for (const def of getGenerator(name).generate({ seed: 5, examples: 3, args: {} })) expect(expectedShapeError(name, def.expected_responses), name).toBeUndefined();
    }
  });

  it('name the file and the field of a malformed one, and stop the load', async () => {
    expect(expectedShapeError('shopping', [['soap', 3], ['leek', 'two']])).toMatch(/^expected_responses\[1\]/);
    expect(expectedShapeError('prospective_memory', [['quote', 'author']])).toMatch(/^expected_responses\[0\]/);
    expect(expectedShapeError('spy_meeting', ['boat'])).toMatch(/^expected_responses\[0\]/);
    expect(expectedShapeError('custom', [{ anything: 1 }])).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'referee-shapes-'));
    mkdirSync(join(dir, 'definitions', 'Shopping'), { recursive: true });
    const file = join(dir, 'definitions', 'Shopping', '0.def.json');
    const def = JSON.parse(readFileSync(join(DIR, 'definitions', 'Shopping', '0.def.json'), 'utf8')) as { expected_responses: unknown[] };
    def.expected_responses[1] = ['leek', 'two'];
    writeFileSync(file, JSON.stringify(def));
    await expect(loadDataset(dir)).rejects.toThrow(`${file}: expected_responses[1]`);
  });
});
