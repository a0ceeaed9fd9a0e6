/**
 * Locations directions: places in the user's home town are described one
 * relative to the previous; the agent is asked how to travel from the first
 * to the last through them. Scored by following the agent's directions and
 * comparing where they end (GoodAI's Locations Directions dataset).
 */
import { z } from 'zod';
import { loadPlaces } from '../data-files.js';
import { createRng, deriveSeed } from '../rng.js';
import type { DatasetGenerator, TestDefinitionFile } from '../types.js';
import { countArg, defaultWaits, parseArgs } from './common.js';

export const LOCATIONS_RESET = 'Forget, or otherwise disregard, all of the locations that I have told you about before this message.';
export const DIRECTIONS = ['North', 'South', 'East', 'West'] as const;
export type Direction = (typeof DIRECTIONS)[number];

const ArgsSchema = z.strictObject({
  /** Places described, the first included (GoodAI's `known_locations`). @default 5 */
  known_locations: countArg(5, 12).refine((n) => n >= 3, 'must be at least 3'),
});

const STATEMENTS: ReadonlyArray<(place: string, d: number, dir: string, other: string) => string> = [
  (p, d, dir, o) => `${p} is a location in my home town, it is ${d} KM, ${dir} from ${o}.`,
  (p, d, dir, o) => `I visited ${p}, which is ${d} KM, ${dir} from ${o}.`,
  (p, d, dir, o) => `About ${d} km ${dir} of the ${o} there is a ${p}.`,
];

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

export const locationsDirectionsGenerator: DatasetGenerator = {
  name: 'locations_directions',
  displayName: 'Locations Directions',
  resetMessage: LOCATIONS_RESET,
  generate({ seed, examples, args }) {
    const { known_locations } = parseArgs('locations_directions', ArgsSchema, args);
    const pool = loadPlaces();
    const tests: TestDefinitionFile[] = [];
    for (let index = 0; index < examples; index++) {
      const rng = createRng(deriveSeed(seed, `locations_directions/${index}`));
      const places = rng.shuffle(pool).slice(0, Math.min(known_locations, pool.length));
      const script = [`There is a ${places[0]} in the center of my hometown.`];
      const moves: Move[] = [];
      for (let i = 1; i < places.length; i++) {
        const move: Move = { origin: places[i - 1]!, destination: places[i]!, direction: rng.pick(DIRECTIONS), distance: rng.int(1, 4) };
        moves.push(move);
        script.push(
          i === places.length - 1
            ? `And finally there is ${move.destination} which is ${move.direction} from ${move.origin} and ${move.distance} KM from it.`
            : rng.pick(STATEMENTS)(move.destination, move.distance, move.direction, move.origin),
        );
      }
      script.push(
        `Given the points of interest that I have told you about, how would I travel from ${places[0]} to ${places[places.length - 1]} following those interesting points?`,
      );
      tests.push({
        script,
        is_question: script.map((_, i) => i === script.length - 1),
        waits: defaultWaits(script.length),
        expected_responses: [formatRoute(moves)],
        can_be_interleaved: true,
        is_temporal: false,
        uses_callback: false,
      });
    }
    return tests;
  },
};
