/**
 * Locations directions: the agent's directions are followed, move by move,
 * and must end where the expected route ends (GoodAI's rule). GoodAI has an
 * LLM turn the reply into moves (judged-locations.ts).
 */
import type { Move } from '../datasets/generators/locations_directions.js';
import type { TestDefinition } from '../datasets/types.js';
import { DatasetError } from '../errors.js';
import { lastAnswer } from './extract.js';
import type { Scorer } from './types.js';

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

/**
 * GoodAI has its LLM judge turn every reply into moves (`structure_directions`): there is no
 * deterministic reading, so without a judge the test is `unscored: needs judge` (issue 25).
 */
export const scoreLocationsDirections: Scorer = (test, answers) => {
  parseExpectedRoute(test); // a malformed definition still stops here, judge or not
  const answer = lastAnswer(answers);
  if (answer === undefined) return { score: 0, maxScore: 1, reasons: ['No answer to the question.'] };
  return { score: 0, maxScore: 1, reasons: ["GoodAI's LLM judge reads the agent's directions; none was configured."], needsJudge: true };
};
