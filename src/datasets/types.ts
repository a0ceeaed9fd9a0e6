/**
 * A test definition in the GoodAI LTM benchmark's own shape
 * (`definitions/<Dataset>/<example_id>.def.json`), so definitions written by
 * GoodAI's tools and by ours are interchangeable.
 */
export interface Wait {
  /** Share of the memory span (0-100) that must pass before the next script line. */
  percentage_finished?: number;
  /** Tokens of other traffic that must pass before the next script line. */
  tokens?: number;
  /** Seconds of (virtual) time that must pass before the next script line. */
  time?: number;
}

export interface TestDefinitionFile {
  script: string[];
  is_question: boolean[];
  waits: Wait[];
  expected_responses: unknown[];
  can_be_interleaved: boolean;
  is_temporal: boolean;
  uses_callback: boolean;
  /** Referee extension: which scorer handles this test (defaults to the dataset name). */
  evaluation?: string;
  /**
   * GoodAI's `example_id` where a generator names its test (ChapterBreak: the sample's id): the
   * file is `<example_id>.def.json` instead of `<index>.def.json`. Not written into the file.
   */
  example_id?: string;
}

export interface TestDefinition extends TestDefinitionFile {
  /** `<Dataset>/<example_id>`, unique within a run. */
  testId: string;
  dataset: string;
  exampleId: string;
}

/** A seeded generator: same seed and args, same definitions, byte for byte. */
export interface DatasetGenerator {
  /** The dataset name as configs spell it (`colours`). */
  readonly name: string;
  /** Directory name as GoodAI writes it (`Colours`). */
  readonly displayName: string;
  generate(options: { seed: number; examples: number; args: Record<string, unknown> }): TestDefinitionFile[];
  /** Sent (as a line of the test) when one of its tests ends, as GoodAI's `reset_message`. */
  readonly resetMessage?: string;
  /**
   * Temporal tests (`is_temporal`, one more `is_question` than script lines):
   * writes the final question from the (virtual) times the lines were sent.
   */
  createQuestion?(test: TestDefinitionFile, lineTimesMs: readonly number[], nowMs: number): string;
  /**
   * Callback tests (`uses_callback`): how many replies, counting the reply to
   * the registering line, the callback needs to see before it can decide.
   */
  callbackHorizon?(test: TestDefinitionFile): number;
  /**
   * A dataset whose data the user supplies (ChapterBreak's passages): the one line saying where to
   * get it when it has not been supplied, so a run skips the dataset instead of failing; undefined when it can run.
   */
  missingData?(args: Record<string, unknown>, env?: NodeJS.ProcessEnv): string | undefined;
  /**
   * A dataset that asks the judge model during the run (Restaurant): the one line a run without a
   * judge prints, skipping it (its definitions are written all the same).
   */
  readonly needsJudge?: string;
}

/** Filler: a message whose reply is not scored, sent between a test's turns. */
export interface FillerMessage {
  message: string;
  expected?: string;
}
