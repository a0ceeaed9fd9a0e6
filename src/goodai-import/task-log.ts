/**
 * GoodAI's `task_log` lines (`Test (%Y-%m-%d %H:%M:%S.%f): msg`, `Agent (...): msg`) read back
 * into the test's turns: each message and the reply that followed it, with GoodAI's times.
 */

export interface LoggedTurn {
  message: string;
  reply: string;
  /** Epoch ms of the message and of the reply, as GoodAI's log wrote them (naive times, read as UTC). */
  sentMs: number;
  repliedMs: number;
}

const LINE = /^(Test|Agent|System) \((\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\): ([\s\S]*)$/;

/** The turns of a task_log: a `Test` line and the `Agent` line after it; `System` lines (filler) and unpaired lines are left out. */
export function loggedTurns(taskLog: readonly string[]): LoggedTurn[] {
  const turns: LoggedTurn[] = [];
  let open: { message: string; sentMs: number } | undefined;
  for (const line of taskLog) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, who, day, time, frac, text] = m;
    const ms = Date.parse(`${day}T${time}.${(frac ?? '0').padEnd(3, '0').slice(0, 3)}Z`);
    if (who === 'Test') open = { message: text!, sentMs: ms };
    else if (who === 'Agent' && open) {
      turns.push({ ...open, reply: text!, repliedMs: ms });
      open = undefined;
    }
  }
  return turns;
}
