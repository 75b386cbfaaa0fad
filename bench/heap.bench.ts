/**
 * `npm run bench:heap` — QuaternaryHeap against flatqueue, tinyqueue and heap-js.
 *
 * Usage: node --expose-gc build/bench/heap.bench.js [--write] [--only=steady,load] [--sizes=10000,100000]
 *   --write   also replaces the "## Heap" section of docs/benchmarks.md with the results.
 *   --only    runs only the workloads named (pop-all, steady, update, remove, load).
 *   --sizes   runs only these N (default 10000,100000,1000000).
 *   --match   runs only the implementations whose name contains this text.
 *
 * Method. Every case (one workload × one implementation × one N) runs in a child process of its own,
 * so the JIT never sees two implementations at one call site and a library measured earlier cannot
 * leave type feedback, inline caches or a fragmented heap to the next one. Inside the child: the same
 * seeded keys for every implementation, warm-up runs, then timed runs each preceded by an untimed
 * setup and a full `gc()`; the parent reports median and min. Every timed run folds the popped keys,
 * in pop order, into a checksum, so the work cannot be optimised away, and the parent checks that all
 * implementations popped the same key sequence (ties may pop different ids, never different keys).
 * Keys are integer epoch milliseconds over one week, as the dispatcher's next-run times are.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Heap } from 'heap-js';
import type FlatQueueClass from 'flatqueue' with { 'resolution-mode': 'import' };
import type TinyQueueClass from 'tinyqueue' with { 'resolution-mode': 'import' };
import { QuaternaryHeap } from '../apiserver/src/dispatcher/core/heap';
import { mulberry32 } from '../test/support/seeded-random';

// flatqueue 3 and tinyqueue 3 are ESM-only; Node >= 20.19 loads them with require(), which
// TypeScript's node16 mode only allows for type imports, so the values come through a plain require.
const FlatQueue = require('flatqueue').default as typeof FlatQueueClass;
const TinyQueue = require('tinyqueue').default as typeof TinyQueueClass;

const SIZES = [10_000, 100_000, 1_000_000];
const BASE_MS = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const SPAN_MS = 7 * 24 * 3600 * 1000;
const SEED = 0x5eed;
/** [warm-up runs, timed runs] by N: enough runs for a stable median, all of it within ~3 minutes. */
const RUNS: Record<number, [number, number]> = { 10_000: [10, 21], 100_000: [3, 11], 1_000_000: [1, 5] };
/** A case whose last warm-up run took longer than this gets only SLOW_RUNS timed runs. */
const SLOW_MS = 1000;
const SLOW_RUNS = 3;
const DOC_HEADING = '## Heap (npm run bench:heap)';
const TINY_OBJECTS = 'tinyqueue, {id,key} objects';
const TINY_NUMBERS = 'tinyqueue, plain numbers (no ids)';
const HEAPJS_OBJECTS = 'heap-js, {id,key} objects';
const HEAPJS_NUMBERS = 'heap-js, plain numbers (no ids)';

type Workload = 'pop-all' | 'steady' | 'update' | 'remove' | 'load';
interface Case {
  workload: Workload;
  impl: string;
  n: number;
}
interface CaseResult {
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
interface Bench<S> {
  setup(): S;
  run(state: S): number;
  drain?(state: S): number;
}
interface Item {
  id: number;
  key: number;
}

/** Order-sensitive fold of a key into a 32-bit checksum (FNV-style). */
function fold(sum: number, key: number): number {
  return Math.imul(sum ^ key, 16777619);
}


/** The inputs of size n; each array has its own PRNG stream, so generating one never shifts another. */
class Data {
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

const byKey = (a: Item, b: Item): number => a.key - b.key;
const byValue = (a: number, b: number): number => a - b;

function drainQuaternary<Id extends string | number>(heap: QuaternaryHeap<Id>): number {
  let sum = 0;
  for (let key = heap.peekKey(); key !== undefined; key = heap.peekKey()) {
    sum = fold(sum, key);
    heap.pop();
  }
  return sum;
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
function retain<T>(structure: T): T {
  if (retaining) retained.push(structure);
  return structure;
}

const bench = <S>(b: Bench<S>): Bench<unknown> => b as Bench<unknown>;

/**
 * The code of each case, written the way a user of each library would write it, in the
 * configurations described in METHOD. Called once per process, so every `run` is one function that
 * the JIT optimises once (a closure made per run would start in the interpreter each time).
 */
function caseBench({ workload, impl, n }: Case, data: Data): Bench<unknown> {
  const { keys } = data;
  const deltas = workload === 'steady' ? data.deltas() : new Float64Array(0);
  const ids: (number | string)[] = impl.endsWith('string ids') ? data.stringIds() : data.numberIds();
  const newFlatQueue = () => (impl.includes('fixed capacity') ? new FlatQueue<number>(n, Float64Array, Uint32Array) : new FlatQueue<number>());
  switch (`${workload}/${impl}`) {
    case 'pop-all/QuaternaryHeap':
      return bench({
        setup: () => undefined,
        run() {
          const heap = retain(new QuaternaryHeap<number>());
          for (let id = 0; id < n; id++) heap.push(id, keys[id]);
          let sum = 0;
          for (let i = 0; i < n; i++) {
            sum = fold(sum, heap.peekKey()!);
            heap.pop();
          }
          return sum;
        },
      });
    case 'pop-all/flatqueue':
    case 'pop-all/flatqueue, fixed capacity':
      return bench({
        setup: () => undefined,
        run() {
          const queue = retain(newFlatQueue());
          for (let id = 0; id < n; id++) queue.push(id, keys[id]);
          let sum = 0;
          for (let i = 0; i < n; i++) {
            sum = fold(sum, queue.peekValue()!);
            queue.pop();
          }
          return sum;
        },
      });
    case `pop-all/${TINY_OBJECTS}`:
      return bench({
        setup: () => retain(data.items()),
        run(items) {
          const queue = retain(new TinyQueue<Item>([], byKey));
          for (let i = 0; i < n; i++) queue.push(items[i]);
          let sum = 0;
          for (let i = 0; i < n; i++) sum = fold(sum, queue.pop()!.key);
          return sum;
        },
      });
    case `pop-all/${TINY_NUMBERS}`:
      return bench({
        setup: () => undefined,
        run() {
          const queue = retain(new TinyQueue<number>([], byValue));
          for (let id = 0; id < n; id++) queue.push(keys[id]);
          let sum = 0;
          for (let i = 0; i < n; i++) sum = fold(sum, queue.pop()!);
          return sum;
        },
      });
    case `pop-all/${HEAPJS_OBJECTS}`:
      return bench({
        setup: () => retain(data.items()),
        run(items) {
          const queue = retain(new Heap<Item>(byKey));
          for (let i = 0; i < n; i++) queue.add(items[i]);
          let sum = 0;
          for (let i = 0; i < n; i++) sum = fold(sum, queue.pop()!.key);
          return sum;
        },
      });
    case `pop-all/${HEAPJS_NUMBERS}`:
      return bench({
        setup: () => undefined,
        run() {
          const queue = retain(new Heap<number>(byValue));
          for (let id = 0; id < n; id++) queue.add(keys[id]);
          let sum = 0;
          for (let i = 0; i < n; i++) sum = fold(sum, queue.pop()!);
          return sum;
        },
      });
    case 'steady/QuaternaryHeap':
      return bench({
        setup() {
          const heap = retain(new QuaternaryHeap<number>());
          for (let id = 0; id < n; id++) heap.push(id, keys[id]);
          return heap;
        },
        run(heap) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const key = heap.peekKey()!;
            sum = fold(sum, key);
            heap.push(heap.pop()!, key + deltas[i]);
          }
          return sum;
        },
      });
    case 'steady/QuaternaryHeap, peek + update':
      return bench({
        setup() {
          const heap = retain(new QuaternaryHeap<number>());
          for (let id = 0; id < n; id++) heap.push(id, keys[id]);
          return heap;
        },
        run(heap) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const key = heap.peekKey()!;
            sum = fold(sum, key);
            heap.update(heap.peek()!, key + deltas[i]);
          }
          return sum;
        },
      });
    case 'steady/flatqueue':
    case 'steady/flatqueue, fixed capacity':
      return bench({
        setup() {
          const queue = retain(newFlatQueue());
          for (let id = 0; id < n; id++) queue.push(id, keys[id]);
          return queue;
        },
        run(queue) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const key = queue.peekValue()!;
            sum = fold(sum, key);
            queue.push(queue.pop()!, key + deltas[i]);
          }
          return sum;
        },
      });
    case `steady/${TINY_OBJECTS}`:
      return bench({
        setup() {
          const queue = retain(new TinyQueue<Item>([], byKey));
          for (const item of retain(data.items())) queue.push(item);
          return queue;
        },
        run(queue) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const item = queue.pop()!;
            sum = fold(sum, item.key);
            item.key += deltas[i];
            queue.push(item);
          }
          return sum;
        },
      });
    case `steady/${TINY_NUMBERS}`:
      return bench({
        setup() {
          const queue = retain(new TinyQueue<number>([], byValue));
          for (let id = 0; id < n; id++) queue.push(keys[id]);
          return queue;
        },
        run(queue) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const key = queue.pop()!;
            sum = fold(sum, key);
            queue.push(key + deltas[i]);
          }
          return sum;
        },
      });
    case `steady/${HEAPJS_OBJECTS}`:
      return bench({
        setup() {
          const queue = retain(new Heap<Item>(byKey));
          for (const item of retain(data.items())) queue.add(item);
          return queue;
        },
        run(queue) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const item = queue.pop()!;
            sum = fold(sum, item.key);
            item.key += deltas[i];
            queue.add(item);
          }
          return sum;
        },
      });
    case `steady/${HEAPJS_NUMBERS}`:
      return bench({
        setup() {
          const queue = retain(new Heap<number>(byValue));
          for (let id = 0; id < n; id++) queue.add(keys[id]);
          return queue;
        },
        run(queue) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const key = queue.pop()!;
            sum = fold(sum, key);
            queue.add(key + deltas[i]);
          }
          return sum;
        },
      });
    case 'update/QuaternaryHeap, number ids':
    case 'update/QuaternaryHeap, string ids': {
      const updateIds = data.updateIds();
      const updateKeys = data.updateKeys();
      return bench({
        setup: () => retain(QuaternaryHeap.from(ids, keys)),
        run(heap) {
          let updated = 0;
          for (let i = 0; i < n; i++) updated += +heap.update(ids[updateIds[i]], updateKeys[i]);
          return updated;
        },
        drain: drainQuaternary,
      });
    }
    case 'remove/QuaternaryHeap, number ids':
    case 'remove/QuaternaryHeap, string ids': {
      const removeIds = data.removeIds();
      return bench({
        setup: () => retain(QuaternaryHeap.from(ids, keys)),
        run(heap) {
          let removed = 0;
          for (let i = 0; i < removeIds.length; i++) removed += +heap.remove(ids[removeIds[i]]);
          return removed;
        },
        drain: drainQuaternary,
      });
    }
    case 'load/QuaternaryHeap.load, number ids':
    case 'load/QuaternaryHeap.load, string ids':
      return bench({
        setup: () => ({ heap: undefined as QuaternaryHeap<number | string> | undefined }),
        run(state) {
          state.heap = retain(QuaternaryHeap.from(ids, keys));
          return state.heap.size;
        },
        drain: (state) => drainQuaternary(state.heap!),
      });
    case 'load/QuaternaryHeap.push × N, number ids':
      return bench({
        setup: () => ({ heap: undefined as QuaternaryHeap<number> | undefined }),
        run(state) {
          const heap = (state.heap = retain(new QuaternaryHeap<number>()));
          for (let id = 0; id < n; id++) heap.push(id, keys[id]);
          return heap.size;
        },
        drain: (state) => drainQuaternary(state.heap!),
      });
    case 'load/flatqueue.push × N':
      return bench({
        setup: () => ({ queue: undefined as FlatQueueClass<number> | undefined }),
        run(state) {
          const queue = (state.queue = retain(new FlatQueue<number>()));
          for (let id = 0; id < n; id++) queue.push(id, keys[id]);
          return queue.length;
        },
        drain(state) {
          let sum = 0;
          for (const queue = state.queue!; queue.length > 0; queue.pop()) sum = fold(sum, queue.peekValue()!);
          return sum;
        },
      });
    case 'load/tinyqueue heapify':
      return bench({
        setup: () => ({ items: retain(data.items()), queue: undefined as TinyQueueClass<Item> | undefined }),
        run(state) {
          state.queue = retain(new TinyQueue<Item>(state.items, byKey));
          return state.queue.length;
        },
        drain(state) {
          let sum = 0;
          for (const queue = state.queue!; queue.length > 0; ) sum = fold(sum, queue.pop()!.key);
          return sum;
        },
      });
  }
  throw new Error(`no benchmark for ${workload}/${impl}`);
}

/** The child side: runs one case and prints its CaseResult as JSON. */
function runCase(c: Case): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  const data = new Data(c.n);
  const { setup, run, drain } = caseBench(c, data);
  const [warmups, defaultRuns] = RUNS[c.n] ?? [3, 9];
  let runs = defaultRuns;
  const timesMs: number[] = [];
  let checksum: number | undefined;
  let drainChecksum: number | undefined;
  for (let r = 0; r < warmups + runs; r++) {
    let state = setup();
    gc?.();
    const start = process.hrtime.bigint();
    const sum = run(state);
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (checksum !== undefined && sum !== checksum) throw new Error(`run ${r} checksum ${sum}, earlier runs ${checksum}`);
    checksum = sum;
    if (r >= warmups) timesMs.push(elapsed);
    else if (r === warmups - 1 && elapsed > SLOW_MS) runs = Math.min(runs, SLOW_RUNS);
    if (r === warmups + runs - 1 && drain) drainChecksum = drain(state);
    state = undefined;
    retaining = false;
  }
  const result: CaseResult = { timesMs, checksum: checksum!, drainChecksum };
  process.stdout.write(JSON.stringify(result));
}

/** What draining the heap a case leaves behind must give, computed without any heap: the sorted keys. */
function expectedDrain(c: Case, data: Data): number {
  const sortedFold = (keys: Float64Array): number => keys.sort().reduce(fold, 0);
  if (c.workload === 'update') {
    const keys = data.keys.slice();
    const ids = data.updateIds();
    const updateKeys = data.updateKeys();
    for (let i = 0; i < c.n; i++) keys[ids[i]] = updateKeys[i];
    return sortedFold(keys);
  }
  if (c.workload === 'remove') {
    const removed = new Uint8Array(c.n);
    for (const id of data.removeIds()) removed[id] = 1;
    return sortedFold(data.keys.filter((_, id) => !removed[id]));
  }
  return sortedFold(data.keys.slice());
}

const OTHERS = [TINY_OBJECTS, TINY_NUMBERS, HEAPJS_OBJECTS, HEAPJS_NUMBERS];
const IMPLS: Record<Workload, string[]> = {
  'pop-all': ['QuaternaryHeap', 'flatqueue', 'flatqueue, fixed capacity', ...OTHERS],
  steady: ['QuaternaryHeap', 'QuaternaryHeap, peek + update', 'flatqueue', 'flatqueue, fixed capacity', ...OTHERS],
  update: ['QuaternaryHeap, number ids', 'QuaternaryHeap, string ids'],
  remove: ['QuaternaryHeap, number ids', 'QuaternaryHeap, string ids'],
  load: [
    'QuaternaryHeap.load, number ids',
    'QuaternaryHeap.load, string ids',
    'QuaternaryHeap.push × N, number ids',
    'flatqueue.push × N',
    'tinyqueue heapify',
  ],
};

const TITLES: Record<Workload, string> = {
  'pop-all': 'Push N, then pop all (ops = 2N: every push and every pop)',
  steady: 'Steady state: heap of N, then N × (pop + push back with key + random delta) (ops = N reschedules)',
  update: 'update: N random re-keys at size N (ops = N)',
  remove: 'remove: N/2 random removals from size N (ops = N/2)',
  load: 'Build a heap of N from scratch (ops = N entries)',
};

function opsOf(c: Case): number {
  if (c.workload === 'pop-all') return 2 * c.n;
  if (c.workload === 'remove') return c.n >> 1;
  return c.n;
}

interface Row {
  c: Case;
  medianMs: number;
  minMs: number;
  mops: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const fmtN = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
const fmtMs = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));

function table(workload: Workload, rows: Row[]): string {
  const own = rows.filter((r) => r.c.workload === workload);
  if (own.length === 0) return '';
  const baseline = (n: number) => own.find((r) => r.c.n === n && r.c.impl === 'flatqueue');
  const lines = [
    `### ${TITLES[workload]}`,
    '',
    baseline(own[0].c.n)
      ? '| N | implementation | median ms | min ms | Mops/s | time vs flatqueue |\n|---:|---|---:|---:|---:|---:|'
      : '| N | implementation | median ms | min ms | Mops/s |\n|---:|---|---:|---:|---:|',
  ];
  for (const r of own) {
    const cells = [fmtN(r.c.n), r.c.impl, fmtMs(r.medianMs), fmtMs(r.minMs), r.mops.toFixed(2)];
    const base = baseline(r.c.n);
    if (base) cells.push(`${(r.medianMs / base.medianMs).toFixed(2)}×`);
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}

/** The goals, checked against the measured medians. */
function goals(rows: Row[]): string {
  const find = (w: Workload, impl: string, n: number) => rows.find((r) => r.c.workload === w && r.c.impl === impl && r.c.n === n);
  const lines: string[] = [];
  const pairs: [Workload, string][] = [
    ['pop-all', 'QuaternaryHeap'],
    ['steady', 'QuaternaryHeap'],
    ['steady', 'QuaternaryHeap, peek + update'],
  ];
  for (const [w, impl] of pairs) {
    for (const n of SIZES) {
      const ours = find(w, impl, n);
      const flat = find(w, 'flatqueue', n);
      if (!ours || !flat) continue;
      const fixed = find(w, 'flatqueue, fixed capacity', n);
      const ratio = ours.medianMs / flat.medianMs;
      lines.push(
        `- ${w} ${fmtN(n)}, ${impl}: ${ratio.toFixed(2)}× the time of flatqueue` +
          (fixed ? ` (${(ours.medianMs / fixed.medianMs).toFixed(2)}× fixed-capacity flatqueue)` : '') +
          ` — ${ratio < 0.97 ? 'faster' : ratio <= 1.03 ? 'on par (within ±3%)' : 'slower'}`,
      );
    }
  }
  for (const w of ['update', 'remove'] as const) {
    for (const impl of IMPLS[w]) {
      const r = find(w, impl, 1_000_000);
      if (r) lines.push(`- ${w} at 1M, ${impl.replace('QuaternaryHeap, ', '')}: ${r.mops.toFixed(2)} Mops/s — goal ≥ 1 ${r.mops >= 1 ? 'met' : 'not met'}`);
    }
  }
  const load = find('load', 'QuaternaryHeap.load, number ids', 1_000_000);
  if (load) lines.push(`- load of 1M number ids (dispatcher start): ${fmtMs(load.medianMs)} ms`);
  return lines.length ? `### Goals (medians)\n\n${lines.join('\n')}\n` : '';
}

function machine(): string {
  const cpus = os.cpus();
  const date = new Date().toISOString().slice(0, 10);
  return (
    `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
    `Node ${process.version} (V8 ${process.versions.v8}), ${os.platform()} ${os.release()}, ${date}`
  );
}

const RUN_COUNTS = Object.entries(RUNS)
  .map(([n, [warmups, runs]]) => `${fmtN(+n)}: ${warmups} + ${runs}`)
  .join(', ');

const METHOD = `Each case runs in its own Node process (\`--expose-gc\`) with the same seeded keys for every
implementation (integer epoch milliseconds over one week): warm-up runs, then timed runs (${RUN_COUNTS};
${SLOW_RUNS} timed runs when a warm-up run takes over ${SLOW_MS / 1000} s), each after an untimed setup
and a full \`gc()\`. The first run's structures stay reachable, so V8 keeps its optimised code across
runs as it would for a long-lived heap. Times are the median and minimum of the timed runs; Mops/s is
from the median. Every timed run folds the popped keys, in pop order, into a checksum, and the
benchmark fails unless all implementations pop the same key sequence and the heaps left by update,
remove and load drain to the independently computed sorted keys.

Configurations:
- **QuaternaryHeap**: number ids 0..N-1, as the dispatcher's CronJob ids (dense mode: each id is its
  own handle); \`peekKey()\` then \`pop()\`.
- **flatqueue** 3: \`push(id, key)\`, \`peekValue()\` then \`pop()\`; default growable arrays, and
  "fixed capacity": \`new FlatQueue(N, Float64Array, Uint32Array)\`, typed arrays allocated up front
  (cannot grow past N).
- **tinyqueue** 3 and **heap-js** 2 store values, not (id, key) pairs. The fair configuration is
  \`{ id, key }\` objects (created before timing) with an \`(a, b) => a.key - b.key\` comparator,
  since a scheduler needs the id back. Their fastest configuration, plain numbers with
  \`(a, b) => a - b\`, is shown too, marked "no ids": an upper bound, not something a scheduler
  could use. heap-js goes through \`add()\` (its \`push(...items)\` copies \`arguments\`).
- Steady state pushes the popped id (or object, or number) back with key + delta (1 ms to one
  week), so nothing allocates in the loop. "peek + update" is what the dispatcher does: re-key the
  top entry in place instead of popping it.
- update and remove: QuaternaryHeap only (flatqueue and tinyqueue have neither, heap-js only an
  O(N) \`remove\`). The heap is built with \`load\`, then gets N updates of random ids to random
  keys, or loses a random half of its ids. String ids are \`job-<n>\` and go through the id Map.`;

function replaceSection(doc: string, section: string): string {
  const start = doc.indexOf(DOC_HEADING);
  if (start < 0) return doc.trimEnd() + '\n\n' + section;
  const next = doc.slice(start + DOC_HEADING.length).search(/^## /m);
  const end = next < 0 ? doc.length : start + DOC_HEADING.length + next;
  return doc.slice(0, start) + section + (next < 0 ? '' : '\n' + doc.slice(end));
}

function main(): void {
  const args = process.argv.slice(2);
  const caseArg = args.find((a) => a.startsWith('--case='));
  if (caseArg) return runCase(JSON.parse(caseArg.slice('--case='.length)) as Case);

  const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const sizes = option('sizes')?.split(',').map(Number) ?? SIZES;
  const workloads = (option('only')?.split(',') ?? Object.keys(IMPLS)) as Workload[];
  const match = option('match');
  const write = args.includes('--write');
  if (!(globalThis as { gc?: unknown }).gc) console.error('warning: run with --expose-gc, or heaps collect garbage while timed');

  const cases: Case[] = [];
  for (const workload of workloads) {
    if (!IMPLS[workload]) throw new Error(`unknown workload ${workload}; known: ${Object.keys(IMPLS).join(', ')}`);
    for (const n of sizes) for (const impl of IMPLS[workload]) if (!match || impl.includes(match)) cases.push({ workload, impl, n });
  }

  const rows: Row[] = [];
  const failures: string[] = [];
  const crossCheck = new Map<string, { impl: string; checksum: number }>();
  const dataBySize = new Map<number, Data>();
  const started = Date.now();
  for (const c of cases) {
    const label = `${c.workload} ${fmtN(c.n)} ${c.impl}`;
    const out = execFileSync(process.execPath, [...process.execArgv, __filename, `--case=${JSON.stringify(c)}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    });
    const result = JSON.parse(out) as CaseResult;
    const row: Row = { c, medianMs: median(result.timesMs), minMs: Math.min(...result.timesMs), mops: 0 };
    row.mops = opsOf(c) / row.medianMs / 1000;
    rows.push(row);
    console.error(`${label}: median ${fmtMs(row.medianMs)} ms, min ${fmtMs(row.minMs)} ms`);

    if (!dataBySize.has(c.n)) dataBySize.set(c.n, new Data(c.n));
    const data = dataBySize.get(c.n)!;
    if (c.workload === 'pop-all' || c.workload === 'steady') {
      const group = `${c.workload}/${c.n}`;
      const first = crossCheck.get(group);
      if (!first) crossCheck.set(group, { impl: c.impl, checksum: result.checksum });
      else if (first.checksum !== result.checksum) failures.push(`${label}: popped keys differ from ${first.impl}`);
      if (c.workload === 'pop-all' && result.checksum !== expectedDrain(c, data)) failures.push(`${label}: popped keys not in sorted order`);
    } else if (result.drainChecksum !== expectedDrain(c, data)) {
      failures.push(`${label}: the heap left behind does not drain to the expected keys`);
    }
  }

  const body = (Object.keys(IMPLS) as Workload[]).map((w) => table(w, rows)).filter(Boolean).join('\n');
  const parts = [DOC_HEADING, `Machine: ${machine()}.`, body, goals(rows), `#### Method\n\n${METHOD}\n`];
  const section = parts.filter(Boolean).join('\n\n').replace(/\n{3,}/g, '\n\n');
  process.stdout.write(section);
  console.error(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (failures.length) {
    console.error(`\nFAILED:\n${failures.join('\n')}`);
    process.exitCode = 1;
    return;
  }
  if (write) {
    const file = path.resolve(__dirname, '../../docs/benchmarks.md');
    mkdirSync(path.dirname(file), { recursive: true });
    const doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nMeasured on one machine; rerun to compare on yours.\n';
    writeFileSync(file, replaceSection(doc, section));
    console.error(`wrote ${file}`);
  }
}

main();
