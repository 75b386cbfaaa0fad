const INITIAL_CAPACITY = 64;
/** Integer ids below this are their own handles (the positions table then takes at most 16 MiB). */
const DENSE_ID_LIMIT = 1 << 22;
/** +Infinity slots kept after the last entry, so that every node with a child has four keys to compare. */
const PADDING = 3;

/**
 * A 4-ary min-heap of `(key, id)` pairs with O(log n) `remove` and `update` by id.
 *
 * The dispatcher keeps one entry per CronJob, keyed by its next run time in epoch milliseconds, and
 * moves entries whenever a CronJob is edited, paused or deleted, so removal and re-keying by id
 * matter as much as `pop`.
 *
 * Layout. Three typed arrays: `keys[pos]` (Float64Array) and `handles[pos]` (Int32Array) hold the
 * entry at heap position `pos`, and `positions[handle]` (Int32Array) is that entry's position,
 * rewritten on every sift step; that is what makes `remove` and `update` O(log n). Handles come in
 * two modes:
 * - dense, while every id is an integer in [0, 2^22) (database ids, the dispatcher's case): the id
 *   is its own handle and there is no id table at all. `positions[id]` is trusted only if the entry
 *   at that position carries that id (a sparse set), so `pop` and `remove` leave nothing to clean
 *   up and `clear` is O(1). `push` of a dense id takes a short path of its own.
 * - sparse, from the first other id (string, negative, fractional, large) until the next `clear` or
 *   `load`: handles are small integers recycled through a free list, `ids[handle]` is the id and a
 *   Map finds the handle. Switching renumbers the entries once, O(n).
 *
 * Four children per node halve the depth of a binary heap (10 levels at 1M). Sifting uses the "hole"
 * technique: the moving entry is held aside, the others shift into the hole, and it is written once
 * where it stops. The `PADDING` keys after the last entry are +Infinity, so that a node with fewer
 * than four children needs no special case (a +Infinity child never moves up). `siftDown` reads the
 * four child keys once and picks the smallest without a branch (see there).
 *
 * Measured with bench/heap.bench.ts (docs/benchmarks.md) against the previous version, which kept
 * key and handle side by side in one Float64Array and picked the smallest child pairwise, re-reading
 * keys: pop-then-push of 10k entries went from 1.35x to 0.94x the time of flatqueue. The read-once
 * pick cut about 20% of the time, the padding about 5%, and separate arrays 5-15% at 10k-100k
 * entries: the four child keys sit in 32 bytes, and handles stay int32 up to `positions[handle]`
 * instead of going through a double-to-int conversion per step. The price of separate arrays is on
 * random access at 1M entries, where an entry's key and handle are two cache misses instead of one:
 * `update` (through `rekey`, which rewrites only the key of an entry that stays where it is) kept
 * its speed, and `remove` became about 15% slower (measured side by side, number ids).
 *
 * Equal keys are allowed and all pop; their relative order is unspecified. NaN keys are rejected
 * because they would break the heap order silently.
 */
export class QuaternaryHeap<Id extends string | number = string | number> {
  /** Key by heap position; `keys[length .. length + PADDING - 1]` are +Infinity. */
  private keys = infinities(INITIAL_CAPACITY + PADDING);
  /** Handle by heap position; its length is the capacity. */
  private handles = new Int32Array(INITIAL_CAPACITY);
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
    const heapKeys = this.keys;
    const handles = this.handles;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const key = checkKey(keys[i]);
      const existing = this.lookup(id);
      if (existing >= 0) {
        heapKeys[this.positions[existing]] = key;
        continue;
      }
      const handle = this.newHandle(id);
      const pos = this.length++;
      heapKeys[pos] = key;
      handles[pos] = handle;
      this.positions[handle] = pos;
    }
    heapKeys.fill(Infinity, this.length, this.length + PADDING);
    for (let i = (this.length - 2) >> 2; i >= 0; i--) this.siftDown(i);
  }

  /** Adds `id` with `key`, or re-keys it if it is already present. */
  push(id: Id, key: number): void {
    checkKey(key);
    if (!this.dense || typeof id !== 'number' || !isDenseId(id)) {
      this.pushSparse(id, key);
      return;
    }
    // Dense: the id is the handle, and it is present iff the position it points at holds it.
    if (id < this.positions.length) {
      const pos = this.positions[id];
      if (pos < this.length && this.handles[pos] === id) {
        this.rekey(pos, id, key);
        return;
      }
    } else {
      this.growPositions(denseCapacity(id));
    }
    this.append(id, key);
  }

  /** Removes and returns the id with the smallest key. */
  pop(): Id | undefined {
    const last = this.length - 1;
    if (last < 0) return undefined;
    const keys = this.keys;
    const handles = this.handles;
    const top = handles[0];
    const id = this.dense ? (top as Id) : this.release(top);
    this.length = last;
    keys[0] = keys[last];
    handles[0] = handles[last];
    keys[last] = Infinity;
    if (last > 0) this.siftDown(0);
    return id;
  }

  /** The id with the smallest key, left in place. */
  peek(): Id | undefined {
    if (this.length === 0) return undefined;
    const handle = this.handles[0];
    return this.dense ? (handle as Id) : this.ids[handle];
  }

  /** The smallest key. */
  peekKey(): number | undefined {
    return this.length === 0 ? undefined : this.keys[0];
  }

  keyOf(id: Id): number | undefined {
    const handle = this.lookup(id);
    return handle < 0 ? undefined : this.keys[this.positions[handle]];
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
    const keys = this.keys;
    const lastKey = keys[last];
    keys[last] = Infinity;
    if (pos !== last) this.moveTo(pos, this.handles[last], lastKey);
    return true;
  }

  /** Re-keys `id`; false (and nothing changes) if it is not present. */
  update(id: Id, key: number): boolean {
    checkKey(key);
    const handle = this.lookup(id);
    if (handle < 0) return false;
    this.rekey(this.positions[handle], handle, key);
    return true;
  }

  /** Empties the heap and returns it to dense mode; the allocated capacity is kept. */
  clear(): void {
    this.keys.fill(Infinity, 0, PADDING);
    this.length = 0;
    this.dense = true;
    this.ids = [];
    this.freeHandles = [];
    this.handleById.clear();
  }

  /** `push` of an id that is not dense (or of any id in sparse mode). */
  private pushSparse(id: Id, key: number): void {
    const existing = this.lookup(id);
    if (existing >= 0) {
      this.rekey(this.positions[existing], existing, key);
      return;
    }
    this.append(this.newHandle(id), key);
  }

  /** Adds a new entry for `handle` (in dense mode, the id itself) at the end and sifts it up. */
  private append(handle: number, key: number): void {
    const n = this.length;
    if (n === this.handles.length) this.reserve(2 * n);
    this.length = n + 1;
    this.keys[n + PADDING] = Infinity;
    this.siftUp(n, handle, key);
  }

  /** Grows the keys and handles (and in sparse mode the positions) so that `capacity` entries fit. */
  private reserve(capacity: number): void {
    if (capacity <= this.handles.length) return;
    const n = this.length;
    const keys = new Float64Array(capacity + PADDING);
    keys.set(this.keys.subarray(0, n));
    keys.fill(Infinity, n, n + PADDING);
    this.keys = keys;
    const handles = new Int32Array(capacity);
    handles.set(this.handles.subarray(0, n));
    this.handles = handles;
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
    const handles = this.handles;
    const positions = new Int32Array(handles.length);
    for (let pos = 0; pos < this.length; pos++) {
      const id = handles[pos] as Id;
      this.ids.push(id);
      this.handleById.set(id, pos);
      handles[pos] = pos;
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
    return pos < this.length && this.handles[pos] === id ? id | 0 : -1;
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

  /**
   * Gives the entry of `handle`, at `pos`, the key `key` and restores order. A leaf that stays where
   * it is (most entries are leaves) only has its key rewritten: its handle and position are already
   * right, and at 1M entries every cache line touched is a miss.
   */
  private rekey(pos: number, handle: number, key: number): void {
    const keys = this.keys;
    if (pos > 0 && key < keys[(pos - 1) >> 2]) {
      this.siftUp(pos, handle, key);
    } else {
      keys[pos] = key;
      if (((pos << 2) | 1) < this.length) this.siftDown(pos);
    }
  }

  /** Places `handle` with `key` at `pos` (whose old entry is being overwritten) and restores order. */
  private moveTo(pos: number, handle: number, key: number): void {
    if (pos > 0 && key < this.keys[(pos - 1) >> 2]) {
      this.siftUp(pos, handle, key);
    } else {
      this.keys[pos] = key;
      this.handles[pos] = handle;
      this.siftDown(pos);
    }
  }

  /** Moves `handle` with `key` up from the hole at `pos` to where it belongs. */
  private siftUp(pos: number, handle: number, key: number): void {
    const keys = this.keys;
    const handles = this.handles;
    const positions = this.positions;
    while (pos > 0) {
      const parent = (pos - 1) >> 2;
      const parentKey = keys[parent];
      if (parentKey <= key) break;
      const parentHandle = handles[parent];
      keys[pos] = parentKey;
      handles[pos] = parentHandle;
      positions[parentHandle] = pos;
      pos = parent;
    }
    keys[pos] = key;
    handles[pos] = handle;
    positions[handle] = pos;
  }

  /**
   * Moves the entry at `pos` down to where it belongs. It reads that entry itself rather than taking
   * it as arguments, so a key never goes through a call as a (boxed) number.
   */
  private siftDown(pos: number): void {
    const keys = this.keys;
    const handles = this.handles;
    const positions = this.positions;
    const n = this.length;
    const key = keys[pos];
    const handle = handles[pos];
    for (let first = (pos << 2) | 1; first < n; first = (pos << 2) | 1) {
      // The smallest of the four children, each key read once and no branch on which child wins (it
      // is random, so a branch would mispredict half the time): `left` and `right` are the smaller of
      // each pair, and the right pair wins iff one of its keys is below both left keys, which six
      // comparisons made at once tell. Ties go to the lower position, so a padding +Infinity never
      // wins over a child. `| 0` and bitwise operators keep the index arithmetic in int32.
      const k0 = keys[first];
      const k1 = keys[(first + 1) | 0];
      const k2 = keys[(first + 2) | 0];
      const k3 = keys[(first + 3) | 0];
      const left = (first + +(k1 < k0)) | 0;
      const right = (first + 2 + +(k3 < k2)) | 0;
      const rightWins = -((+(k2 < k0) & +(k2 < k1)) | (+(k3 < k0) & +(k3 < k1)));
      const best = left ^ ((left ^ right) & rightWins);
      const bestKey = keys[best];
      if (bestKey >= key) break;
      const bestHandle = handles[best];
      keys[pos] = bestKey;
      handles[pos] = bestHandle;
      positions[bestHandle] = pos;
      pos = best;
    }
    keys[pos] = key;
    handles[pos] = handle;
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

function infinities(length: number): Float64Array {
  return new Float64Array(length).fill(Infinity);
}
