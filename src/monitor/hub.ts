import { existsSync, readdirSync, watch, type Dirent, type FSWatcher } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { TruncatedLine } from './bounded-lines.js';
import { JsonlLineIndex } from './line-index.js';
import { JsonlTail } from './jsonl-tail.js';
import { RunModel } from './run-model.js';
import { runLiveness } from '../runner/run-lock.js';
import { readRegularFileSync } from './safe-read.js';
import { WaitTail, type WaitLog } from './wait-log.js';
import { countGoodaiTokens } from '../tokens.js';

/** One Server-Sent Event, serialised once and sent to every client as is. */
export interface SseMessage {
  /** `<epoch>-<seq>`: monotonic within one monitor process. */
  id: string;
  seq: number;
  /** Omitted for the default `message` event. */
  event?: string;
  data: string;
  /** Run key and event type, for per-client filters. */
  key?: string;
  type?: string;
}

export interface MonitorHubOptions {
  /** Root holding run directories (`<root>/<run>` or `<root>/<group>/<run>`). */
  runsDir: string;
  /** issue 17: what an hour of the machine costs, for `/costs`' compute line. @default undefined (no rate) */
  computeHourlyUsd?: number;
  /** What an hour of one worker (a shard's machine) costs, for `/costs`' worker line. @default undefined (no rate) */
  workerHourlyUsd?: number;
  /** Milliseconds between polls of growing files (a fallback beside fs.watch). @default 250 */
  pollMs?: number;
  /** Milliseconds between scans for new run directories. @default 1000 */
  discoverMs?: number;
  /** Events kept for Last-Event-ID replay. @default 5000 */
  ringSize?: number;
  /**
   * issue 17: how long `start()` waits for the runs already on disk to be read
   * before it resolves; the rest is read in slices in the background (each run
   * flagged `loading` until done) so a 100,000-turn run never holds up the first
   * answer. @default undefined (wait until every run is read)
   */
  readyWithinMs?: number;
}

interface TrackedRun {
  dir: string;
  model: RunModel;
  tail: JsonlTail;
  watcher: FSWatcher | undefined;
  finished: boolean;
  /** transcripts.jsonl (issue 17), turn_metrics.jsonl and results.jsonl by test id, each built on the first sample opened. */
  indexes: Map<string, JsonlLineIndex>;
  pending: Promise<void> | undefined;
  again: boolean;
  /** False while the events written before the monitor started are still being read (nothing is broadcast). */
  caughtUp: boolean;
  /** master_log.jsonl's waits, followed once the pending queue of this live run is asked for (issue 17). */
  waits: WaitTail | undefined;
}

type Listener = (msg: SseMessage) => void;

/** issue 17: the slice of events.jsonl read before the event loop gets a turn. */
const SLICE_BYTES = 1 << 20;
const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

const MAX_DEPTH = 2;
const MAX_DIR_WATCHERS = 256;

/**
 * Follows every run directory under a root: finds them (directly under the root,
 * or one level down for a match's `match-<id>/<run>`), tails each events.jsonl
 * incrementally, folds events into a RunModel and hands each new event, with a
 * global monotonic id, to subscribers. A bounded ring keeps recent events for
 * clients that reconnect with Last-Event-ID.
 */
export class MonitorHub {
  readonly runsDir: string;
  readonly computeHourlyUsd: number | undefined;
  readonly workerHourlyUsd: number | undefined;
  readonly epoch = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  private seq = 0;
  private readonly runs = new Map<string, TrackedRun>();
  private readonly ring: SseMessage[] = [];
  private ringStart = 0;
  private readonly ringSize: number;
  private readonly listeners = new Set<Listener>();
  private readonly pollMs: number;
  private readonly discoverMs: number;
  private readonly readyWithinMs: number | undefined;
  /** Set once start() resolved: runs caught up after it announce themselves (`loaded`). */
  private ready = false;
  private timers: NodeJS.Timeout[] = [];
  private live = false;
  /** Watchers on the root and on folders that may yet become (or hold) run directories. */
  private readonly dirWatchers = new Map<string, FSWatcher>();
  private discoverQueued = false;
  private stopped = false;
  /** Bumped on every folded event; the summary broadcaster compares it. */
  version = 0;

  constructor(options: MonitorHubOptions) {
    this.runsDir = options.runsDir;
    this.computeHourlyUsd = options.computeHourlyUsd;
    this.workerHourlyUsd = options.workerHourlyUsd;
    this.pollMs = options.pollMs ?? 250;
    this.discoverMs = options.discoverMs ?? 1000;
    this.ringSize = Math.max(1, options.ringSize ?? 5000);
    this.readyWithinMs = options.readyWithinMs;
  }

  /**
   * Reads what exists (without broadcasting it), then follows changes. Resolves
   * once everything is read, or after `readyWithinMs` with the rest still loading.
   */
  async start(): Promise<void> {
    const existing = this.discover();
    this.live = true;
    const loaded = Promise.all(existing.map((r) => this.pump(r)));
    this.timers.push(
      setInterval(() => this.pollAll(), this.pollMs),
      setInterval(() => this.discoverAndPump(), this.discoverMs),
    );
    for (const t of this.timers) t.unref();
    if (this.readyWithinMs === undefined) await loaded;
    else {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([loaded, new Promise<void>((r) => (timer = setTimeout(r, this.readyWithinMs)))]);
      clearTimeout(timer);
    }
    this.ready = true;
  }

  /**
   * issue 17: what the waiting tests of a live run wait for (its master_log.jsonl),
   * followed from the first time it is asked for; undefined for a run not running.
   */
  waits(key: string): WaitLog | undefined {
    const run = this.runs.get(key);
    if (!run || run.finished || !run.model.running || run.model.loading) return undefined;
    if (!run.waits) {
      run.waits = new WaitTail(run.dir, countGoodaiTokens, this.runsDir);
      void run.waits.refresh();
    }
    return run.waits.log;
  }

  /** issue 17: one run's transcripts.jsonl, indexed by test id. */
  transcripts(key: string): JsonlLineIndex | undefined {
    return this.lineIndex(key, 'transcripts.jsonl');
  }

  /**
   * issue 21: a run file's lines by test id (transcripts.jsonl, turn_metrics.jsonl, a task run's
   * results.jsonl), each indexed on the first sample opened and extended as the file grows.
   */
  lineIndex(key: string, file: string): JsonlLineIndex | undefined {
    const run = this.runs.get(key);
    if (!run) return undefined;
    let index = run.indexes.get(file);
    if (!index) {
      index = new JsonlLineIndex(join(run.dir, file), 'test_id', this.runsDir);
      run.indexes.set(file, index);
    }
    return index;
  }

  /** The run directory of a tracked run. */
  dirOf(key: string): string | undefined {
    return this.runs.get(key)?.dir;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const r of this.runs.values()) r.watcher?.close();
    for (const w of this.dirWatchers.values()) w.close();
    this.dirWatchers.clear();
    this.listeners.clear();
  }

  get lastSeq(): number {
    return this.seq;
  }

  get lastId(): string {
    return `${this.epoch}-${this.seq}`;
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  models(): RunModel[] {
    return [...this.runs.values()].map((r) => r.model);
  }

  find(idOrKey: string): RunModel | undefined {
    const byKey = this.runs.get(idOrKey);
    if (byKey) return byKey.model;
    return this.models().find((m) => m.run_id === idOrKey);
  }

  /**
   * The run the page follows: the running one with the latest event, else the
   * most recent run of all.
   */
  current(): RunModel | undefined {
    const recent = (m: RunModel): number => Date.parse(m.last_event_at ?? m.started_at ?? String(m.meta['created_at'] ?? '')) || 0;
    const all = this.models().sort((a, b) => recent(b) - recent(a));
    return all.find((m) => m.running && m.started_at) ?? all[0];
  }

  /**
   * The events after `lastEventId`, or null when they are no longer in the
   * ring (or the id is from another monitor process): the client then needs a
   * fresh snapshot.
   */
  replaySince(lastEventId: string): SseMessage[] | null {
    const m = /^([a-z0-9]+)-(\d+)$/.exec(lastEventId.trim());
    if (!m || m[1] !== this.epoch) return null;
    const after = Number(m[2]);
    if (after > this.seq) return null;
    const items = this.ringItems();
    const oldest = items[0]?.seq ?? this.seq + 1;
    if (after < oldest - 1) return null;
    return items.filter((i) => i.seq > after);
  }

  private ringItems(): SseMessage[] {
    return [...this.ring.slice(this.ringStart), ...this.ring.slice(0, this.ringStart)];
  }

  /** Gives a message the next id, keeps it for replay and hands it to every subscriber. */
  broadcast(msg: Omit<SseMessage, 'id' | 'seq'>): void {
    const seq = ++this.seq;
    const full: SseMessage = { ...msg, seq, id: `${this.epoch}-${seq}` };
    if (this.ring.length < this.ringSize) this.ring.push(full);
    else {
      this.ring[this.ringStart] = full;
      this.ringStart = (this.ringStart + 1) % this.ringSize;
    }
    for (const fn of this.listeners) fn(full);
  }

  private pollAll(): void {
    for (const r of this.runs.values()) {
      if (r.finished) continue;
      void this.pump(r);
      void r.waits?.refresh();
    }
  }

  private discoverAndPump(): void {
    for (const r of this.discover()) void this.pump(r);
    const now = Date.now();
    for (const r of this.runs.values()) if (r.caughtUp) this.checkLiveness(r, now);
  }

  /** Whether the process of a run that says `running` still runs (its lock: runLiveness); a change is a new summary. */
  private checkLiveness(run: TrackedRun, now = Date.now()): void {
    const m = run.model;
    const lost = !run.finished && m.saysRunning ? runLiveness(run.dir, m.last_event_at, now) : undefined;
    if (lost?.status !== m.lost?.status) this.version++;
    m.lost = lost;
  }

  /**
   * A new run's first events are written right after its folder appears; a
   * watch on the folders above it finds it then rather than at the next scan.
   */
  private watchDir(dir: string): void {
    if (this.dirWatchers.has(dir) || this.dirWatchers.size >= MAX_DIR_WATCHERS || this.stopped) return;
    try {
      const w = watch(dir, { persistent: false }, () => {
        if (this.discoverQueued || !this.live) return;
        this.discoverQueued = true;
        setImmediate(() => {
          this.discoverQueued = false;
          this.discoverAndPump();
        });
      });
      w.on('error', () => {
        w.close();
        this.dirWatchers.delete(dir);
      });
      this.dirWatchers.set(dir, w);
    } catch {
      // Not watchable (gone, or no inotify left): the periodic scan still finds it.
    }
  }

  private unwatchDir(dir: string): void {
    this.dirWatchers.get(dir)?.close();
    this.dirWatchers.delete(dir);
  }

  /** Finds run directories not yet tracked; returns them. */
  private discover(): TrackedRun[] {
    const found: TrackedRun[] = [];
    const visit = (dir: string, depth: number): void => {
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      this.watchDir(dir);
      for (const e of entries) {
        // A symlink is not a directory here: a run folder linked in from elsewhere is never followed (issue 24).
        if (!e.isDirectory()) continue;
        const sub = join(dir, e.name);
        const key = relative(this.runsDir, sub).split(sep).join('/');
        if (this.runs.has(key)) continue;
        if (existsSync(join(sub, 'events.jsonl')) && existsSync(join(sub, 'run.json'))) {
          const group = key.includes('/') ? key.slice(0, key.lastIndexOf('/')) : null;
          const run = this.track(sub, key, group);
          if (run) {
            this.unwatchDir(sub);
            found.push(run);
          }
        } else if (depth < MAX_DEPTH && !isRunPart(e.name)) {
          visit(sub, depth + 1);
        } else if (depth === MAX_DEPTH) {
          // A folder that may become a run directory once its run.json is written.
          this.watchDir(sub);
        }
      }
    };
    if (!this.stopped) visit(this.runsDir, 1);
    return found;
  }

  private track(dir: string, key: string, group: string | null): TrackedRun | undefined {
    const meta = readMeta(dir, this.runsDir);
    if (!meta) return undefined; // run.json mid-write (or outside the runs directory); the next scan picks it up
    const model = new RunModel(key, String(meta['run_id'] ?? key), group);
    model.setMeta(meta);
    model.loading = !this.live;
    const run: TrackedRun = {
      dir,
      model,
      tail: new JsonlTail(join(dir, 'events.jsonl'), this.runsDir),
      watcher: undefined,
      finished: false,
      indexes: new Map(),
      pending: undefined,
      again: false,
      waits: undefined,
      // A run that appears while the monitor is live is followed from its first event.
      caughtUp: this.live,
    };
    try {
      run.watcher = watch(run.tail.file, { persistent: false }, () => void this.pump(run));
      run.watcher.on('error', () => {
        run.watcher?.close();
        run.watcher = undefined; // the poll carries on alone
      });
    } catch {
      // fs.watch is best effort; polling covers file systems without it.
    }
    this.runs.set(key, run);
    return run;
  }

  /**
   * Reads whatever the run appended (what was there before the monitor started, a
   * slice at a time with the event loop free between slices); coalesces
   * overlapping triggers into one more read.
   */
  private pump(run: TrackedRun): Promise<void> {
    if (run.pending) {
      run.again = true;
      return run.pending;
    }
    run.pending = (async () => {
      do {
        run.again = false;
        const before = run.tail.position;
        // Slices while catching up; once live, what was appended goes out in one read, as it was written.
        const records = await run.tail.readNew(run.caughtUp ? Infinity : SLICE_BYTES);
        for (const ev of records) this.fold(run, ev);
        if (run.tail.behind > 0 && run.tail.position > before) {
          run.again = true;
          await yieldToLoop();
        }
      } while (run.again && !this.stopped);
    })()
      .catch(() => {})
      .finally(() => {
        run.pending = undefined;
        if (!run.caughtUp) this.caughtUp(run);
      });
    return run.pending;
  }

  /** From here on the run's events go out live; a page that showed it partly read refetches it. */
  private caughtUp(run: TrackedRun): void {
    run.caughtUp = true;
    run.model.loading = false;
    this.checkLiveness(run);
    this.version++;
    if (!this.ready || this.stopped) return;
    const key = run.model.key;
    this.broadcast({ event: 'loaded', data: JSON.stringify({ key, group: run.model.group, type: 'loaded' }), key, type: 'loaded' });
  }

  private fold(run: TrackedRun, ev: Record<string, unknown>): void {
    // A lost run that writes again has a process again (resumed): the next check confirms it.
    run.model.lost = undefined;
    const result = run.model.apply(ev);
    // issue 24: a line over the bound was read from its first MiB (bounded-lines.ts); the run's notices say so.
    const cut = ev['truncated_line'] as TruncatedLine | undefined;
    if (cut) {
      const mib = (n: number): string => `${(n / (1 << 20)).toFixed(1)} MiB`;
      const type = typeof ev['type'] === 'string' ? ev['type'] : 'unreadable';
      const ts = typeof ev['ts'] === 'string' ? ev['ts'] : new Date().toISOString();
      run.model.notices.push({ ts, type: 'line_truncated', message: `events.jsonl: a ${type} line of ${mib(cut.bytes)} was read from its first ${mib(cut.kept)} only` });
    }
    this.version++;
    if (ev['type'] === 'run_end') {
      run.finished = true;
      run.watcher?.close();
      run.watcher = undefined;
      run.waits = undefined;
      const meta = readMeta(run.dir, this.runsDir);
      if (meta) run.model.setMeta({ ...meta, status: run.model.status });
    }
    if (!this.live || !run.caughtUp) return;
    const key = run.model.key;
    const type = String(ev['type'] ?? '');
    this.broadcast({ event: 'run', data: JSON.stringify({ key, group: run.model.group, ...ev }), key, type });
    if (result.stageLane !== undefined) {
      const stage = run.model.laneStage(result.stageLane);
      if (stage) this.broadcast({ event: 'stage', data: JSON.stringify({ ...stage, ts: ev['ts'] }), key, type: 'stage' });
    }
  }
}

/** Folders inside a run directory never hold runs; skipping them keeps scans cheap. */
function isRunPart(name: string): boolean {
  return name === 'dataset' || name === 'results' || name === 'state' || name.startsWith('.');
}

function readMeta(dir: string, root: string): Record<string, unknown> | undefined {
  try {
    const text = readRegularFileSync(join(dir, 'run.json'), undefined, root);
    if (text === undefined) return undefined;
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
