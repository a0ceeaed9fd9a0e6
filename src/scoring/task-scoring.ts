/** Dispatches a task's answer to its evaluator (issue 8). Only `code` (a sandboxed child process) and `judge` (an LLM call) do I/O. */
import type { EvaluatorSpec } from '../tasks/schema.js';
import { runCode } from './code-exec.js';
import type { Judge } from './judge.js';
import { judgeTask } from './task-judge.js';
import {
  containsMatch,
  exactMatch,
  extractCode,
  extractiveQa,
  jsonFieldMatch,
  numericMatch,
  regexMatch,
  type TaskVerdict,
} from './evaluators.js';

export interface TaskScoringOptions {
  /** Wall-clock limit of one code run, ms. @default 5000 */
  codeTimeoutMs?: number;
  /** Memory limit of one code run, MB. @default 256 */
  codeMemoryMb?: number;
  /** issue 14: run code without bubblewrap where it is missing (`--unsafe-code-exec`). @default false */
  unsafeCodeExec?: boolean;
  /** What `judge` evaluators ask; runTasks refuses to start a judged task without one. */
  judge?: Judge;
  /** The task's prompt, shown to the judge. */
  question?: string;
}

/** The evaluator's name as spans and reports show it (`numeric`, `code:python`). */
export function evaluatorName(spec: EvaluatorSpec): string {
  return spec.type === 'code' ? `code:${spec.language}` : spec.type;
}

export async function evaluateTask(spec: EvaluatorSpec, answer: string, expected: unknown, options: TaskScoringOptions = {}): Promise<TaskVerdict> {
  switch (spec.type) {
    case 'exact':
      return exactMatch(answer, expected);
    case 'contains':
      return containsMatch(answer, expected);
    case 'regex':
      return regexMatch(answer, expected, spec.flags !== undefined ? { flags: spec.flags } : {});
    case 'numeric':
      return numericMatch(answer, expected, {
        ...(spec.tolerance !== undefined ? { tolerance: spec.tolerance } : {}),
        ...(spec.relative !== undefined ? { relative: spec.relative } : {}),
      });
    case 'qa':
      return extractiveQa(answer, expected, spec.threshold !== undefined ? { threshold: spec.threshold } : {});
    case 'json':
      return jsonFieldMatch(answer, expected, spec.fields ? { fields: spec.fields } : {});
    case 'judge':
      if (!options.judge) return { score: 0, maxScore: 1, passed: false, reasons: ['no judge configured (the suite\'s "judge" or --judge-config)'] };
      return judgeTask(options.judge, spec, options.question ?? '', answer, expected);
    case 'code': {
      if (typeof expected !== 'string') return { score: 0, maxScore: 1, passed: false, reasons: ['code task: "expected" must be the tests, as a string'] };
      const r = await runCode({
        language: spec.language,
        code: extractCode(answer, spec.language),
        tests: expected,
        timeoutMs: spec.timeout_ms ?? options.codeTimeoutMs ?? 5000,
        memoryMb: spec.memory_mb ?? options.codeMemoryMb ?? 256,
        unsafe: options.unsafeCodeExec ?? false,
      });
      const detail = r.passed ? '' : `: ${lastLine(r.output)}`;
      return { score: r.passed ? 1 : 0, maxScore: 1, passed: r.passed, reasons: [`code ${r.reason} in ${Math.round(r.durationMs)} ms${detail}`] };
    }
  }
}

function lastLine(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at ') && !/^Node\.js v/.test(l));
  const pick =
    lines.find((l) => /^REFEREE_SANDBOX_DENIED|^[A-Za-z]*Error\b[^(]*:|^[A-Za-z]*Error$|heap limit/.test(l)) ??
    lines.find((l) => /Error/.test(l)) ??
    lines[lines.length - 1] ??
    '';
  return pick.length > 200 ? `${pick.slice(0, 200)}…` : pick;
}
