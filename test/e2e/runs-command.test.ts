import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMonitor } from '../../src/monitor/server.js';
import { runCli, tempDir } from '../helpers.js';
import { writeResumedRun, writeRetriedTaskRun, writeSuiteRuns } from '../monitor/fixture-runs.js';
import { getOk } from '../monitor/helpers.js';

type Json = Record<string, unknown>;

// issue 21: `referee runs` lists what `referee view` shows, with the same numbers.
describe('referee runs', () => {
  const root = tempDir('referee-runs-');
  writeRetriedTaskRun(root);
  writeResumedRun(root);
  writeSuiteRuns(root);

  it('--json gives every run with the numbers the viewer shows', async () => {
    const r = await runCli(['runs', '--runs-dir', root, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const listed = JSON.parse(r.stdout) as { runs_dir: string; runs: Json[] };
    expect(listed.runs_dir).toBe(root);
    const monitor = await startMonitor({ runsDir: root, port: 0 });
    try {
      const viewed = (await getOk(monitor.url, '/api/view/runs'))['runs'] as Json[];
      const fields = (row: Json): Json => ({
        run_id: row['run_id'],
        kind: row['kind'],
        agent: row['agent'],
        status: row['status'],
        score: row['score'],
        max_score: row['max_score'],
        turns_done: row['turns_done'],
        turns_total: row['turns_total'],
        started_at: row['started_at'],
        duration_s: row['duration_s'] ?? row['elapsed_seconds'],
      });
      expect(listed.runs.map(fields)).toEqual(viewed.map(fields));
    } finally {
      await monitor.close();
    }
    expect(listed.runs.map((row) => row['run_id']).sort()).toEqual(['demo-strong-math', 'demo-strong-trivia', 'demo-weak-math', 'demo-weak-trivia', 'ltm-resumed', 'tasks-retried'].sort());
    expect(listed.runs.find((row) => row['run_id'] === 'demo-weak-trivia')).toMatchObject({ kind: 'suite', agent: 'weak', status: 'finished', score: 2, max_score: 4 });
  });

  it('piped, prints one tab-separated row per run: id, kind, agent, status, score/max, turns, start, duration', async () => {
    const r = await runCli(['runs', '--runs-dir', root]);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row).toHaveLength(8);
    const weak = rows.find((row) => row[0] === 'demo-weak-trivia');
    expect(weak?.slice(1, 6)).toEqual(['suite', 'weak', 'finished', '2/4', '0/4']);
  });

  it('an empty runs directory lists nothing and says so on stderr', async () => {
    const r = await runCli(['runs', '--runs-dir', tempDir()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^referee: no runs under \S+\n$/);
  });
});

describe('a missing runs directory', () => {
  it('is one line naming it, exit 2, for runs, view and monitor', async () => {
    const missing = join(tempDir(), 'no-such-runs');
    for (const command of ['runs', 'view', 'monitor']) {
      const r = await runCli([command, '--runs-dir', missing, '--port', '0'].slice(0, command === 'runs' ? 3 : 5), { timeoutMs: 30_000 });
      expect(r.code, command).toBe(2);
      expect(r.stderr, command).toBe(`referee: ${missing}: no such runs directory (--runs-dir names the folder that holds run directories)\n`);
      expect(r.stdout, command).toBe('');
    }
  });
});
