/**
 * CPython's `random.Random`, ported exactly (issue 25 item 1).
 *
 * GoodAI's generators and filler draw from `random.Random(seed)`: a dataset is
 * seeded with `Random(seed)` (an int), each test with `Random(unique_id)` (a
 * str), the scheduler with `Random(0)` whose state it saves with `getstate()`.
 * Reproducing their files byte for byte needs the same numbers, so this class
 * follows CPython 3.11 line for line:
 * - the Mersenne Twister, seeding and `getrandbits` from `Modules/_randommodule.c`
 *   (`genrand_uint32`, `init_genrand`, `init_by_array`, `random_seed`,
 *   `_random_Random_getrandbits_impl`, `_random_Random_random_impl`);
 * - everything else from `Lib/random.py` (`seed` version 2, `_randbelow_with_getrandbits`,
 *   `randrange`, `randint`, `choice`, `shuffle`, `sample`, `choices`, `uniform`,
 *   `getstate`/`setstate`).
 * test/datasets/py-random.test.ts replays sequences recorded from CPython 3.11
 * (scripts/record-py-random.py) and asserts equality.
 *
 * Python ints map to JS numbers while they are safe integers and to BigInt
 * beyond: `getrandbits` always returns a bigint; `randrange`/`randint` return a
 * bigint when any argument is one. CPython's ValueError and IndexError are
 * thrown as RangeError, its TypeError as TypeError, with CPython's messages.
 *
 * Differences that cannot arise from GoodAI's code, and are refused rather than
 * approximated: a float seed (CPython hashes it; a JS number here is always the
 * int it equals), `seed(None)` (OS entropy), and non-integral `randrange`
 * arguments (CPython 3.11 raises ValueError for those too).
 */
import { createHash } from 'node:crypto';

/** What `new PyRandom(seed)` accepts: what GoodAI passes to `Random(...)`. */
export type PySeed = number | bigint | string | Uint8Array;

/**
 * The value of CPython's `Random.getstate()` as JSON writes it (a tuple becomes
 * an array): `[3, [mt[0], ..., mt[623], index], gauss_next]`. GoodAI's scheduler
 * stores exactly this in its run state, so it loads here unchanged.
 */
export type PyRandomState = [version: number, internal: number[], gaussNext: number | null];

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_32 = 4294967296;
const MASK_32 = 0xffffffffn;

/** `int.bit_length()` for a non-negative bigint. */
function bitLengthBig(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** `int.bit_length()` for a non-negative safe integer, exactly (no log2 rounding). */
function bitLength(n: number): number {
  if (n < TWO_32) return 32 - Math.clz32(n);
  return 64 - Math.clz32(Math.floor(n / TWO_32));
}

/** Python's floor division `a // b` on ints. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** `bisect.bisect_right(a, x, lo, hi)`. */
function bisectRight(a: readonly number[], x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x < (a[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A Python int argument: an integral number or a bigint. */
function toInt(x: number | bigint, message: string): bigint {
  if (typeof x === 'bigint') return x;
  if (!Number.isInteger(x)) throw new RangeError(message);
  return BigInt(x);
}

/** A Python sequence: a string is indexed by code point, as `str` is. */
function asSequence<T>(seq: readonly T[] | string): readonly T[] {
  return typeof seq === 'string' ? (Array.from(seq) as unknown as readonly T[]) : seq;
}

export class PyRandom {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;
  /** Kept only so `getstate()` round-trips; `gauss()` is not ported. */
  private gaussNext: number | null = null;

  /** `random.Random(seed)`. */
  constructor(seed: PySeed) {
    this.seed(seed);
  }

  /**
   * `Random.seed(a)` with version 2, the default: an int seeds with its absolute
   * value; a str (UTF-8) or bytes seeds with `int.from_bytes(a + sha512(a).digest())`.
   */
  seed(a: PySeed): void {
    let n: bigint;
    if (typeof a === 'string' || a instanceof Uint8Array) {
      const bytes = typeof a === 'string' ? Buffer.from(a, 'utf8') : Buffer.from(a);
      const digest = createHash('sha512').update(bytes).digest();
      const all = Buffer.concat([bytes, digest]);
      // int.from_bytes: byteorder 'big' is the default since 3.11.
      n = BigInt(`0x${all.toString('hex')}`);
    } else if (typeof a === 'bigint') {
      n = a;
    } else {
      if (!Number.isSafeInteger(a)) {
        throw new TypeError(`PyRandom seeds with an int; ${a} is not a safe integer (pass a bigint)`);
      }
      n = BigInt(a);
    }
    if (n < 0n) n = -n;
    // random_seed(): split n into 32-bit chunks from the right (least significant first).
    const bits = bitLengthBig(n);
    const keyused = bits === 0 ? 1 : Math.floor((bits - 1) / 32) + 1;
    const key = new Uint32Array(keyused);
    for (let i = 0; i < keyused; i++) key[i] = Number((n >> BigInt(32 * i)) & MASK_32);
    this.initByArray(key);
    this.gaussNext = null;
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] as number;
      mt[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i;
    }
    this.index = N;
  }

  private initByArray(key: Uint32Array): void {
    const mt = this.mt;
    const keyLength = key.length;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = N > keyLength ? N : keyLength; k > 0; k--) {
      const prev = mt[i - 1] as number;
      mt[i] = ((mt[i] as number) ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + (key[j] as number) + j;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1] as number;
        i = 1;
      }
      if (j >= keyLength) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] as number;
      mt[i] = ((mt[i] as number) ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1] as number;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  /** `genrand_uint32`: the next 32-bit output of the twister. */
  private genrandUint32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      let kk = 0;
      let y: number;
      for (; kk < N - M; kk++) {
        y = ((mt[kk] as number) & UPPER_MASK) | ((mt[kk + 1] as number) & LOWER_MASK);
        mt[kk] = (mt[kk + M] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      for (; kk < N - 1; kk++) {
        y = ((mt[kk] as number) & UPPER_MASK) | ((mt[kk + 1] as number) & LOWER_MASK);
        mt[kk] = (mt[kk + (M - N)] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      y = ((mt[N - 1] as number) & UPPER_MASK) | ((mt[0] as number) & LOWER_MASK);
      mt[N - 1] = (mt[M - 1] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      this.index = 0;
    }
    let y = mt[this.index++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random()`: a float in [0, 1) with 53 random bits (`genrand_res53`). */
  random(): number {
    const a = this.genrandUint32() >>> 5;
    const b = this.genrandUint32() >>> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
  }

  /** `getrandbits(k)` for k <= 53, as a number: the same words in the same order. */
  private getrandbitsSmall(k: number): number {
    if (k === 0) return 0;
    if (k <= 32) return this.genrandUint32() >>> (32 - k);
    const low = this.genrandUint32();
    const high = this.genrandUint32() >>> (64 - k);
    return high * TWO_32 + low;
  }

  /** `getrandbits(k)`: an int of k random bits, filled 32 bits at a time from the least significant word. */
  getrandbits(k: number): bigint {
    if (!Number.isInteger(k)) throw new TypeError(`getrandbits() needs an int, got ${k}`);
    if (k < 0) throw new RangeError('number of bits must be non-negative');
    if (k <= 53) return BigInt(this.getrandbitsSmall(k));
    const words = Math.floor((k - 1) / 32) + 1;
    let result = 0n;
    for (let i = 0; i < words; i++, k -= 32) {
      let r = this.genrandUint32();
      if (k < 32) r >>>= 32 - k;
      result |= BigInt(r) << BigInt(32 * i);
    }
    return result;
  }

  /**
   * `_randbelow(n)` (`_randbelow_with_getrandbits`): an int in [0, n), n > 0,
   * by rejection on `getrandbits(n.bit_length())`.
   */
  randbelow(n: number): number;
  randbelow(n: bigint): bigint;
  randbelow(n: number | bigint): number | bigint {
    if (typeof n === 'number') {
      if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`randbelow needs a positive safe integer, got ${n}`);
      const k = bitLength(n);
      let r = this.getrandbitsSmall(k);
      while (r >= n) r = this.getrandbitsSmall(k);
      return r;
    }
    if (n <= 0n) throw new RangeError(`randbelow needs a positive int, got ${n}`);
    const k = bitLengthBig(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** `_randbelow` on a bigint, answered as a number when n is a safe integer (same draws either way). */
  private randbelowBig(n: bigint): bigint {
    return n <= BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(this.randbelow(Number(n))) : this.randbelow(n);
  }

  /**
   * `randrange(stop)` or `randrange(start, stop[, step])`: `choice(range(start, stop, step))`
   * without building the range. Pass `null` as stop to give `randrange(start, None, step)`.
   */
  randrange(stop: number): number;
  randrange(start: number, stop: number | null, step?: number): number;
  randrange(start: number | bigint, stop?: number | bigint | null, step?: number | bigint): number | bigint;
  randrange(start: number | bigint, stop?: number | bigint | null, step?: number | bigint): number | bigint {
    const asBig = typeof start === 'bigint' || typeof stop === 'bigint' || typeof step === 'bigint';
    const out = (x: bigint): number | bigint => (asBig ? x : Number(x));
    // Fast path, no BigInt: all numbers, step 1, a width that stays a safe integer.
    if (!asBig && (step === undefined || step === 1) && Number.isSafeInteger(start)) {
      const s = start as number;
      if (stop === undefined || stop === null) {
        if (s > 0) return this.randbelow(s);
        throw new RangeError('empty range for randrange()');
      }
      if (Number.isSafeInteger(stop) && Number.isSafeInteger((stop as number) - s)) {
        const width = (stop as number) - s;
        if (width > 0) return s + this.randbelow(width);
        throw new RangeError(`empty range for randrange() (${s}, ${stop}, ${width})`);
      }
    }
    const istart = toInt(start, 'non-integer arg 1 for randrange()');
    if (stop === undefined || stop === null) {
      // CPython tests `step is not _ONE`; a step equal to 1 is that same small int.
      if (step !== undefined && BigInt(step) !== 1n) throw new TypeError('Missing a non-None stop argument');
      if (istart > 0n) return out(this.randbelowBig(istart));
      throw new RangeError('empty range for randrange()');
    }
    const istop = toInt(stop, 'non-integer stop for randrange()');
    const width = istop - istart;
    const istep = toInt(step ?? 1n, 'non-integer step for randrange()');
    if (istep === 1n) {
      if (width > 0n) return out(istart + this.randbelowBig(width));
      throw new RangeError(`empty range for randrange() (${istart}, ${istop}, ${width})`);
    }
    let n: bigint;
    if (istep > 0n) n = floorDiv(width + istep - 1n, istep);
    else if (istep < 0n) n = floorDiv(width + istep + 1n, istep);
    else throw new RangeError('zero step for randrange()');
    if (n <= 0n) throw new RangeError('empty range for randrange()');
    return out(istart + istep * this.randbelowBig(n));
  }

  /** `randint(a, b)`: an int in [a, b], both ends included (`randrange(a, b + 1)`). */
  randint(a: number, b: number): number;
  randint(a: number | bigint, b: number | bigint): number | bigint;
  randint(a: number | bigint, b: number | bigint): number | bigint {
    if (typeof a === 'number' && typeof b === 'number') {
      if (Number.isInteger(a) && Number.isInteger(b) && !Number.isSafeInteger(b + 1)) {
        return Number(this.randrange(BigInt(a), BigInt(b) + 1n));
      }
      return this.randrange(a, b + 1);
    }
    const ib = toInt(b, 'non-integer stop for randrange()');
    return this.randrange(a, ib + 1n);
  }

  /** `choice(seq)`: one element of a non-empty sequence (a string gives one code point). */
  choice(seq: string): string;
  choice<T>(seq: readonly T[]): T;
  choice<T>(seq: readonly T[] | string): T | string {
    const items = asSequence(seq);
    if (items.length === 0) throw new RangeError('Cannot choose from an empty sequence');
    return items[this.randbelow(items.length)] as T;
  }

  /** `shuffle(x)`: shuffles the array in place (Fisher–Yates from the end), as CPython does; returns nothing. */
  shuffle(x: unknown[]): void {
    for (let i = x.length - 1; i >= 1; i--) {
      const j = this.randbelow(i + 1);
      const t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }

  /**
   * The indices `sample(range(n), k)` picks: CPython's two branches, chosen by its
   * setsize rule (a pool of n when an n-length list is smaller than a k-length set,
   * else rejection against a set of picked indices).
   */
  private sampleIndices(n: number, k: number): number[] {
    if (!Number.isInteger(k)) throw new TypeError(`sample() needs an int k, got ${k}`);
    if (!(k >= 0 && k <= n)) throw new RangeError('Sample larger than population or is negative');
    const result = new Array<number>(k);
    let setsize = 21; // size of a small set minus size of an empty list
    // CPython computes this in floats (math.log(k * 3, 4)); 3k is never a power of 4, so ceil is stable.
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    if (n <= setsize) {
      const pool = Array.from({ length: n }, (_, i) => i);
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        result[i] = pool[j] as number;
        pool[j] = pool[n - i - 1] as number;
      }
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = this.randbelow(n);
        while (selected.has(j)) j = this.randbelow(n);
        selected.add(j);
        result[i] = j;
      }
    }
    return result;
  }

  /**
   * `sample(population, k, counts=None)`: k distinct positions of the population,
   * in selection order. With `counts`, each element stands for that many copies,
   * as in CPython (`sample(range(total), k)` mapped back by bisection).
   */
  sample(population: string, k: number, counts?: readonly number[]): string[];
  sample<T>(population: readonly T[], k: number, counts?: readonly number[]): T[];
  sample<T>(population: readonly T[] | string, k: number, counts?: readonly number[]): (T | string)[] {
    const items = asSequence(population);
    const n = items.length;
    if (counts !== undefined) {
      const cum: number[] = [];
      let acc = 0;
      for (const c of counts) cum.push((acc += c));
      if (cum.length !== n) throw new RangeError('The number of counts does not match the population');
      const total = cum.pop() as number;
      if (!Number.isInteger(total)) throw new TypeError('Counts must be integers');
      if (total <= 0) throw new RangeError('Total of counts must be greater than zero');
      return this.sampleIndices(total, k).map((s) => items[bisectRight(cum, s, 0, cum.length)] as T);
    }
    return this.sampleIndices(n, k).map((j) => items[j] as T);
  }

  /**
   * `choices(population, weights=None, *, cum_weights=None, k=1)`: k picks with
   * replacement, by `floor(random() * n)` or by bisecting cumulative weights.
   */
  choices<T>(population: readonly T[], options: { weights?: readonly number[]; cumWeights?: readonly number[]; k?: number } = {}): T[] {
    const k = options.k ?? 1;
    const n = population.length;
    let cum = options.cumWeights;
    if (cum === undefined) {
      if (options.weights === undefined) {
        return Array.from({ length: k }, () => population[Math.floor(this.random() * n)] as T);
      }
      const acc: number[] = [];
      let sum = 0;
      for (const w of options.weights) acc.push((sum += w));
      cum = acc;
    } else if (options.weights !== undefined) {
      throw new TypeError('Cannot specify both weights and cumulative weights');
    }
    if (cum.length !== n) throw new RangeError('The number of weights does not match the population');
    const total = cum[cum.length - 1] as number;
    if (total <= 0) throw new RangeError('Total of weights must be greater than zero');
    if (!Number.isFinite(total)) throw new RangeError('Total of weights must be finite');
    const weights = cum;
    return Array.from({ length: k }, () => population[bisectRight(weights, this.random() * total, 0, n - 1)] as T);
  }

  /** `uniform(a, b)`: `a + (b - a) * random()`. */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.random();
  }

  /** `getstate()`, in the shape JSON gives CPython's tuple (see {@link PyRandomState}). */
  getstate(): PyRandomState {
    return [3, [...this.mt, this.index], this.gaussNext];
  }

  /** `setstate(state)`: versions 3 and 2 (version 2 stored signed words), as CPython accepts them. */
  setstate(state: readonly [number, readonly (number | bigint)[], number | null]): void {
    const [version, internal, gaussNext] = state;
    if (version !== 3 && version !== 2) {
      throw new RangeError(`state with version ${version} passed to Random.setstate() of version 3`);
    }
    if (internal.length !== N + 1) throw new RangeError('state vector is the wrong size');
    const words = internal.slice(0, N).map((x) => {
      const v = BigInt(x);
      const w = version === 2 ? ((v % 2n ** 32n) + 2n ** 32n) % 2n ** 32n : v;
      if (w < 0n || w > MASK_32) throw new RangeError('state vector words must be unsigned 32-bit ints');
      return Number(w);
    });
    const index = Number(internal[N]);
    if (!Number.isInteger(index) || index < 0 || index > N) throw new RangeError('invalid state');
    this.mt.set(words);
    this.index = index;
    this.gaussNext = gaussNext;
  }
}
