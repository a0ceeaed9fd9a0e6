import type { SamplesPage } from './api.js';

/** A run event as the monitor's stream sends it. */
export interface RunEvent {
  key: string;
  type: string;
  seq?: number;
  test_id?: string;
  lane?: number;
  step?: number;
  kind?: string;
  status?: string;
  score?: number;
  max_score?: number;
  tests_done?: number;
  turns_done?: number;
  cost_usd?: number;
}

/**
 * A live run's samples count turns as the server does (issue 17): a turn_start on the step its
 * lane last ended is another attempt, not another turn. A page of samples is the server's state
 * at its `last_seq`, with each lane's last ended step: the count goes on from there, events it
 * already holds skipped and those it missed applied again.
 */
export class TurnCounter {
  private laneStep = new Map<number, string | null>();
  private lastLane = 0;
  private recent: RunEvent[] = [];

  constructor(
    private seen: number,
    private readonly update: (testId: string, change: (s: { turns: number; status: string }) => Partial<{ turns: number; status: string }>) => void,
  ) {}

  private apply(ev: RunEvent): void {
    if (ev.type === 'test_start' && ev.test_id) this.update(ev.test_id, () => ({ status: 'running' }));
    if (ev.type === 'turn_start') {
      this.lastLane = ev.lane ?? this.lastLane;
      if (ev.kind !== 'filler' && ev.test_id && this.laneStep.get(this.lastLane) !== `${ev.test_id}#${ev.step}`) this.update(ev.test_id, (s) => ({ turns: s.turns + 1 }));
    }
    if (ev.type === 'turn_end') this.laneStep.set(ev.lane ?? this.lastLane, `${ev.test_id}#${ev.step}`);
  }

  /** A stream event: counted unless the samples on the page hold it already. */
  take(ev: RunEvent): void {
    if (typeof ev.seq === 'number' && ev.seq <= this.seen) return;
    if (typeof ev.seq === 'number') this.seen = ev.seq;
    this.recent.push(ev);
    if (this.recent.length > 1000) this.recent = this.recent.slice(-500);
    this.apply(ev);
  }

  rebase(page: SamplesPage): void {
    if (typeof page.last_seq !== 'number') return;
    this.laneStep = new Map(Object.entries(page.lane_steps || {}).map(([lane, step]) => [Number(lane), step]));
    this.recent = this.recent.filter((ev) => (ev.seq ?? 0) > page.last_seq);
    for (const ev of this.recent) this.apply(ev);
    this.seen = Math.max(this.seen, page.last_seq);
  }
}
