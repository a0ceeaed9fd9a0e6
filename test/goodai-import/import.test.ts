import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRunDir } from '../../src/artifacts/run-dir-reader.js';
import { readJson, ROOT, runCli, tempDir } from '../helpers.js';

const FIXTURE = join(ROOT, 'test/fixtures/goodai-published/Benchmark 3 - 32k');
const AGENTS = readdirSync(join(FIXTURE, 'results')).sort();

interface GoodaiResult {
  score: number;
  max_score: number;
  task_log: string[];
  actual_responses: string[];
}

/** GoodAI's recorded results of an agent, by Referee test id (`Colours/0`). */
function published(dir: string, agent: string): Map<string, GoodaiResult> {
  const out = new Map<string, GoodaiResult>();
  for (const dataset of readdirSync(join(dir, 'results', agent), { withFileTypes: true }).filter((e) => e.isDirectory())) {
    for (const file of readdirSync(join(dir, 'results', agent, dataset.name))) {
      out.set(`${dataset.name}/${file.replace(/_0\.json$/, '')}`, readJson<GoodaiResult>(join(dir, 'results', agent, dataset.name, file)));
    }
  }
  return out;
}

const runDirs = (runs: string): string[] => readdirSync(runs).sort();

describe('referee import goodai: GoodAI published results as runs', () => {
  let runs: string;
  let first: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    runs = tempDir('referee-goodai-import-');
    first = await runCli(['import', 'goodai', FIXTURE, '--runs-dir', runs]);
  }, 60_000);

  it('writes one finished run per agent, scored by GoodAI, marked as imported', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(AGENTS).toHaveLength(2);
    expect(runDirs(runs)).toHaveLength(AGENTS.length);
    expect(first.stdout.trim().split('\n').at(-1)).toMatch(/^Benchmark 3 - 32k: 2 agents imported, 0 already there, 0 tests where Referee's score disagrees with GoodAI's, into /);
    for (const agent of AGENTS) {
      const dir = join(runs, runDirs(runs).find((d) => readJson<{ agent: { name: string } }>(join(runs, d, 'run.json')).agent.name === agent)!);
      const run = readRunDir(dir);
      expect(run.meta.status).toBe('finished');
      expect(run.meta.run_type).toBe('goodai');
      expect(run.meta.imported).toEqual({ from: 'goodai', benchmark: 'Benchmark 3 - 32k', agent, source: join(FIXTURE, 'results', agent), rescored: 6, disagreements: 0 });
      const goodai = published(FIXTURE, agent);
      expect(run.tests.map((t) => t.test_id).sort()).toEqual([...goodai.keys()].sort());
      for (const t of run.tests) {
        expect([t.score, t.max_score], t.test_id).toEqual([goodai.get(t.test_id)!.score, goodai.get(t.test_id)!.max_score]);
        expect(t.reasons.at(-1)).toMatch(/^Referee re-scored .*: agrees with GoodAI$/);
      }
      const total = [...goodai.values()].reduce((s, r) => s + r.score, 0);
      expect(run.stats!.score).toBeCloseTo(total, 9);
      expect(run.stats!.max_score).toBe(6);
      // GoodAI's own record, its log as it wrote it, with Referee's verdict beside it.
      const result = readJson<GoodaiResult & { referee_score: number }>(join(dir, 'results', agent, 'Colours', '0_0.json'));
      expect(result.task_log).toEqual(goodai.get('Colours/0')!.task_log);
      expect(result.referee_score).toBe(goodai.get('Colours/0')!.score);
      // The conversation, from GoodAI's task_log: each message with the reply after it.
      const colours = run.transcripts.filter((t) => t.test_id === 'Colours/0');
      const log = goodai.get('Colours/0')!.task_log;
      expect(colours.map((t) => t.user)).toEqual(log.filter((l) => l.startsWith('Test (')).map((l) => l.replace(/^Test \([^)]*\): /, '')));
      expect(colours.map((t) => t.agent)).toEqual(log.filter((l) => l.startsWith('Agent (')).map((l) => l.replace(/^Agent \([^)]*\): /, '')));
      expect(run.turns.filter((t) => t.test_id === 'Colours/0').map((t) => t.is_question)).toEqual([false, false, false, true]);
      // The viewer and the monitor fold events.jsonl: the run's scores are there too.
      const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; score?: number });
      expect(events.filter((e) => e.type === 'test_end')).toHaveLength(6);
      expect(events.at(-1)!.type).toBe('run_end');
      expect(events.at(-1)!.score).toBeCloseTo(total, 9);
    }
  });

  it("writes each imported agent's report.html, with the scores GoodAI recorded", () => {
    for (const agent of AGENTS) {
      const dir = join(runs, runDirs(runs).find((d) => readJson<{ agent: { name: string } }>(join(runs, d, 'run.json')).agent.name === agent)!);
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      const data = JSON.parse(/<script type="application\/json" id="report-data">([^]*?)<\/script>/.exec(html)![1]!) as {
        agents: { label: string; metrics: { total_score: number; max_score: number; tests: number; usage_source: string | null } }[];
        tests: { test_id: string; scores: ({ score: number | null } | null)[] }[];
      };
      const goodai = published(FIXTURE, agent);
      expect(data.agents.map((a) => a.label)).toEqual([agent]);
      // The report's metrics round the total to four places, as for every run.
      expect(data.agents[0]!.metrics.total_score).toBeCloseTo([...goodai.values()].reduce((s, r) => s + r.score, 0), 4);
      expect([data.agents[0]!.metrics.max_score, data.agents[0]!.metrics.tests]).toEqual([6, 6]);
      // GoodAI records no usage per call: the report says "not recorded", never 0 / 0.
      expect(data.agents[0]!.metrics.usage_source).toBe('unrecorded');
      expect(html).toContain("m.usage_source === 'unrecorded' ? 'not recorded'");
      expect(Object.fromEntries(data.tests.map((t) => [t.test_id, t.scores[0]?.score]))).toEqual(Object.fromEntries([...goodai].map(([id, r]) => [id, r.score])));
    }
  });

  it('lists the agents as kind goodai in referee runs, and compares two of them', async () => {
    const list = await runCli(['runs', '--runs-dir', runs, '--json']);
    const rows = (JSON.parse(list.stdout) as { runs: { kind: string; agent: string }[] }).runs;
    expect(rows.map((r) => [r.kind, r.agent]).sort()).toEqual(AGENTS.map((a) => ['goodai', a]));
    const [a, b] = runDirs(runs).map((d) => join(runs, d));
    const cmp = await runCli(['compare', a!, b!, '--out', join(tempDir(), 'cmp.html')]);
    expect(cmp.code, cmp.stderr).toBe(0);
    expect(cmp.stderr).toContain(' vs ');
  }, 60_000);

  it('imports twice without duplicating: the second import skips each agent in one line', async () => {
    const before = runDirs(runs).map((d) => readFileSync(join(runs, d, 'run.json'), 'utf8'));
    const again = await runCli(['import', 'goodai', FIXTURE, '--runs-dir', runs]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.split('\n').filter((l) => l.startsWith('skipped '))).toHaveLength(2);
    expect(again.stdout).toContain('0 agents imported, 2 already there');
    expect(runDirs(runs).map((d) => readFileSync(join(runs, d, 'run.json'), 'utf8'))).toEqual(before);
  }, 60_000);

  it('writes again an import cut short, and refuses to overwrite a run that is not an import', async () => {
    const out = tempDir();
    expect((await runCli(['import', 'goodai', FIXTURE, '--runs-dir', out])).code).toBe(0);
    const [cut, other] = runDirs(out);
    const meta = readJson<Record<string, unknown>>(join(out, cut!, 'run.json'));
    writeFileSync(join(out, cut!, 'run.json'), JSON.stringify({ ...meta, status: 'running' }));
    rmSync(join(out, cut!, 'runstats.json'));
    const again = await runCli(['import', 'goodai', FIXTURE, '--runs-dir', out]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('1 agents imported, 1 already there');
    expect(readRunDir(join(out, cut!)).meta.status).toBe('finished');
    expect(readRunDir(join(out, cut!)).stats?.tests).toHaveLength(6);
    const otherMeta = readJson<Record<string, unknown>>(join(out, other!, 'run.json'));
    writeFileSync(join(out, other!, 'run.json'), JSON.stringify({ ...otherMeta, run_type: 'single' }));
    const refused = await runCli(['import', 'goodai', FIXTURE, '--runs-dir', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringContaining(`${join(out, other!)}: exists and is not an import of`)]);
  }, 60_000);

  it("counts and names a test where Referee's scorer disagrees with GoodAI's recorded score", async () => {
    const copy = join(tempDir(), 'Benchmark 3 - 32k');
    cpSync(FIXTURE, copy, { recursive: true });
    const file = join(copy, 'results', AGENTS[0]!, 'Colours', '1_0.json');
    const result = readJson<GoodaiResult>(file);
    const flipped = result.score > 0 ? 0 : 1;
    writeFileSync(file, JSON.stringify({ ...result, score: flipped }));
    const out = tempDir();
    const r = await runCli(['import', 'goodai', copy, '--runs-dir', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(", 1 disagree: Colours/1\n");
    expect(r.stdout).toContain("2 agents imported, 0 already there, 1 tests where Referee's score disagrees with GoodAI's");
    const dir = join(out, runDirs(out).find((d) => readJson<{ agent: { name: string } }>(join(out, d, 'run.json')).agent.name === AGENTS[0])!);
    const test = readRunDir(dir).tests.find((t) => t.test_id === 'Colours/1')!;
    expect(test.score).toBe(flipped);
    expect(test.reasons.at(-1)).toContain(`DISAGREES with GoodAI's ${flipped}/1`);
  }, 60_000);

  it('refuses bad input in one line naming the path, exit 2', async () => {
    const missing = join(tempDir(), 'nope');
    const r = await runCli(['import', 'goodai', missing, '--runs-dir', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(missing);
    for (const args of [['import'], ['import', 'goodai'], ['import', 'csv', FIXTURE]]) {
      const u = await runCli(args);
      expect(u.code, args.join(' ')).toBe(2);
      expect(u.stderr.trim().split('\n'), args.join(' ')).toEqual([expect.stringMatching(/^referee: command line: import.*: referee import goodai <dir> \[--runs-dir runs\]$/)]);
    }
    const copy = join(tempDir(), 'Benchmark 3 - 32k');
    cpSync(FIXTURE, copy, { recursive: true });
    const file = join(copy, 'results', AGENTS[1]!, 'Shopping', '2_0.json');
    writeFileSync(file, JSON.stringify({ score: 'high' }));
    const bad = await runCli(['import', 'goodai', copy, '--runs-dir', tempDir()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain(file);
  }, 60_000);
});
