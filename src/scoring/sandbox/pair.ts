/**
 * issue 24: runs a code evaluation as two processes, the solution and the checker, each in a
 * sandbox of its own, joined only by the runner. Each gets a socketpair on fd 3; the runner
 * relays the checker's calls to the solution and the solution's answers back, line by line, and
 * reads the verdict from the checker's channel alone: the solution can write nothing there but
 * answers, which the checker decodes as data. One wall-clock limit for both; at the end (or the
 * limit) both process groups are killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';

const OUTPUT_CAP = 64 * 1024;
/** A call or an answer longer than this ends the evaluation (failed): a runaway answer cannot fill the runner's memory. */
const LINE_CAP = 16 * 1024 * 1024;
/** After the limit kills the groups, how long their pipes may take to close before we stop waiting. */
const CLOSE_GRACE_MS = 1000;

export interface SideResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface PairResult {
  /** The checker's verdict line: `pass`, `fail`, or null when it wrote none. */
  verdict: 'pass' | 'fail' | null;
  /** The solution's process ended before the checker's verdict (a crash, a denial, an early exit). */
  solutionEndedEarly: boolean;
  /** A line over the cap crossed the channel. */
  overflow: boolean;
  solution: SideResult;
  checker: SideResult;
  timedOut: boolean;
  durationMs: number;
}

export interface PairOptions {
  solution: { cmd: string[]; cwd: string };
  checker: { cmd: string[]; cwd: string };
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
}

interface Side {
  child: ChildProcess;
  chan: Duplex;
  out: SideResult;
  closed: Promise<void>;
}

function start(cmd: string[], cwd: string, env: NodeJS.ProcessEnv): Side {
  const [file, ...args] = cmd as [string, ...string[]];
  // detached: its own process group, so the end kills whatever it started too.
  const child = spawn(file, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const out: SideResult = { exitCode: null, signal: null, stdout: '', stderr: '' };
  const cap = (acc: string, d: Buffer): string => (acc.length >= OUTPUT_CAP ? acc : acc + d.toString('utf8', 0, Math.min(d.length, OUTPUT_CAP - acc.length)));
  child.stdout?.on('data', (d: Buffer) => (out.stdout = cap(out.stdout, d)));
  child.stderr?.on('data', (d: Buffer) => (out.stderr = cap(out.stderr, d)));
  const chan = child.stdio[3] as Duplex;
  chan.on('error', () => {});
  const closed = new Promise<void>((resolve) => {
    child.on('error', (err) => {
      out.stderr += `\n${err.message}`;
      resolve();
    });
    child.on('close', (code, signal) => {
      out.exitCode = code;
      out.signal = signal;
      resolve();
    });
  });
  return { child, chan, out, closed };
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** Splits a stream into lines; `onLine` gets each whole line (without the newline), `onOverflow` a line past the cap. */
function lines(stream: Duplex, onLine: (line: Buffer) => void, onOverflow: () => void): void {
  let buf = Buffer.alloc(0);
  stream.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10)) {
      onLine(buf.subarray(0, nl));
      buf = buf.subarray(nl + 1);
    }
    if (buf.length > LINE_CAP) {
      buf = Buffer.alloc(0);
      onOverflow();
    }
  });
}

export async function runPair(opts: PairOptions): Promise<PairResult> {
  const started = performance.now();
  const solution = start(opts.solution.cmd, opts.solution.cwd, opts.env);
  const checker = start(opts.checker.cmd, opts.checker.cwd, opts.env);
  let verdict: PairResult['verdict'] = null;
  let solutionEndedEarly = false;
  let overflow = false;
  let timedOut = false;
  const endAll = (): void => {
    killGroup(solution.child);
    killGroup(checker.child);
  };
  // The solution's answers go to the checker as they are: the checker decodes them as data.
  lines(
    solution.chan,
    (line) => checker.chan.write(Buffer.concat([line, Buffer.from('\n')])),
    () => {
      overflow = true;
      endAll();
    },
  );
  // The checker's lines are calls (to the solution) or its verdict (to us, and the end of the solution).
  lines(
    checker.chan,
    (line) => {
      let msg: unknown;
      try {
        msg = JSON.parse(line.toString('utf8'));
      } catch {
        msg = null;
      }
      const v = msg !== null && typeof msg === 'object' && 'verdict' in msg ? (msg as { verdict: unknown }).verdict : undefined;
      if (v !== undefined) {
        verdict ??= v === 'pass' ? 'pass' : 'fail';
        solution.chan.end();
      } else {
        solution.chan.write(Buffer.concat([line, Buffer.from('\n')]));
      }
    },
    () => {
      overflow = true;
      endAll();
    },
  );
  // A solution that ends before the verdict leaves the checker waiting on an answer: end it too.
  void solution.closed.then(() => {
    if (verdict === null) {
      solutionEndedEarly = true;
      killGroup(checker.child);
    }
  });
  void checker.closed.then(() => {
    if (verdict === null) killGroup(solution.child);
  });
  let graceTimer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      timedOut = true;
      endAll();
      // issue 14: a child that escaped the group and holds the pipes no longer keeps the verdict waiting.
      graceTimer = setTimeout(resolve, CLOSE_GRACE_MS);
    }, opts.timeoutMs);
    void Promise.all([solution.closed, checker.closed]).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  await limit;
  clearTimeout(graceTimer);
  endAll();
  for (const side of [solution, checker]) {
    side.child.stdout?.destroy();
    side.child.stderr?.destroy();
    side.chan.destroy();
  }
  return { verdict, solutionEndedEarly, overflow, solution: solution.out, checker: checker.out, timedOut, durationMs: performance.now() - started };
}
