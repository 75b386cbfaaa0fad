/**
 * What every part of `npm run bench:heap` shares: the cases, the seeded inputs, the checksum fold and
 * the structures kept alive between runs.
 */
import { mulberry32 } from '../../test/support/seeded-random';

export type Workload = 'pop-all' | 'steady' | 'update' | 'remove' | 'load';

/** One measurement: one workload × one implementation × one N, run in a process of its own. */
export interface Case {
  workload: Workload;
  impl: string;
  n: number;
}

/** What a case's process prints (as JSON) for the parent. */
export interface CaseResult {
  timesMs: number[];
  /** Checksum of the keys popped by the timed runs (pop-all, steady); equal across runs. */
  checksum: number;
  /** Checksum of draining the heap left by the last run (update, remove, load). */
  drainChecksum?: number;
}

/**
 * One case's code: `setup` (untimed) builds what a run needs, `run` (timed) does the work and returns
 * a checksum, `drain` (untimed, after the last run) checksums what the run left behind.
 */
export interface Bench<S> {
  setup(): S;
  run(state: S): number;
  drain?(state: S): number;
}

/** Erases a case's state type, so that the cases of one library can share one return type. */
export const bench = <S>(b: Bench<S>): Bench<unknown> => b as Bench<unknown>;

/** A case's code for `c`, or undefined if `c` is not one of this library's cases. */
export type CaseFactory = (c: Case, data: Data) => Bench<unknown> | undefined;

export interface Item {
  id: number;
  key: number;
}

export const SIZES = [10_000, 100_000, 1_000_000];
const BASE_MS = 1_767_225_600_000; // 2026-01-01T00:00:00Z
export const SPAN_MS = 7 * 24 * 3600 * 1000;
const SEED = 0x5eed;

/** Order-sensitive fold of a key into a 32-bit checksum (FNV-style). */
export function fold(sum: number, key: number): number {
  return Math.imul(sum ^ key, 16777619);
}

export const byKey = (a: Item, b: Item): number => a.key - b.key;
export const byValue = (a: number, b: number): number => a - b;

/** The inputs of size n; each array has its own PRNG stream, so generating one never shifts another. */
export class Data {
  /** `keys[id]` is the key of id; ids are 0..n-1. */
  readonly keys: Float64Array;
  constructor(readonly n: number) {
    this.keys = this.randomKeys(1);
  }
  private stream(k: number): () => number {
    return mulberry32(SEED * 31 + this.n * 7 + k);
  }
  private randomKeys(k: number): Float64Array {
    const rand = this.stream(k);
    const out = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = BASE_MS + Math.floor(rand() * SPAN_MS);
    return out;
  }
  /** Steady state: the i-th popped entry goes back with its key + deltas[i] (1 ms to one week). */
  deltas(): Float64Array {
    const rand = this.stream(2);
    const out = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = 1 + Math.floor(rand() * SPAN_MS);
    return out;
  }
  /** Update i moves id updateIds[i] to updateKeys[i]. */
  updateIds(): Int32Array {
    const rand = this.stream(3);
    return Int32Array.from({ length: this.n }, () => Math.floor(rand() * this.n));
  }
  updateKeys(): Float64Array {
    return this.randomKeys(4);
  }
  /** A random half of the ids, in removal order. */
  removeIds(): Int32Array {
    const rand = this.stream(5);
    const order = Int32Array.from({ length: this.n }, (_, i) => i);
    for (let i = this.n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order.subarray(0, this.n >> 1);
  }
  numberIds(): number[] {
    return Array.from({ length: this.n }, (_, i) => i);
  }
  stringIds(): string[] {
    return Array.from({ length: this.n }, (_, i) => `job-${i}`);
  }
  items(): Item[] {
    return Array.from({ length: this.n }, (_, id) => ({ id, key: this.keys[id] }));
  }
}

/**
 * Structures (heaps, item arrays) of a case's first run, kept reachable for the whole process.
 * Without this the gc() before each run collects every instance, V8 then drops the hidden classes
 * only those instances used, and the optimised code that depends on them is thrown away: runs restart
 * in the interpreter, in streaks (measured: 10k load 0.3 ms, then runs of 3 ms). A scheduler's one
 * long-lived heap never sees that, so the benchmark should not either.
 */
const retained: unknown[] = [];
let retaining = true;
export function retain<T>(structure: T): T {
  if (retaining) retained.push(structure);
  return structure;
}
/** Called after a case's first run: later runs' structures are left to the collector. */
export function stopRetaining(): void {
  retaining = false;
}
