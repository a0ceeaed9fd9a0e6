/**
 * One term's postings: the newest `capacity` (document, term frequency) pairs
 * in typed arrays, oldest overwritten first. Issue 13: a `number[]` of pairs,
 * kept to twice what is ever scored, held 16 bytes a posting and about 33 MB
 * of a 30k-turn run's heap; this holds 6 bytes a posting and never more than
 * are scored.
 */
export class PostingRing {
  private docs: Int32Array;
  private tfs: Uint16Array;
  /** Where the next posting goes once the ring is full (the oldest one). */
  private start = 0;
  private count = 0;

  constructor(private readonly capacity: number) {
    const initial = Math.min(capacity, 4);
    this.docs = new Int32Array(initial);
    this.tfs = new Uint16Array(initial);
  }

  get size(): number {
    return this.count;
  }

  add(doc: number, tf: number): void {
    if (this.count < this.docs.length) {
      this.docs[this.count] = doc;
      this.tfs[this.count] = Math.min(tf, 0xffff);
      this.count++;
      return;
    }
    if (this.docs.length < this.capacity) {
      this.grow(Math.min(this.capacity, this.docs.length * 2));
      this.add(doc, tf);
      return;
    }
    this.docs[this.start] = doc;
    this.tfs[this.start] = Math.min(tf, 0xffff);
    this.start = (this.start + 1) % this.capacity;
  }

  /** Calls `fn` for every kept posting, oldest first. */
  forEach(fn: (doc: number, tf: number) => void): void {
    const n = this.docs.length;
    for (let i = 0; i < this.count; i++) {
      const at = (this.start + i) % n;
      fn(this.docs[at] as number, this.tfs[at] as number);
    }
  }

  private grow(size: number): void {
    const docs = new Int32Array(size);
    const tfs = new Uint16Array(size);
    docs.set(this.docs);
    tfs.set(this.tfs);
    this.docs = docs;
    this.tfs = tfs;
  }
}
