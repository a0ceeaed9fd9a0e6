/**
 * Trigger response: "Whenever I <do something> then say: '<sentence>'", then
 * the trigger is given several times; each reply must contain the sentence
 * (GoodAI's Trigger Response dataset).
 */
import { z } from 'zod';
import { loadTriggers } from '../data-files.js';
import { createRng, deriveSeed } from '../rng.js';
import type { DatasetGenerator, TestDefinitionFile } from '../types.js';
import { countArg, defaultWaits, parseArgs } from './common.js';

export const TRIGGER_RESET = 'Cancel any instructions as to what sentence you should say whenever I do something in particular.';

const ArgsSchema = z.strictObject({
  /** How many times the trigger is given (GoodAI's `trigger_activations`). @default 3 */
  trigger_activations: countArg(3, 20),
});

export const triggerResponseGenerator: DatasetGenerator = {
  name: 'trigger_response',
  displayName: 'Trigger Response',
  resetMessage: TRIGGER_RESET,
  generate({ seed, examples, args }) {
    const { trigger_activations } = parseArgs('trigger_response', ArgsSchema, args);
    const rules = createRng(deriveSeed(seed, 'trigger_response/rules')).shuffle(loadTriggers());
    const tests: TestDefinitionFile[] = [];
    for (let index = 0; index < examples; index++) {
      const rule = rules[index % rules.length]!;
      const script = [`Whenever I ${rule.request} then say: '${rule.response}'`];
      for (let i = 0; i < trigger_activations; i++) script.push(rule.trigger);
      tests.push({
        script,
        is_question: script.map((_, i) => i > 0),
        waits: defaultWaits(script.length),
        expected_responses: script.slice(1).map(() => rule.response),
        can_be_interleaved: true,
        is_temporal: false,
        uses_callback: false,
      });
    }
    return tests;
  },
};
