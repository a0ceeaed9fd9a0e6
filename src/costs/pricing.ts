import type { PricingSource } from '../artifacts/schemas.js';

export interface ResolvedPricing {
  inputPerMTok: number;
  outputPerMTok: number;
  source: PricingSource;
}

/** The run.json record of the prices used (issue 16). */
export function pricingRecord(p: ResolvedPricing): { input_per_mtok: number; output_per_mtok: number; source: PricingSource } {
  return { input_per_mtok: p.inputPerMTok, output_per_mtok: p.outputPerMTok, source: p.source };
}

/**
 * A small built-in table (USD per million tokens), used when the agent config
 * names no prices. Matching is by exact model id, then by longest prefix.
 */
export const PRICE_TABLE: Record<string, { input: number; output: number }> = {
  'sim-1': { input: 0, output: 0 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-opus-4': { input: 15, output: 75 },
};

export function resolvePricing(model: string, configured?: { input_per_mtok?: number | undefined; output_per_mtok?: number | undefined }): ResolvedPricing {
  const table = tablePrice(model);
  const input = configured?.input_per_mtok;
  const output = configured?.output_per_mtok;
  if (input !== undefined || output !== undefined) {
    // issue 17: one price given is an override; the other is the table's (0 if the model is not in it).
    return { inputPerMTok: input ?? table?.input ?? 0, outputPerMTok: output ?? table?.output ?? 0, source: 'config' };
  }
  if (table) return { inputPerMTok: table.input, outputPerMTok: table.output, source: 'table' };
  return { inputPerMTok: 0, outputPerMTok: 0, source: 'unknown' };
}

function tablePrice(model: string): { input: number; output: number } | undefined {
  const exact = PRICE_TABLE[model];
  if (exact) return exact;
  const prefix = Object.keys(PRICE_TABLE)
    .filter((k) => model.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? PRICE_TABLE[prefix] : undefined;
}

export function costUsd(p: ResolvedPricing, tokensIn: number, tokensOut: number): number {
  return (tokensIn * p.inputPerMTok + tokensOut * p.outputPerMTok) / 1_000_000;
}

/**
 * The prices of an agent config. A protocol agent (issue 15) brings its own
 * LLM, so Referee's table says nothing about it: its turns are priced by what
 * it reports (`agent_reported`), or by `pricing:` when it reports only tokens.
 */
export function agentPricing(config: { kind: string; llm: { model: string }; pricing?: { input_per_mtok?: number | undefined; output_per_mtok?: number | undefined } | undefined }): ResolvedPricing {
  if (config.kind !== 'http' && config.kind !== 'stdio') return resolvePricing(config.llm.model, config.pricing);
  return { inputPerMTok: config.pricing?.input_per_mtok ?? 0, outputPerMTok: config.pricing?.output_per_mtok ?? 0, source: 'agent_reported' };
}
