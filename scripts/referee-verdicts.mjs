#!/usr/bin/env node
// issue 12: compares Referee's scorers with the GoodAI verdicts of a table
// (scripts/goodai-verdicts.py), per dataset. Needs `npm run build`.
// Usage: node scripts/referee-verdicts.mjs <table.json>
// Cases where GoodAI asked its LLM with no scripted reply are counted apart;
// where GoodAI's own code raised, Referee must score 0.
import { readFileSync } from 'node:fs';
import { getJudgedScorer, getScorer } from '../dist/scoring/registry.js';
import { prospectiveMemoryCallback } from '../dist/scoring/prospective_memory.js';

const table = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const rows = new Map();
const disagreements = [];
for (const c of table.cases) {
  const row = rows.get(c.dataset) ?? { agree: 0, total: 0, needsLlm: 0 };
  rows.set(c.dataset, row);
  if (c.goodai.error?.startsWith('RuntimeError: GoodAI asked its LLM')) {
    row.needsLlm++;
    continue;
  }
  const test = { testId: c.id, dataset: c.dataset, exampleId: '0', script: ['q'], is_question: [true], waits: [{}], expected_responses: c.expected_responses, can_be_interleaved: true, is_temporal: false, uses_callback: c.dataset === 'prospective_memory' };
  let mine;
  if (c.dataset === 'prospective_memory') mine = prospectiveMemoryCallback(test, c.answers).score;
  else if (c.judge) {
    const queue = [...c.judge];
    mine = (await getJudgedScorer(c.dataset)(test, c.answers, { name: 'scripted', ask: async () => queue.shift() ?? '' })).score;
  } else mine = getScorer(c.dataset)(test, c.answers).score;
  const theirs = c.goodai.error !== undefined ? 0 : c.goodai.score;
  row.total++;
  if (Math.abs(mine - theirs) < 1e-9) row.agree++;
  else disagreements.push(`${c.id}: Referee ${mine}, GoodAI ${theirs}`);
}
let agree = 0;
let total = 0;
for (const [dataset, r] of [...rows].sort()) {
  console.log(`${dataset.padEnd(20)} ${r.agree}/${r.total} agree${r.needsLlm ? ` (${r.needsLlm} more need GoodAI's LLM)` : ''}`);
  agree += r.agree;
  total += r.total;
}
console.log(`all                  ${agree}/${total} agree`);
for (const d of disagreements.slice(0, 20)) console.log(`  ${d}`);
process.exitCode = agree === total ? 0 : 1;
