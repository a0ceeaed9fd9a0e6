/** Name → generator. Adding a dataset means one line here. */
import { DatasetError } from '../errors.js';
import { coloursGenerator } from './generators/colours.js';
import { nameListGenerator } from './generators/name_list.js';
import { shoppingGenerator } from './generators/shopping.js';
import type { DatasetGenerator } from './types.js';
// issue 7: the rest of GoodAI's v3 suite
import { chapterBreakGenerator } from './generators/chapterbreak.js';
import { restaurantGenerator } from './generators/restaurant.js';
import { jokesGenerator } from './generators/jokes.js';
import { locationsDirectionsGenerator } from './generators/locations_directions.js';
import { prospectiveMemoryGenerator } from './generators/prospective_memory.js';
import { sallyAnneGenerator } from './generators/sallyanne.js';
import { spyMeetingGenerator } from './generators/spy_meeting.js';
import { triggerResponseGenerator } from './generators/trigger_response.js';

const GENERATORS: readonly DatasetGenerator[] = [
  coloursGenerator,
  nameListGenerator,
  shoppingGenerator,
  sallyAnneGenerator,
  prospectiveMemoryGenerator,
  triggerResponseGenerator,
  spyMeetingGenerator,
  jokesGenerator,
  locationsDirectionsGenerator,
  chapterBreakGenerator,
  restaurantGenerator,
];

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

/** The generator of a loaded test's dataset (by config name), if Referee has one. */
export function findGenerator(name: string): DatasetGenerator | undefined {
  return GENERATORS.find((g) => g.name === name);
}
