/** evaluation name → scorer. A test's `evaluation` defaults to its dataset name. */
import { DatasetError } from '../errors.js';
import { scoreColours } from './colours.js';
import { scoreNameList } from './name_list.js';
import { scoreShopping } from './shopping.js';
import type { Scorer } from './types.js';
// issue 7: the rest of GoodAI's v3 suite
import { scoreChapterBreak } from './chapterbreak.js';
import { scoreJokes } from './jokes.js';
import type { JudgedScorer } from './judge.js';
import { judgedJokes, judgedTriggerResponse } from './judged.js';
import { judgedLocationsDirections } from './judged-locations.js';
import { scoreLocationsDirections } from './locations_directions.js';
import { prospectiveMemoryCallback, type CallbackScorer } from './prospective_memory.js';
import { scoreSallyAnne } from './sallyanne.js';
import { scoreSpyMeeting } from './spy_meeting.js';
import { scoreTriggerResponse } from './trigger_response.js';

/** Recorded with every run; bump when a scorer's judgement changes. */
// 2.0 (issue 12): GoodAI's evaluate_correct reproduced, partial credit and JSON repair included.
export const SCORING_VERSION = '2.0';

const SCORERS: Readonly<Record<string, Scorer>> = {
  colours: scoreColours,
  name_list: scoreNameList,
  shopping: scoreShopping,
  sallyanne: scoreSallyAnne,
  trigger_response: scoreTriggerResponse,
  spy_meeting: scoreSpyMeeting,
  jokes: scoreJokes,
  locations_directions: scoreLocationsDirections,
  chapterbreak: scoreChapterBreak,
  // Scored by its callback while the run goes on; this only answers when no reply was ever watched.
  prospective_memory: (test, answers) => ({ ...prospectiveMemoryCallback(test, answers), maxScore: 1 }),
};

/** Evaluations GoodAI hands to an LLM when its deterministic check fails; used when a judge is configured. */
const JUDGED: Readonly<Record<string, JudgedScorer>> = {
  trigger_response: judgedTriggerResponse,
  jokes: judgedJokes,
  locations_directions: judgedLocationsDirections,
};

/** Evaluations that watch every reply after their test registers a callback. */
const CALLBACKS: Readonly<Record<string, CallbackScorer>> = {
  prospective_memory: prospectiveMemoryCallback,
};

export function getJudgedScorer(evaluation: string): JudgedScorer | undefined {
  return Object.hasOwn(JUDGED, evaluation) ? JUDGED[evaluation] : undefined;
}

export function getCallbackScorer(evaluation: string): CallbackScorer | undefined {
  return Object.hasOwn(CALLBACKS, evaluation) ? CALLBACKS[evaluation] : undefined;
}

export function listScorers(): string[] {
  return Object.keys(SCORERS).sort();
}

export function getScorer(evaluation: string): Scorer {
  const scorer = Object.hasOwn(SCORERS, evaluation) ? SCORERS[evaluation] : undefined;
  if (!scorer) {
    throw new DatasetError('DATASET_INVALID', `no scorer for evaluation "${evaluation}"; known: ${listScorers().join(', ')}`);
  }
  return scorer;
}
