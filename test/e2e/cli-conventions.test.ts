import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_CODE_TABLE } from '../../src/exit-codes.js';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { writeSmallDataset } from '../monitor/helpers.js';

// issue 21, item 4: a CLI with conventions.
describe('each command has its own help', () => {
  it('view --help is the viewer, not the monitor', async () => {
    const r = await runCli(['view', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^referee view \[runs\.\.\]\n\nBrowse finished and live runs/);
    expect(r.stdout).toContain('referee view --runs-dir results --port 9000');
    expect(r.stdout).not.toContain('referee monitor');
  });

  it('the bare help lists every command, export included', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['run', 'runs', 'monitor', 'view', 'validate', 'compare', 'sim', 'export', 'replay', 'stack', 'completion']) {
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

describe('--version', () => {
  it("is Referee's own, wherever it is run from (a project with a package.json of its own, /)", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const project = tempDir('referee-version-');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'someone-else', version: '9.9.9' }));
    for (const cwd of [project, '/']) {
      const r = await runCli(['--version'], { cwd });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    }
  });
});

describe('one flag name for the runs directory and the port', () => {
  it('run, monitor and view show --runs-dir and --port, with the old names as aliases', async () => {
    for (const command of ['run', 'monitor', 'view']) {
      const r = await runCli([command, '--help']);
      expect(r.stdout, command).toMatch(/^\s+--runs-dir, --output-dir\s/m);
      expect(r.stdout, command).toMatch(/^\s+--port, --monitor-port\s/m);
    }
  });

  it('run writes under --runs-dir, and under --output-dir as before', async () => {
    const dir = tempDir();
    const agent = join(dir, 'fast.yaml');
    writeFileSync(agent, 'name: fast\nkind: chat\nllm: { provider: sim, model: sim-1, max_tokens: 32 }\ncontext_size: 512\n');
    const dataset = writeSmallDataset(dir);
    for (const flag of ['--runs-dir', '--output-dir']) {
      const root = join(dir, flag.slice(2));
      const r = await runCli(['run', '--quiet', '--agent-config', agent, '--dataset-config', dataset, flag, root, '--run-id', 'r1']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim().split('\n').at(-1)).toBe(join(root, 'r1'));
      expect(existsSync(join(root, 'r1', 'run.json'))).toBe(true);
    }
  });
});

describe('an unknown command', () => {
  it('gets a suggestion when one is close, else a pointer to --help; exit 2', async () => {
    const typo = await runCli(['rnu', '--quiet']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('referee: unknown command "rnu": did you mean run?\n');
    const far = await runCli(['frobnicate']);
    expect(far.code).toBe(2);
    expect(far.stderr).toBe('referee: unknown command "frobnicate" (referee --help lists the commands)\n');
  });
});

describe('referee completion', () => {
  it('prints a bash and a zsh script that complete referee through the CLI itself', async () => {
    const bash = await runCli(['completion'], { env: { SHELL: '/bin/bash' } });
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain('complete -o bashdefault -o default -F _referee_yargs_completions referee');
    const zsh = await runCli(['completion'], { env: { SHELL: '/bin/zsh' } });
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toMatch(/^#compdef referee$/m);
    expect(zsh.stdout).toContain('compdef _referee_yargs_completions referee');
    for (const script of [bash.stdout, zsh.stdout]) expect(script).toContain('referee --get-yargs-completions');
  });

  it('the scripts complete every command, and a command\'s flags', async () => {
    const commands = await runCli(['--get-yargs-completions', 'referee', '']);
    for (const command of ['run', 'runs', 'view', 'monitor', 'compare', 'validate', 'export', 'sim', 'replay', 'stack', 'completion']) {
      expect(commands.stdout.split('\n'), command).toContain(command);
    }
    const flags = await runCli(['--get-yargs-completions', 'referee', 'view', '--']);
    expect(flags.stdout.split('\n')).toEqual(expect.arrayContaining(['--runs-dir', '--port']));
  });
});

describe('one exit-code table', () => {
  it('the bare help prints every code the CLI uses, from the one table', async () => {
    const r = await runCli(['--help']);
    const printed = r.stdout.slice(r.stdout.indexOf('Exit codes:\n'));
    expect(EXIT_CODE_TABLE.map((row) => row.code)).toEqual([0, 1, 2, 3, 4, 5, 130]);
    expect(printed.trimEnd().split('\n')).toEqual(['Exit codes:', ...EXIT_CODE_TABLE.map((row) => `  ${String(row.code).padEnd(4)}${row.meaning}`)]);
  });
});
