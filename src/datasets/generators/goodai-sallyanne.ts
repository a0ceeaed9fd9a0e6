/**
 * GoodAI's SallyAnne (datasets/sally_ann.py at 188e761), ported line for line so that a seed and
 * the same ToMi file give GoodAI's def.json bytes. The stories come from a ToMi-format `test.txt`
 * (GoodAI's `data/tomi_data/`, generated, says GoodAI's README, with kayburns/tom-qa-dataset, which
 * has no licence; ToMi's own generator is CC BY-NC 4.0): neither lets an MIT project ship them, so
 * the user supplies the file.
 */
import { readFileSync } from 'node:fs';
import { DatasetError } from '../../errors.js';
import type { PyRandom } from '../py-random.js';
import type { TestDefinitionFile } from '../types.js';
import { goodaiWaits } from './goodai.js';

export type SallyAnneQuestionType = 'theory_of_mind' | 'world_model' | 'any';

const PATTERNS: Record<'world_model' | 'theory_of_mind', RegExp[]> = {
  world_model: [/^Where was the ([\w-]+) at the beginning\?$/, /^Where is the ([\w-]+) really\?$/],
  theory_of_mind: [/^Where will [\w-]+ look for the ([\w-]+)\?$/, /^Where does [\w-]+ think that [\w-]+ searches for the ([\w-]+)\?$/],
};

export const GOODAI_SALLYANNE_INTRO =
  'They are broadcasting a program on TV. I will keep you updated on what happens, and at the end, I will ask you a question about what happened on the show. Okay?';

export interface ToMiSample {
  /** The story's lines as GoodAI keeps them (each with its newline), then the question (without). */
  lines: string[];
  answer: string;
}

/** GoodAI's `is_plural`: "Works only for tomi_data/test.txt". */
function isPlural(word: string): boolean {
  return word.endsWith('s') && !['asparagus', 'dress', 'pajamas'].includes(word);
}

/** GoodAI's `fix_plural`: "The boots is in the bathtub." becomes "The boots are in the bathtub.". */
export function fixPlural(sentence: string): string {
  if (!sentence.startsWith('The ') || !sentence.includes(' is in the ')) return sentence;
  const words = sentence.split(' ');
  if (!isPlural(words[1]!)) return sentence;
  words[2] = 'are';
  return words.join(' ');
}

function wordInPatterns(text: string, patterns: RegExp[]): string | undefined {
  for (const pattern of patterns) {
    const m = pattern.exec(text);
    if (m) return m[1];
  }
  return undefined;
}

/** Python's text-mode lines: universal newlines, each line keeping its `\n`. */
function pythonLines(text: string): string[] {
  const normalised = text.replace(/\r\n?/g, '\n');
  const lines = normalised.split(/(?<=\n)/);
  return lines.filter((l) => l.length > 0);
}

/** GoodAI's `SallyAnneDataset.extract_samples` over the text of a ToMi file. */
export function extractToMiSamples(text: string, questionType: SallyAnneQuestionType, file = 'ToMi file'): ToMiSample[] {
  const types = questionType === 'any' ? (['world_model', 'theory_of_mind'] as const) : [questionType];
  const patterns = types.flatMap((t) => PATTERNS[t]);
  const samples: ToMiSample[] = [];
  let sampleLines: string[] = [];
  for (const [n, raw] of pythonLines(text).entries()) {
    let line = raw.slice(raw.indexOf(' ') + 1);
    sampleLines.push(line);
    if (!line.includes('\t')) continue;
    const parts = line.split('\t');
    // GoodAI unpacks exactly three fields; anything else is not ToMi's format.
    if (parts.length !== 3) throw new DatasetError('DATASET_INVALID', `sallyanne: ${file} line ${n + 1} is not ToMi's "<n> question<TAB>answer<TAB>n" format`);
    line = parts[0]!;
    const answer = parts[1]!;
    const word = wordInPatterns(line, patterns);
    if (word !== undefined) {
      if (isPlural(word)) line = line.replaceAll('was', 'were').replaceAll('is', 'was');
      sampleLines[sampleLines.length - 1] = line;
      samples.push({ lines: sampleLines, answer });
    }
    sampleLines = [];
  }
  return samples;
}

export function readToMiFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new DatasetError('DATASET_INVALID', `sallyanne: cannot read args.data_file ${file} (${(cause as NodeJS.ErrnoException).code ?? cause})`, { cause });
  }
}

/** GoodAI's `SallyAnneDataset.generate_examples`, on the dataset's `random.Random(seed)`. */
export function goodaiSallyAnneTests(rng: PyRandom, samples: readonly ToMiSample[], examples: number): TestDefinitionFile[] {
  const shuffled = samples.slice();
  rng.shuffle(shuffled);
  return shuffled.slice(0, examples).map((sample) => {
    const script = [
      GOODAI_SALLYANNE_INTRO,
      ...sample.lines.slice(0, -1).map((line) => `(On TV) ${fixPlural(line)}`),
      `The TV program has ended for today. ${sample.lines[sample.lines.length - 1]}\n` +
        'Provide your answer in JSON form with a single word as answer, like this: {"answer": "word"}\n' +
        'Be as specific as possible.',
    ];
    return {
      script,
      is_question: script.map((_, i) => i === script.length - 1),
      waits: goodaiWaits(script.length),
      expected_responses: [sample.answer],
      can_be_interleaved: true,
      is_temporal: false,
      uses_callback: false,
    };
  });
}
