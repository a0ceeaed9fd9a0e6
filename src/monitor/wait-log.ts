import { join } from 'node:path';
import { MasterLogType } from '../artifacts/schemas.js';
import { JsonlTail } from './jsonl-tail.js';

/**
 * issue 17 (seeds 002/004, the LTM pending queue): what each waiting test of a
 * GoodAI-style run waits for, folded from its master_log.jsonl. A WAIT record
 * says how many tokens must still pass (and how many seconds of the benchmark's
 * virtual clock); every message and reply logged after it counts towards it with
 * GoodAI's tokeniser, as the runner's plan counts them, so `tokens_left` is the
 * plan's own figure (checked against the BEGIN records' running totals).
 */
export interface TestWait {
  /** Tokens the test waits for, as the WAIT record set it. */
  tokens: number;
  /** Seconds of the benchmark clock it also waits for (0: none). */
  time_s: number;
  /** When the wait began (the WAIT record's time). */
  since: string;
  /** Tokens of the messages and replies logged since. */
  tokens_passed: number;
}

const COUNTED: ReadonlySet<number> = new Set([MasterLogType.SEND_MESSAGE, MasterLogType.SEND_FILL, MasterLogType.RESPONSE_MESSAGE, MasterLogType.RESPONSE_FILL]);
const SLICE_BYTES = 1 << 20;

/** The fold, pure but for the token counter it is given. */
export class WaitLog {
  private readonly waits = new Map<string, TestWait>();

  constructor(private readonly countTokens: (text: string) => number) {}

  apply(r: Record<string, unknown>): void {
    const type = r['type'];
    const id = typeof r['test_id'] === 'string' ? r['test_id'] : '';
    const data = (r['data'] ?? {}) as Record<string, unknown>;
    if (type === MasterLogType.WAIT) {
      const ts = typeof r['timestamp'] === 'number' ? new Date(r['timestamp'] * 1000).toISOString() : new Date().toISOString();
      this.waits.set(id, { tokens: Number(data['tokens']) || 0, time_s: Number(data['time']) || 0, since: ts, tokens_passed: 0 });
      return;
    }
    // The test's next message, or its END: the wait is over.
    if (type === MasterLogType.SEND_MESSAGE || type === MasterLogType.END) this.waits.delete(id);
    if (typeof type === 'number' && COUNTED.has(type) && this.waits.size && typeof data['message'] === 'string') {
      // Runs since issue 17's follow-up record the plan's count; older ones are counted here.
      const n = typeof data['tokens'] === 'number' ? data['tokens'] : this.countTokens(data['message']);
      for (const w of this.waits.values()) w.tokens_passed += n;
    }
  }

  /** The wait of a test, by GoodAI's id (`Colours - 0`). */
  get(goodaiId: string): TestWait | undefined {
    return this.waits.get(goodaiId);
  }
}

/** A WaitLog kept up with a run directory's growing master_log.jsonl. */
export class WaitTail {
  readonly log: WaitLog;
  private readonly tail: JsonlTail;
  private pending: Promise<void> | undefined;

  /** `root`: the runs directory the log must lie in (a symlink out of it is not followed). */
  constructor(runDir: string, countTokens: (text: string) => number, root?: string) {
    this.log = new WaitLog(countTokens);
    this.tail = new JsonlTail(join(runDir, 'master_log.jsonl'), root);
  }

  /** Reads what was appended, a slice at a time (a run opened late has a long log behind it). */
  refresh(): Promise<void> {
    this.pending ??= (async () => {
      do {
        for (const r of await this.tail.readNew(SLICE_BYTES)) this.log.apply(r);
        await new Promise((r) => setImmediate(r));
      } while (this.tail.behind > 0);
    })()
      .catch(() => {})
      .finally(() => (this.pending = undefined));
    return this.pending;
  }
}
