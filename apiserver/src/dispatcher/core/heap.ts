const INITIAL_CAPACITY = 64;
/** Integer ids below this are their own handles (the positions table then takes at most 16 MiB). */
const DENSE_ID_LIMIT = 1 << 22;

/**
 * A 4-ary min-heap of `(key, id)` pairs with O(log n) `remove` and `update` by id.
 *
 * The dispatcher keeps one entry per CronJob, keyed by its next run time in epoch milliseconds, and
 * moves entries whenever a CronJob is edited, paused or deleted, so removal and re-keying by id
 * matter as much as `pop`.
 *
 * Layout. Every entry has an integer handle, and `positions[handle]` is its heap position, rewritten
 * on every sift step; that is what makes `remove` and `update` O(log n). Handles come in two modes:
 * - dense, while every id is an integer in [0, 2^22) (database ids, the dispatcher's case): the id
 *   is its own handle and there is no id table at all. `positions[id]` is trusted only if the entry
 *   at that position carries that id (a sparse set), so `pop` and `remove` leave nothing to clean
 *   up and `clear` is O(1). Dropping the id table from this path made push-then-pop-all of 1M
 *   entries about 1.5x faster (bench/heap.bench.ts, docs/benchmarks.md).
 * - sparse, from the first other id (string, negative, fractional, large) until the next `clear` or
 *   `load`: handles are small integers recycled through a free list, `ids[handle]` is the id and a
 *   Map finds the handle. Switching renumbers the entries once, O(n).
 *
 * Entries sit in one Float64Array, key and handle side by side, so a sift step finds the four child
 * keys and the winner's handle in the same one or two cache lines; at 1M entries the heap no longer
 * fits in cache and memory traffic, not comparisons, sets the speed. Four children per node halve
 * the depth of a binary heap (10 levels at 1M). Sifting uses the "hole" technique: the moving entry
 * is held aside, the others shift into the hole, and it is written once where it stops.
 *
 * Equal keys are allowed and all pop; their relative order is unspecified. NaN keys are rejected
 * because they would break the heap order silently.
 */
export class QuaternaryHeap<Id extends string | number = string | number> {
  /** Heap position i: key at `entries[2 * i]`, handle at `entries[2 * i + 1]`. */
  private entries = new Float64Array(2 * INITIAL_CAPACITY);
  /** Heap position by handle; in dense mode indexed by id, and stale for ids not in the heap. */
  private positions = new Int32Array(INITIAL_CAPACITY);
  private dense = true;
  /** Sparse mode only: the id of each handle, free handles, and id → handle. */
  private ids: (Id | undefined)[] = [];
  private freeHandles: number[] = [];
  private readonly handleById = new Map<Id, number>();
  private length = 0;

  /** Builds a heap from parallel arrays in O(n); a repeated id keeps its last key. */
  static from<Id extends string | number>(ids: readonly Id[], keys: ArrayLike<number>): QuaternaryHeap<Id> {
    const heap = new QuaternaryHeap<Id>();
    heap.load(ids, keys);
    return heap;
  }

  /** Number of entries. */
  get size(): number {
    return this.length;
  }

  /** Replaces the whole content with `ids[i]` keyed by `keys[i]`, heapified in O(n) (Floyd). */
  load(ids: readonly Id[], keys: ArrayLike<number>): void {
    if (ids.length !== keys.length) {
      throw new RangeError(`QuaternaryHeap.load: ${ids.length} ids but ${keys.length} keys`);
    }
    this.clear();
    this.reserve(ids.length);
    let maxId = -1;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (typeof id !== 'number' || !isDenseId(id)) {
        this.toSparse();
        break;
      }
      if (id > maxId) maxId = id;
    }
    if (this.dense && maxId >= 0) this.growPositions(denseCapacity(maxId));
    const entries = this.entries;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const key = checkKey(keys[i]);
      const existing = this.lookup(id);
      if (existing >= 0) {
        entries[2 * this.positions[existing]] = key;
        continue;
      }
      const handle = this.newHandle(id);
      const pos = this.length++;
      entries[2 * pos] = key;
      entries[2 * pos + 1] = handle;
      this.positions[handle] = pos;
    }
    for (let i = (this.length - 2) >> 2; i >= 0; i--) {
      this.siftDown(i, entries[2 * i + 1], entries[2 * i]);
    }
  }

  /** Adds `id` with `key`, or re-keys it if it is already present. */
  push(id: Id, key: number): void {
    checkKey(key);
    const existing = this.lookup(id);
    if (existing >= 0) {
      this.moveTo(this.positions[existing], existing, key);
      return;
    }
    if (2 * this.length === this.entries.length) this.reserve(2 * this.length);
    const handle = this.newHandle(id);
    this.siftUp(this.length++, handle, key);
  }

  /** Removes and returns the id with the smallest key. */
  pop(): Id | undefined {
    if (this.length === 0) return undefined;
    const handle = this.entries[1];
    // `| 0`: handles are read as doubles, and an int32 goes back to the caller as a small integer
    // instead of a freshly allocated HeapNumber.
    const id = this.dense ? ((handle | 0) as Id) : this.release(handle);
    const last = --this.length;
    if (last > 0) this.siftDown(0, this.entries[2 * last + 1], this.entries[2 * last]);
    return id;
  }

  /** The id with the smallest key, left in place. */
  peek(): Id | undefined {
    if (this.length === 0) return undefined;
    const handle = this.entries[1];
    return this.dense ? ((handle | 0) as Id) : this.ids[handle];
  }

  /** The smallest key. */
  peekKey(): number | undefined {
    return this.length === 0 ? undefined : this.entries[0];
  }

  keyOf(id: Id): number | undefined {
    const handle = this.lookup(id);
    return handle < 0 ? undefined : this.entries[2 * this.positions[handle]];
  }

  has(id: Id): boolean {
    return this.lookup(id) >= 0;
  }

  /** Removes `id`; false if it was not present. */
  remove(id: Id): boolean {
    const handle = this.lookup(id);
    if (handle < 0) return false;
    const pos = this.positions[handle];
    if (!this.dense) this.release(handle);
    const last = --this.length;
    if (pos !== last) this.moveTo(pos, this.entries[2 * last + 1], this.entries[2 * last]);
    return true;
  }

  /** Re-keys `id`; false (and nothing changes) if it is not present. */
  update(id: Id, key: number): boolean {
    checkKey(key);
    const handle = this.lookup(id);
    if (handle < 0) return false;
    this.moveTo(this.positions[handle], handle, key);
    return true;
  }

  /** Empties the heap and returns it to dense mode; the allocated capacity is kept. */
  clear(): void {
    this.length = 0;
    this.dense = true;
    this.ids = [];
    this.freeHandles = [];
    this.handleById.clear();
  }

  /** Grows the entries (and in sparse mode the positions) so that `capacity` entries fit. */
  private reserve(capacity: number): void {
    if (2 * capacity <= this.entries.length) return;
    const entries = new Float64Array(2 * capacity);
    entries.set(this.entries.subarray(0, 2 * this.length));
    this.entries = entries;
    if (!this.dense) this.growPositions(capacity);
  }

  private growPositions(size: number): void {
    if (size <= this.positions.length) return;
    const positions = new Int32Array(size);
    positions.set(this.positions);
    this.positions = positions;
  }

  /** Leaves dense mode: the entries get handles 0..length-1 and go into the id map. */
  private toSparse(): void {
    const entries = this.entries;
    const positions = new Int32Array(entries.length >> 1);
    for (let pos = 0; pos < this.length; pos++) {
      const id = entries[2 * pos + 1] as Id;
      this.ids.push(id);
      this.handleById.set(id, pos);
      entries[2 * pos + 1] = pos;
      positions[pos] = pos;
    }
    this.positions = positions;
    this.dense = false;
  }

  /** The handle of `id`, or -1 if absent. */
  private lookup(id: Id): number {
    if (!this.dense) {
      const handle = this.handleById.get(id);
      return handle === undefined ? -1 : handle;
    }
    if (typeof id !== 'number' || !isDenseId(id) || id >= this.positions.length) return -1;
    const pos = this.positions[id];
    return pos < this.length && this.entries[2 * pos + 1] === id ? id | 0 : -1;
  }

  /** A handle for `id`, which is not in the heap; leaves dense mode if `id` does not fit it. */
  private newHandle(id: Id): number {
    if (this.dense) {
      if (typeof id === 'number' && isDenseId(id)) {
        if (id >= this.positions.length) this.growPositions(denseCapacity(id));
        return id | 0;
      }
      this.toSparse();
    }
    let handle = this.freeHandles.pop();
    if (handle === undefined) {
      handle = this.ids.length;
      this.ids.push(id);
    } else {
      this.ids[handle] = id;
    }
    this.handleById.set(id, handle);
    return handle;
  }

  /** Sparse mode: forgets `handle`'s id and recycles the handle; returns the id. */
  private release(handle: number): Id {
    const id = this.ids[handle] as Id;
    this.ids[handle] = undefined;
    this.handleById.delete(id);
    this.freeHandles.push(handle);
    return id;
  }

  /** Places `handle` with `key` at `pos` (whose old entry is being overwritten) and restores order. */
  private moveTo(pos: number, handle: number, key: number): void {
    if (pos > 0 && key < this.entries[2 * ((pos - 1) >> 2)]) this.siftUp(pos, handle, key);
    else this.siftDown(pos, handle, key);
  }

  private siftUp(pos: number, handle: number, key: number): void {
    const entries = this.entries;
    const positions = this.positions;
    while (pos > 0) {
      const parent = (pos - 1) >> 2;
      const parentKey = entries[2 * parent];
      if (parentKey <= key) break;
      const parentHandle = entries[2 * parent + 1];
      entries[2 * pos] = parentKey;
      entries[2 * pos + 1] = parentHandle;
      positions[parentHandle] = pos;
      pos = parent;
    }
    entries[2 * pos] = key;
    entries[2 * pos + 1] = handle;
    positions[handle] = pos;
  }

  private siftDown(pos: number, handle: number, key: number): void {
    const entries = this.entries;
    const positions = this.positions;
    const n = this.length;
    for (;;) {
      const first = 4 * pos + 1;
      if (first >= n) break;
      let best = first;
      if (first + 3 < n) {
        // Which child is smallest is random, so branches on it mispredict half the time; 0/1
        // arithmetic on the comparisons costs less (measured: pop 15-25% faster at 100k entries).
        const at = 2 * first;
        const left = first + +(entries[at + 2] < entries[at]);
        const right = first + 2 + +(entries[at + 6] < entries[at + 4]);
        best = left + (right - left) * +(entries[2 * right] < entries[2 * left]);
      } else {
        for (let child = first + 1; child < n; child++) if (entries[2 * child] < entries[2 * best]) best = child;
      }
      const bestKey = entries[2 * best];
      if (bestKey >= key) break;
      const bestHandle = entries[2 * best + 1];
      entries[2 * pos] = bestKey;
      entries[2 * pos + 1] = bestHandle;
      positions[bestHandle] = pos;
      pos = best;
    }
    entries[2 * pos] = key;
    entries[2 * pos + 1] = handle;
    positions[handle] = pos;
  }
}

function isDenseId(id: number): boolean {
  return (id | 0) === id && id >= 0 && id < DENSE_ID_LIMIT;
}

/** Size of the dense positions table for ids up to `maxId`: the next power of two. */
function denseCapacity(maxId: number): number {
  return Math.min(DENSE_ID_LIMIT, Math.max(INITIAL_CAPACITY, 2 ** Math.ceil(Math.log2(maxId + 1))));
}

function checkKey(key: number): number {
  if (Number.isNaN(key)) throw new RangeError('QuaternaryHeap: key must not be NaN');
  return key;
}
