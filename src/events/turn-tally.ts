/**
 * issue 21: what a "turn" is, defined once. A turn is one step of a plan: a
 * message sent and answered, however many attempts it took (a task run's
 * `--attempts` writes one turn_metrics line per attempt, on the same lane step).
 * A turn failed when its last attempt failed. Every reader that counts turns
 * (the run's own totals, the reports, the monitor) folds records through this,
 * so the terminal, runstats.json, report.html and the monitor say the same.
 */
export interface TalliedRecord {
  lane: number;
  test_id: string;
  step: number;
  status: 'success' | 'error';
  prefilled?: boolean | undefined;
}

export class TurnTally {
  turns = 0;
  failed = 0;
  /** Calls made or pre-filled: one per turn_metrics line. */
  attempts = 0;
  /** Turns pre-filled without a call that succeeded (GoodAI's filler). */
  prefilled = 0;
  /** The last step each lane recorded, and whether its latest attempt failed. */
  private readonly lastStep = new Map<number, { key: string; failed: boolean }>();

  /** Folds one record in; true when it began a new turn, false for another attempt at the lane's last one. */
  add(r: TalliedRecord): boolean {
    this.attempts++;
    const key = `${r.test_id}#${r.step}`;
    const failed = r.status === 'error';
    const last = this.lastStep.get(r.lane);
    if (last && last.key === key) {
      if (last.failed !== failed) this.failed += failed ? 1 : -1;
      last.failed = failed;
      return false;
    }
    this.turns++;
    if (failed) this.failed++;
    else if (r.prefilled) this.prefilled++;
    this.lastStep.set(r.lane, { key, failed });
    return true;
  }
}

/** The tally of a whole turn_metrics.jsonl, in file order. */
export function tallyTurns(records: Iterable<TalliedRecord>): TurnTally {
  const tally = new TurnTally();
  for (const r of records) tally.add(r);
  return tally;
}
