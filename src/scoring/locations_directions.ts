/**
 * Locations directions: the agent's directions are followed, move by move,
 * and must end where the expected route ends (GoodAI's rule). GoodAI has an
 * LLM turn the reply into moves; the deterministic reading takes every
 * "<n> km <direction>" (or "<direction> ... <n> km") in order.
 */
import { followMoves } from '../datasets/generators/locations_directions.js';
import type { Move } from '../datasets/generators/locations_directions.js';
import type { TestDefinition } from '../datasets/types.js';
import { DatasetError } from '../errors.js';
import { lastAnswer } from './extract.js';
import type { ScoreResult, Scorer } from './types.js';

const ROUTE_LINE = /^From (.+?), go (\d+)\s*km (North|South|East|West) to (.+?)\.$/i;

/** The moves of `expected_responses[0]` ("From A, go 2km North to B." lines). */
export function parseExpectedRoute(test: TestDefinition): Move[] {
  const lines = String(test.expected_responses[0] ?? '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '' && !l.startsWith('(Just an example'));
  return lines.map((line) => {
    const m = ROUTE_LINE.exec(line.trim());
    if (!m) throw new DatasetError('DATASET_INVALID', `${test.testId}: expected route line ${JSON.stringify(line)} is not "From A, go 2km North to B."`);
    return { origin: m[1]!, distance: Number(m[2]), direction: (m[3]![0]!.toUpperCase() + m[3]!.slice(1).toLowerCase()) as Move['direction'], destination: m[4]! };
  });
}

const MOVE = /(\d+)\s*(?:km|kilometers?|kilometres?)\s*(?:to the\s+|towards?\s+|heading\s+)?(north|south|east|west)\b|\b(north|south|east|west)(?:wards?)?\s+(?:for\s+|by\s+)?(\d+)\s*(?:km|kilometers?|kilometres?)/gi;

/** Every move written in the reply, in order. */
export function readMoves(text: string): { direction: string; distance: number }[] {
  return [...text.matchAll(MOVE)].map((m) => (m[1] !== undefined ? { distance: Number(m[1]), direction: m[2]! } : { distance: Number(m[4]), direction: m[3]! }));
}

export function routeMatches(route: Move[], moves: { direction: string; distance: number }[], how: string): ScoreResult {
  const expected = followMoves(route);
  if (moves.length === 0) return { score: 0, maxScore: 1, reasons: [`No directions found in the answer (${how}).`] };
  const reached = followMoves(moves);
  const ok = reached[0] === expected[0] && reached[1] === expected[1];
  return {
    score: ok ? 1 : 0,
    maxScore: 1,
    reasons: [`The agent's directions ${ok ? '' : 'do not '}lead to the expected destination (${moves.length} moves end at ${reached.join(',')}, expected ${expected.join(',')}; ${how}).`],
  };
}

export const scoreLocationsDirections: Scorer = (test, answers) => {
  const route = parseExpectedRoute(test);
  const answer = lastAnswer(answers);
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  return routeMatches(route, readMoves(answer), 'read without a judge');
};
