/**
 * Locations directions: places in the user's home town are described one
 * relative to the previous; the agent is asked how to travel from the first
 * to the last through them. Scored by following the agent's directions and
 * comparing where they end (GoodAI's Locations Directions dataset). Issue 25: GoodAI's generator,
 * its place names and its random calls, so a seed gives GoodAI's definitions byte for byte.
 */
import { z } from 'zod';
import { loadGoodaiV3 } from '../data-files.js';
import type { DatasetGenerator, TestDefinitionFile } from '../types.js';
import { countArg, parseArgs } from './common.js';
import { choice, datasetRandom, goodaiWaits, pystache } from './goodai.js';

export const LOCATIONS_RESET = 'Forget, or otherwise disregard, all of the locations that I have told you about before this message.';
export const DIRECTIONS = ['North', 'South', 'East', 'West'] as const;
export type Direction = (typeof DIRECTIONS)[number];
/** GoodAI's distances, in km. */
const DISTANCES = [1, 2, 3, 4] as const;

const ArgsSchema = z.strictObject({
  /** Places described, the first included (GoodAI's `known_locations`). @default 5 */
  known_locations: countArg(5, 12).refine((n) => n >= 3, 'must be at least 3'),
});


export interface Move {
  origin: string;
  destination: string;
  direction: Direction;
  distance: number;
}

/** Where a sequence of moves ends, from (0, 0): x grows East, y grows North. */
export function followMoves(moves: readonly { direction: string; distance: number }[]): [number, number] {
  const pos: [number, number] = [0, 0];
  for (const m of moves) {
    const dir = m.direction.toLowerCase();
    const axis = dir === 'east' || dir === 'west' ? 0 : 1;
    pos[axis] += (dir === 'north' || dir === 'east' ? 1 : -1) * m.distance;
  }
  return pos;
}

/** The expected answer in GoodAI's wording: one "From A, go 2km North to B." line per move. */
export function formatRoute(moves: readonly Move[]): string {
  return ['(Just an example, if exact instructions are followed)', ...moves.map((m) => `From ${m.origin}, go ${m.distance}km ${m.direction} to ${m.destination}.`)].join('\n');
}

export const QUESTION_TEMPLATE =
  'Given the points of interest that I have told you about, how would I travel from {{origin}} to {{place}} following those interesting points?';

export const locationsDirectionsGenerator: DatasetGenerator = {
  name: 'locations_directions',
  displayName: 'Locations Directions',
  resetMessage: LOCATIONS_RESET,
  generate({ seed, examples, args }) {
    const { known_locations } = parseArgs('locations_directions', ArgsSchema, args);
    const { LOCATIONS, STATEMENTS } = loadGoodaiV3().locations;
    // issue 25: GoodAI's LocationsDataset.generate_examples with LocationsDirections' generate_answer, call for call.
    const rng = datasetRandom(seed);
    const tests: TestDefinitionFile[] = [];
    for (let index = 0; index < examples; index++) {
      const script: string[] = [];
      const known: string[] = [];
      const moves: Move[] = [];
      const left = [...LOCATIONS];
      for (let change = 0; change < known_locations - 1; change++) {
        const place = choice(rng, left);
        left.splice(left.indexOf(place), 1);
        if (known.length === 0) {
          script.push(pystache('There is a {{place}} in the center of my hometown.', { place }));
        } else {
          const statement = choice(rng, STATEMENTS);
          const move: Move = { origin: known[known.length - 1]!, destination: place, direction: choice(rng, DIRECTIONS), distance: choice(rng, DISTANCES) };
          moves.push(move);
          script.push(pystache(statement, { place, other_place: move.origin, direction: move.direction, distance: move.distance }));
        }
        known.push(place);
      }
      const place = choice(rng, left);
      const origin = known[known.length - 1]!;
      const last: Move = { origin, destination: place, direction: choice(rng, DIRECTIONS), distance: choice(rng, DISTANCES) };
      moves.push(last);
      script.push(`And finally there is ${place} which is ${last.direction} from ${origin} and ${last.distance} KM from it.`);
      script.push(pystache(QUESTION_TEMPLATE, { place, origin: known[0]! }));
      tests.push({
        script,
        is_question: script.map((_, i) => i === script.length - 1),
        waits: goodaiWaits(script.length),
        expected_responses: [formatRoute(moves)],
        can_be_interleaved: true,
        is_temporal: false,
        uses_callback: false,
      });
    }
    return tests;
  },
};
