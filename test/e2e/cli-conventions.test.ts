import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

// issue 21, item 4: a CLI with conventions.
describe('each command has its own help', () => {
  it('view --help is the viewer, not the monitor', async () => {
    const r = await runCli(['view', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^referee view\n\nBrowse finished and live runs/);
    expect(r.stdout).toContain('referee view --runs-dir results --port 9000');
    expect(r.stdout).not.toContain('referee monitor');
  });

  it('the bare help lists every command, export included', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['run', 'monitor', 'view', 'validate', 'compare', 'sim', 'export', 'replay', 'stack']) {
      expect(r.stdout, command).toMatch(new RegExp(`^  referee ${command}\\b`, 'm'));
    }
  });

  it('export without its arguments is one line with the usage, exit 2', async () => {
    for (const args of [['export'], ['export', 'goodai', 'runs/x'], ['export', 'csv', 'a', 'b']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toEqual([expect.stringMatching(/^referee: command line: export.*: referee export goodai <run-dir> <out-dir>$/)]);
    }
  });

  it('no command at all is one line, exit 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('referee: name a command (referee --help lists them)\n');
  });
});
