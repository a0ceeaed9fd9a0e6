/** Name → generator. Adding a dataset means one line here. */
import { DatasetError } from '../errors.js';
import { coloursGenerator } from './generators/colours.js';
import { nameListGenerator } from './generators/name_list.js';
import { shoppingGenerator } from './generators/shopping.js';
import type { DatasetGenerator } from './types.js';

const GENERATORS: readonly DatasetGenerator[] = [coloursGenerator, nameListGenerator, shoppingGenerator];

/** Dataset names as configs spell them, sorted. */
export function listDatasets(): string[] {
  return GENERATORS.map((g) => g.name).sort();
}

export function getGenerator(name: string): DatasetGenerator {
  const found = GENERATORS.find((g) => g.name === name);
  if (!found) {
    throw new DatasetError(
      'DATASET_INVALID',
      `unknown dataset "${name}"; known datasets: ${listDatasets().join(', ')}`,
    );
  }
  return found;
}

/** Maps a GoodAI folder name (`NameList`) back to our generator, if we have one. */
export function findGeneratorByDisplayName(displayName: string): DatasetGenerator | undefined {
  return GENERATORS.find((g) => g.displayName === displayName);
}
