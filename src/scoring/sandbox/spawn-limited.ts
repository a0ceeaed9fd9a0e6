/** Runs one command with a wall-clock limit, capped output, and the whole process group killed at the end (issue 8, issue 14). */
import { spawn } from 'node:child_process';

const OUTPUT_CAP = 64 * 1024;
/** After the limit kills the process, how long its pipes may take to close before we stop waiting (a holder outside the group). */
const CLOSE_GRACE_MS = 1000;

export interface SpawnResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export interface SpawnLimitedOptions {
  cwd: string;
  timeoutMs: number;
  stdin: string;
  env: NodeJS.ProcessEnv;
}

export function spawnLimited(cmd: string[], opts: SpawnLimitedOptions): Promise<SpawnResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const [file, ...args] = cmd as [string, ...string[]];
    // detached: its own process group, so the limit kills whatever it started too.
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const cap = (acc: string, d: Buffer): string => (acc.length >= OUTPUT_CAP ? acc : acc + d.toString('utf8', 0, Math.min(d.length, OUTPUT_CAP - acc.length)));
    child.stdout.on('data', (d: Buffer) => (stdout = cap(stdout, d)));
    child.stderr.on('data', (d: Buffer) => (stderr = cap(stderr, d)));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin);
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    let graceTimer: NodeJS.Timeout | undefined;
    const done = (exitCode: number | null, signal: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      // Anything it left running in its group goes too.
      killGroup();
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ exitCode, signal, stdout, stderr, timedOut, durationMs: performance.now() - started });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
      // issue 14: a child that escaped the group and holds the pipes no longer keeps the verdict waiting.
      graceTimer = setTimeout(() => done(null, 'SIGKILL'), CLOSE_GRACE_MS);
    }, opts.timeoutMs);
    child.on('error', (err) => {
      stderr += `\n${err.message}`;
      done(null, null);
    });
    child.on('close', (code, signal) => done(code, signal));
  });
}
