/**
 * The docs test: every shell command in README.md and docs/*.md runs as written.
 *
 * - A command is a line of a ```sh, ```bash or ```shell block (a trailing backslash joins the next
 *   line; blank and comment-only lines are skipped). ```text and ```console blocks are
 *   illustrations (commands that need Docker, a key, a GoodAI checkout) and are not run.
 * - Each file's commands run in document order, each as its own test case named file:line, with
 *   `bash -c`, in a temporary directory of that file's own that links every top-level entry of the
 *   repository but runs/ (so `configs/…` paths resolve and `runs/` starts empty). A later command
 *   may use what an earlier one of the same file wrote (`--run-id a`, then `compare runs/a …`).
 * - `npx referee` is the project's own bin, dist/cli/main.js (an `npx` shim first on PATH; any other
 *   `npx` goes to the real one). OPENAI_API_KEY, REFEREE_MONITOR_TOKEN and OTEL_* are removed from
 *   the environment, so a command gets only what it sets itself.
 * - A command passes when it exits 0, or N where its comment says `exit code N`.
 * - A command ending in `&` starts a server that the rest of its file uses: the test waits until
 *   its port answers HTTP (any status) and stops it after the file's last command.
 * - `npx referee monitor|view|sim` without `&` serve until Ctrl-C: the test waits until they
 *   answer HTTP, sends SIGINT and waits for them to end.
 * - NOT_RUN below is the only list of documented commands the test does not run, each with its reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODE_TABLE } from '../../src/exit-codes.js';
import { CLI, ROOT, tempDir } from '../helpers.js';

const NOT_RUN: ReadonlyArray<{ pattern: RegExp; why: string }> = [
  { pattern: /^npm ci\b/, why: 'reinstalls node_modules, which this test is running from' },
  { pattern: /^npm test\b/, why: 'runs the whole suite, this test included' },
  { pattern: /^npm start\b/, why: 'rebuilds dist/ under the running suite; the run it starts is `npx referee run`, run here from the README' },
  { pattern: /^npm run bench(:[\w-]+)?\b/, why: 'minutes of load that measure the machine; not a test' },
];

const COMMAND_TIMEOUT_MS = 120_000;
const SERVER_READY_MS = 30_000;
const SERVER_COMMANDS = /^(?:\w+=\S*\s+)*npx referee (?:monitor|view|sim)\b/;
const DEFAULT_PORTS: Record<string, number> = { monitor: 8080, view: 8080, sim: 8000 };

interface DocCommand {
  file: string;
  line: number;
  text: string;
  /** The command without its trailing comment and `&`. */
  code: string;
  background: boolean;
  expectedCode: number;
}

/** Index of the `#` that starts a comment (outside quotes, after whitespace), or -1. */
function commentStart(line: string): number {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) {
      return i;
    }
  }
  return -1;
}

export function extractCommands(file: string, markdown: string): DocCommand[] {
  const out: DocCommand[] = [];
  const lines = markdown.split('\n');
  let inShell = false;
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const fence = /^\s*```\s*([\w-]*)/.exec(raw);
    if (fence) {
      if (inFence) {
        inFence = false;
        inShell = false;
      } else {
        inFence = true;
        inShell = ['sh', 'bash', 'shell'].includes(fence[1] ?? '');
      }
      continue;
    }
    if (!inShell) continue;
    const start = i;
    let text = raw;
    while (/\\\s*$/.test(text) && i + 1 < lines.length) text = text.replace(/\\\s*$/, ' ') + (lines[++i] ?? '').trim();
    const cut = commentStart(text);
    const comment = cut >= 0 ? text.slice(cut) : '';
    let code = (cut >= 0 ? text.slice(0, cut) : text).trim();
    if (code === '') continue;
    const background = /[^&]&$/.test(code);
    if (background) code = code.slice(0, -1).trim();
    const expected = /\bexit code (\d+)\b/.exec(comment);
    out.push({ file, line: start + 1, text: text.trim(), code, background, expectedCode: expected ? Number(expected[1]) : 0 });
  }
  return out;
}

function serverPort(code: string): number | undefined {
  const flag = /--(?:port|monitor-port)[ =](\d+)/.exec(code) ?? /--http[ =][\w.]+:(\d+)/.exec(code);
  if (flag) return Number(flag[1]);
  const sub = /npx referee (monitor|view|sim)\b/.exec(code);
  return sub ? DEFAULT_PORTS[sub[1] ?? ''] : undefined;
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(code: string, cwd: string, env: NodeJS.ProcessEnv): Started {
  // detached: its own process group, so stopping it stops whatever it started.
  const child = spawn('bash', ['-c', code], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (c, s) => resolve({ code: c, signal: s })));
  return { child, output: () => out, exited };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stop(server: Started): Promise<void> {
  signalGroup(server.child, 'SIGINT');
  const ended = await Promise.race([server.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
  if (!ended) {
    signalGroup(server.child, 'SIGKILL');
    await server.exited;
  }
}

/** Resolves once http://127.0.0.1:port/ answers anything; rejects if the server exits first or never answers. */
async function waitForHttp(port: number, server: Started): Promise<void> {
  let done = false;
  const exitedFirst = server.exited.then((e) => {
    if (!done) throw new Error(`exited (code ${e.code}, signal ${e.signal}) before answering on port ${port}:\n${server.output().slice(-2000)}`);
  });
  const answered = (async () => {
    const deadline = Date.now() + SERVER_READY_MS;
    while (Date.now() < deadline) {
      try {
        await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`no HTTP answer on port ${port} within ${SERVER_READY_MS} ms:\n${server.output().slice(-2000)}`);
  })();
  try {
    await Promise.race([answered, exitedFirst]);
  } finally {
    done = true;
  }
}

const DOC_FILES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const COMMANDS = DOC_FILES.map((file) => ({ file, commands: extractCommands(file, readFileSync(join(ROOT, file), 'utf8')) }));

describe('docs commands: extraction', () => {
  it('finds the commands of the README and of docs/, and every one it leaves out is on NOT_RUN', () => {
    const all = COMMANDS.flatMap((c) => c.commands);
    expect(COMMANDS.find((c) => c.file === 'README.md')?.commands.length).toBeGreaterThan(5);
    expect(all.filter((c) => c.file.startsWith('docs/')).length).toBeGreaterThan(30);
    // A placeholder would be a shell redirection here: it belongs in a text block.
    expect(all.filter((c) => /<[\w-]+>/.test(c.code)).map((c) => `${c.file}:${c.line}`)).toEqual([]);
    expect(extractCommands('x.md', '```sh\nnpx referee run --attempts 2   # exit code 2\nnpx referee sim &  # a server\n```\n```text\nnot run\n```\n')).toEqual([
      { file: 'x.md', line: 2, text: 'npx referee run --attempts 2   # exit code 2', code: 'npx referee run --attempts 2', background: false, expectedCode: 2 },
      { file: 'x.md', line: 3, text: 'npx referee sim &  # a server', code: 'npx referee sim', background: true, expectedCode: 0 },
    ]);
  });
});

// A newcomer reads what Referee does, not its history: no issue numbers or seed-document wording.
describe('docs: written for a newcomer', () => {
  it('names no issue or seed document, and the README stays at most 250 lines', () => {
    const found = DOC_FILES.flatMap((f) =>
      readFileSync(join(ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\bissue \d+|\bseed 00\d/i.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length).toBeLessThanOrEqual(250);
  });
});

describe('docs: the exit-code table', () => {
  it('docs/reliability.md lists the codes and meanings of src/exit-codes.ts, the table --help prints', () => {
    const doc = readFileSync(join(ROOT, 'docs/reliability.md'), 'utf8');
    const table = doc.slice(doc.indexOf('| exit code | meaning |'));
    const rows = [...table.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => ({ code: Number(m[1]), meaning: m[2] }));
    expect(rows).toEqual(EXIT_CODE_TABLE.map((r) => ({ code: r.code, meaning: r.meaning })));
  });
});

for (const { file, commands } of COMMANDS) {
  if (commands.length === 0) continue;
  describe(`docs commands: ${file}`, () => {
    let cwd = '';
    let env: NodeJS.ProcessEnv = {};
    const servers: Started[] = [];

    beforeAll(() => {
      cwd = tempDir('referee-docs-');
      for (const entry of readdirSync(ROOT)) if (entry !== 'runs') symlinkSync(join(ROOT, entry), join(cwd, entry));
      const shimDir = join(cwd, '.docs-bin');
      mkdirSync(shimDir);
      const shim = join(shimDir, 'npx');
      writeFileSync(shim, `#!/usr/bin/env bash\nif [ "$1" = referee ]; then shift; exec "${process.execPath}" "${CLI}" "$@"; fi\nPATH="${process.env.PATH ?? ''}" exec npx "$@"\n`);
      chmodSync(shim, 0o755);
      env = { ...process.env, PATH: `${shimDir}:${process.env.PATH ?? ''}` };
      for (const key of Object.keys(env)) if (key.startsWith('OTEL_') || key === 'OPENAI_API_KEY' || key === 'REFEREE_MONITOR_TOKEN') delete env[key];
    });

    afterAll(async () => {
      await Promise.all(servers.map(stop));
      if (cwd) rmSync(cwd, { recursive: true, force: true });
    });

    for (const cmd of commands) {
      const name = `${cmd.file}:${cmd.line}: ${cmd.text.length > 110 ? `${cmd.text.slice(0, 107)}...` : cmd.text}`;
      const skip = NOT_RUN.find((n) => n.pattern.test(cmd.code));
      if (skip) {
        it.skip(`${name} (not run: ${skip.why})`, () => undefined);
        continue;
      }
      it(name, { timeout: COMMAND_TIMEOUT_MS + SERVER_READY_MS }, async () => {
        // `view --bundle` writes a static site and exits: it serves nothing.
        if (cmd.background || (SERVER_COMMANDS.test(cmd.code) && !/\s--bundle\b/.test(cmd.code))) {
          const port = serverPort(cmd.code);
          if (port === undefined) throw new Error(`${cmd.file}:${cmd.line}: cannot tell which port this server answers on`);
          const server = start(cmd.code, cwd, env);
          if (cmd.background) servers.push(server);
          try {
            await waitForHttp(port, server);
          } finally {
            if (!cmd.background) await stop(server);
          }
          return;
        }
        const run = start(cmd.code, cwd, env);
        const timer = setTimeout(() => signalGroup(run.child, 'SIGKILL'), COMMAND_TIMEOUT_MS);
        const { code, signal } = await run.exited;
        clearTimeout(timer);
        expect(code, `${cmd.file}:${cmd.line} ended with code ${code} (signal ${signal}), expected ${cmd.expectedCode}:\n$ ${cmd.code}\n${run.output().slice(-3000)}`).toBe(cmd.expectedCode);
      });
    }
  });
}
