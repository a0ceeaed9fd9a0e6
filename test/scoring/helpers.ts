import type { TestDefinition } from '../../src/datasets/types.js';

/** A minimal definition around the expected responses a scorer reads. */
export function testWith(dataset: string, expected: unknown[]): TestDefinition {
  return {
    testId: `${dataset}/0`,
    dataset,
    exampleId: '0',
    script: ['statement', 'question?'],
    is_question: [false, true],
    waits: [{ percentage_finished: 90 }, {}],
    expected_responses: expected,
    can_be_interleaved: true,
    is_temporal: false,
    uses_callback: false,
    evaluation: dataset,
  };
}
