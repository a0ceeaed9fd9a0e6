/**
 * Locations Directions with a judge, as GoodAI scores it (issue 12): the
 * judge turns the reply into `[{origin, kilometers, direction, destination}]`;
 * every place must be one of the list the prompt names (a place holding a
 * direction word is taken for that direction and so refused, as in GoodAI),
 * every direction a compass point and every distance a positive integer, or
 * the reply scores 0. The moves must end where the expected route ends.
 */
import { loadGoodaiPlaces, loadPlaces } from '../datasets/data-files.js';
import { DIRECTIONS, followMoves } from '../datasets/generators/locations_directions.js';
import type { JudgedScorer } from './judge.js';
import { parseExpectedRoute } from './locations_directions.js';
import { isPyInt, sanitizeAndParseJson } from './py-json.js';
import type { PyValue } from './py-json.js';

/** GoodAI's `structured_directions_prompt`, verbatim, sent as its one user message (issue 25). */
export const STRUCTURE_PROMPT = (directions: string, places: readonly string[]): string =>
  'Take a look at this text:\n```text\n' +
  directions +
  '\n```\n\nIf the text has a sequence of directions in it, convert that sequence of directions into well-structured JSON, like this:\n[\n  {"origin": "some place", "kilometers": 2, "direction": "West", "destination": "other place"},\n  ...\n]\nIf there are no directions, return an empty list.\n\nAlso, if any place matches a place from this list, you must use the name from the list instead of what\'s in the text:\n' +
  places.map((p) => `- ${p}`).join('\n');

/** GoodAI's place list for GoodAI's definitions, Referee's for Referee's. */
export function placeBook(routePlaces: readonly string[]): readonly string[] {
  const goodai = loadGoodaiPlaces();
  return routePlaces.every((p) => goodai.includes(p)) ? goodai : [...new Set([...loadPlaces(), ...routePlaces])];
}

type Moves = { direction: string; distance: number }[];

/** The judge's structured moves, checked as GoodAI checks them; a string says why they are refused. */
export function structuredMoves(reply: string, places: readonly string[]): Moves | string {
  let parsed: PyValue;
  try {
    parsed = sanitizeAndParseJson(reply);
  } catch (error) {
    return (error as Error).message;
  }
  if (!Array.isArray(parsed)) return 'not a list';
  const lowerPlaces = places.map((p) => p.toLowerCase());
  const directions = DIRECTIONS.map((d) => d.toLowerCase());
  const moves: Moves = [];
  for (const d of parsed) {
    if (!(d instanceof Map)) return 'an entry is not an object';
    for (const key of ['origin', 'destination']) {
      const raw = d.get(key);
      if (typeof raw !== 'string') return `no ${key}`;
      const place = directions.find((dir) => dir.includes(raw.toLowerCase()) || raw.toLowerCase().includes(dir)) ?? raw;
      if (!lowerPlaces.includes(place.toLowerCase())) return `Location ${JSON.stringify(place)} is unknown.`;
    }
    const direction = d.get('direction');
    if (typeof direction !== 'string' || !directions.includes(direction.toLowerCase())) return `Direction ${JSON.stringify(direction)} is unknown.`;
    const km = d.get('kilometers');
    if (!isPyInt(km) || Number(km) <= 0) return `${String(km)} is not a positive int.`;
    moves.push({ direction, distance: Number(km) });
  }
  return moves;
}

export const judgedLocationsDirections: JudgedScorer = async (test, answers, judge) => {
  const route = parseExpectedRoute(test);
  const answer = answers[answers.length - 1];
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  const places = placeBook([...new Set(route.flatMap((m) => [m.origin, m.destination]))]);
  const moves = structuredMoves(await judge.ask({ user: STRUCTURE_PROMPT(answer, places) }), places);
  if (typeof moves === 'string') return { score: 0, maxScore: 1, reasons: [`Couldn't make sense of the agent's directions (${moves}) (judged by ${judge.name}).`] };
  const [expected, reached] = [followMoves(route), followMoves(moves)];
  const ok = expected[0] === reached[0] && expected[1] === reached[1];
  return { score: ok ? 1 : 0, maxScore: 1, reasons: [`The agent's directions ${ok ? '' : 'do not '}lead to the expected destination (judged by ${judge.name}).`] };
};
