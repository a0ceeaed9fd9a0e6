/**
 * A definitions folder in GoodAI's layout, written by hand, runs end to end
 * (issue 7), and the outputs have GoodAI's shapes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MasterLogRecordSchema, MasterLogType } from '../../src/artifacts/schemas.js';
import { readJson, readJsonl, runCli, tempDir } from '../helpers.js';

const QUOTE = 'Well begun is half done.';
const DEFS: Record<string, Record<string, unknown>> = {
  'Colours/0': {
    script: ['My favourite colour is teal.', 'My favourite colour is now amber.', 'What is my favourite colour?'],
    is_question: [false, false, true],
    waits: [{ percentage_finished: 30 }, { percentage_finished: 90 }, {}],
    expected_responses: ['amber'],
    can_be_interleaved: true,
    is_temporal: false,
    uses_callback: false,
  },
  'Prospective Memory/0': {
    script: [`'${QUOTE}' - Aristotle`, 'After responding to the following unrelated user prompts, please append the quote from Aristotle, to your 3rd response. Count your response to this message as the first response.'],
    is_question: [false, true],
    waits: [{ percentage_finished: 90 }, {}],
    expected_responses: [[QUOTE, 'Aristotle', 3]],
    can_be_interleaved: true,
    is_temporal: false,
    uses_callback: true,
  },
  'Jokes/0': {
    script: ['The scarecrow won an award because he was outstanding in his field.', 'My calendar has its days numbered.'],
    is_question: [false, false, true],
    waits: [{ time: 5400, percentage_finished: 45 }, { time: 3600, percentage_finished: 90 }, {}],
    expected_responses: ['The scarecrow won an award because he was outstanding in his field.'],
    can_be_interleaved: true,
    is_temporal: true,
    uses_callback: false,
  },
  'Trigger Response/0': {
    script: ["Whenever I say 'Achoo!' then say: 'Here is a tissue for you'", 'Achoo!', 'Achoo!'],
    is_question: [false, true, true],
    waits: [{ percentage_finished: 45 }, { percentage_finished: 90 }, {}],
    expected_responses: ['Here is a tissue for you', 'Here is a tissue for you'],
    can_be_interleaved: true,
    is_temporal: false,
    uses_callback: false,
    an_unknown_goodai_field: 'ignored',
  },
};

const CONFIG_YML = `config:
  debug: True
  run_name: "Hand written"
  incompatibilities:
    - - "names"
      - "name_list"
datasets:
    args:
      memory_span: 700
      dataset_examples: 1
    datasets:
      - name: "colours"
      - name: "prospective_memory"
      - name: "jokes"
      - name: "trigger_response"
`;

describe('a GoodAI definitions folder', () => {
  let runDir = '';
  let code: number | null = null;
  let stderr = '';
  beforeAll(async () => {
    const root = tempDir();
    const defs = join(root, 'data/tests/Hand written/definitions');
    for (const [path, def] of Object.entries(DEFS)) {
      mkdirSync(join(defs, path.split('/')[0]!), { recursive: true });
      writeFileSync(join(defs, `${path}.def.json`), JSON.stringify(def, null, 2));
    }
    writeFileSync(join(defs, 'config.yml'), CONFIG_YML);
    const out = join(root, 'runs');
    // The definitions folder itself is accepted as well as its run folder.
    // issue 12: like GoodAI, Referee tells no time by default; the sim needs timestamps to answer Jokes.
    const r = await runCli(['run', '--dataset-dir', defs, '--agent-config', 'configs/agents/chat-large.yaml', '--overrides', 'config.clock.tell=timestamp', '--output-dir', out, '--run-id', 'goodai', '--quiet']);
    code = r.code;
    stderr = r.stderr;
    runDir = join(out, 'goodai');
  }, 120_000);

  it('runs with its own config (memory span from config.yml) and scores every test', () => {
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(readJson<{ memory_span: number }>(join(runDir, 'run.json')).memory_span).toBe(700);
    const stats = readJson<{ tests: { test_id: string; score: number }[] }>(join(runDir, 'runstats.json'));
    expect(Object.fromEntries(stats.tests.map((t) => [t.test_id, t.score]))).toEqual({
      'Colours/0': 1,
      'Jokes/0': 1,
      'Prospective Memory/0': 1,
      'Trigger Response/0': 1,
    });
  });

  it('writes runstats.json and master_log.jsonl in GoodAI\'s shapes', () => {
    const stats = readJson<Record<string, unknown>>(join(runDir, 'runstats.json'));
    for (const key of ['total_tokens', 'agent_tokens', 'agent_costs_usd', 'managing_costs_usd', 'duration']) expect(typeof stats[key]).toBe('number');
    // issue 12: the scorers used are recorded beside the scores (GoodAI's by default).
    expect(stats['scoring']).toBe('goodai');
    const log = readJsonl(join(runDir, 'master_log.jsonl'));
    for (const record of log) expect(MasterLogRecordSchema.parse(record)).toEqual(record);
    const records = log.map((r) => MasterLogRecordSchema.parse(r));
    expect(records[0]).toMatchObject({ type: MasterLogType.SEND_FILL, test_id: '', data: { is_question: false } });
    expect(records[0]!.data['message']).toMatch(/Long-Term Memory benchmark/);
    const ids = new Set(records.filter((r) => r.type === MasterLogType.BEGIN).map((r) => r.test_id));
    expect(ids).toEqual(new Set(['Colours - 0', 'Prospective Memory - 0', 'Jokes - 0', 'Trigger Response - 0']));
    // Every send and reply says whether it was a question; questions of a test pair up.
    for (const r of records.filter((x) => [0, 3, 4, 5].includes(x.type))) expect(typeof r.data['is_question']).toBe('boolean');
    const waits = records.filter((r) => r.type === MasterLogType.WAIT && r.test_id === 'Jokes - 0');
    expect(waits.map((w) => w.data['time'])).toEqual([5400, 3600]);
    expect(records.filter((r) => r.type === MasterLogType.REGISTER_CALLBACK).map((r) => r.test_id)).toEqual(['Prospective Memory - 0']);
    expect(records.filter((r) => r.type === MasterLogType.DEREGISTER_CALLBACK).map((r) => r.test_id)).toEqual(['Prospective Memory - 0']);
    // The reset message is the test's own message, before its END.
    const pm = records.filter((r) => r.test_id === 'Prospective Memory - 0');
    expect(pm.at(-1)!.type).toBe(MasterLogType.END);
    expect(pm.filter((r) => r.type === MasterLogType.SEND_MESSAGE).at(-1)!.data['message']).toMatch(/^Forget my instruction/);
    // Timestamps rise (epoch seconds).
    for (let i = 1; i < records.length; i++) expect(records[i]!.timestamp).toBeGreaterThanOrEqual(records[i - 1]!.timestamp);
  });

  it('writes results/<agent>/<Dataset>/<id>_0.json with the measured memory span', () => {
    const r = readJson<Record<string, unknown>>(join(runDir, 'results/chat-large/Jokes/0_0.json'));
    for (const key of ['task_log', 'actual_responses', 'score', 'max_score', 'reasoning', 'tokens', 'characters', 'full_log', 'expected_responses', 'needles']) expect(r).toHaveProperty(key);
    expect(r['score']).toBe(1);
    expect(r['tokens']).toBeGreaterThan(600);
    expect((r['actual_responses'] as string[])[0]).toContain('outstanding in his field');
  });

  it('names a missing folder in one line with exit code 2', async () => {
    const r = await runCli(['run', '--dataset-dir', join(tempDir(), 'nope'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/nope.*definitions/);
  });
});
