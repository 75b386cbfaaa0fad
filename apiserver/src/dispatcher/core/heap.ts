const INITIAL_CAPACITY = 64;
/** Integer ids below this use a flat table instead of the Map (at most 16 MiB of Int32Array). */
const DENSE_ID_LIMIT = 1 << 22;

/**
 * A 4-ary min-heap of `(key, id)` pairs with O(log n) `remove` and `update` by id.
 *
 * The dispatcher keeps one entry per CronJob, keyed by its next run time in epoch milliseconds, and
 * moves entries whenever a CronJob is edited, paused or deleted, so removal and re-keying by id
 * matter as much as `pop`.
 *
 * Layout. Each id gets a stable integer handle when it enters the heap. The id → handle lookup is
 * the only one not done by integer index: a `Map` for strings and large numbers, and for integer
 * ids in [0, 2^22) (database ids) a flat Int32Array indexed by the id itself, which made `remove`
 * and `update` 1.5-2x faster in a 1M-entry benchmark. Everything else is arrays indexed by integers:
 * - `keys[i]` (Float64Array) and `handles[i]` (Int32Array): the key and handle at heap position i;
 * - `positions[h]` (Int32Array): the heap position of handle h, rewritten on every sift step;
 * - `ids[h]`: the id that owns handle h.
 * A sift step therefore writes three typed-array slots and never touches the id lookup, where
 * keeping id → position in a Map would cost a hash write per level (ten levels at 1M). Handles freed by
 * `pop`/`remove` go on a free list and are reused, so handle space never exceeds the largest size
 * the heap has reached.
 *
 * Sifting uses the "hole" technique: the moving entry is held aside, the others shift into the
 * hole, and it is written once where it stops. Four children per node halves the depth of a binary
 * heap (10 levels at 1M) and the four child keys sit next to each other in memory.
 *
 * Equal keys are allowed and all pop; their relative order is unspecified. NaN keys are rejected
 * because they would break the heap order silently.
 */
export class QuaternaryHeap<Id extends string | number = string | number> {
  private keys = new Float64Array(INITIAL_CAPACITY);
  private handles = new Int32Array(INITIAL_CAPACITY);
  private positions = new Int32Array(INITIAL_CAPACITY);
  private ids: (Id | undefined)[] = [];
  private freeHandles: number[] = [];
  private readonly handleById = new Map<Id, number>();
  /** `denseHandles[id]` is handle + 1 for integer ids below DENSE_ID_LIMIT; 0 means absent. */
  private denseHandles = new Int32Array(0);
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
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const key = checkKey(keys[i]);
      const existing = this.lookup(id);
      if (existing >= 0) {
        this.keys[this.positions[existing]] = key;
        continue;
      }
      const handle = this.ids.length;
      const pos = this.length++;
      this.ids.push(id);
      this.bind(id, handle);
      this.keys[pos] = key;
      this.handles[pos] = handle;
      this.positions[handle] = pos;
    }
    for (let i = (this.length - 2) >> 2; i >= 0; i--) {
      this.siftDown(i, this.handles[i], this.keys[i]);
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
    if (this.length === this.keys.length) this.reserve(this.length * 2);
    let handle = this.freeHandles.pop();
    if (handle === undefined) {
      handle = this.ids.length;
      this.ids.push(id);
    } else {
      this.ids[handle] = id;
    }
    this.bind(id, handle);
    this.siftUp(this.length++, handle, key);
  }

  /** Removes and returns the id with the smallest key. */
  pop(): Id | undefined {
    if (this.length === 0) return undefined;
    const handle = this.handles[0];
    const id = this.release(handle);
    const last = --this.length;
    if (last > 0) this.siftDown(0, this.handles[last], this.keys[last]);
    return id;
  }

  /** The id with the smallest key, left in place. */
  peek(): Id | undefined {
    return this.length === 0 ? undefined : this.ids[this.handles[0]];
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
    this.release(handle);
    const last = --this.length;
    if (pos !== last) this.moveTo(pos, this.handles[last], this.keys[last]);
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

  /** Empties the heap; the allocated capacity is kept. */
  clear(): void {
    this.length = 0;
    this.ids = [];
    this.freeHandles = [];
    this.handleById.clear();
    this.denseHandles.fill(0);
  }

  /** Grows the typed arrays so that `capacity` entries fit without reallocation. */
  private reserve(capacity: number): void {
    if (capacity <= this.keys.length) return;
    const keys = new Float64Array(capacity);
    const handles = new Int32Array(capacity);
    const positions = new Int32Array(capacity);
    keys.set(this.keys);
    handles.set(this.handles);
    positions.set(this.positions);
    this.keys = keys;
    this.handles = handles;
    this.positions = positions;
  }

  /** The handle of `id`, or -1 if absent. */
  private lookup(id: Id): number {
    if (typeof id === 'number' && isDenseId(id)) {
      return id < this.denseHandles.length ? this.denseHandles[id] - 1 : -1;
    }
    const handle = this.handleById.get(id);
    return handle === undefined ? -1 : handle;
  }

  private bind(id: Id, handle: number): void {
    if (typeof id === 'number' && isDenseId(id)) {
      if (id >= this.denseHandles.length) {
        const grown = new Int32Array(Math.min(DENSE_ID_LIMIT, Math.max(64, 2 ** Math.ceil(Math.log2(id + 1)))));
        grown.set(this.denseHandles);
        this.denseHandles = grown;
      }
      this.denseHandles[id] = handle + 1;
    } else {
      this.handleById.set(id, handle);
    }
  }

  /** Forgets `handle`'s id and recycles the handle; returns the id. */
  private release(handle: number): Id | undefined {
    const id = this.ids[handle];
    this.ids[handle] = undefined;
    if (typeof id === 'number' && isDenseId(id)) this.denseHandles[id] = 0;
    else if (id !== undefined) this.handleById.delete(id);
    this.freeHandles.push(handle);
    return id;
  }

  /** Places `handle` with `key` at `pos` (whose old entry is being overwritten) and restores order. */
  private moveTo(pos: number, handle: number, key: number): void {
    if (pos > 0 && key < this.keys[(pos - 1) >> 2]) this.siftUp(pos, handle, key);
    else this.siftDown(pos, handle, key);
  }

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

  private siftDown(pos: number, handle: number, key: number): void {
    const keys = this.keys;
    const handles = this.handles;
    const positions = this.positions;
    const n = this.length;
    for (;;) {
      const first = 4 * pos + 1;
      if (first >= n) break;
      const end = first + 4 < n ? first + 4 : n;
      let best = first;
      let bestKey = keys[first];
      for (let child = first + 1; child < end; child++) {
        const childKey = keys[child];
        if (childKey < bestKey) {
          best = child;
          bestKey = childKey;
        }
      }
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

function checkKey(key: number): number {
  if (Number.isNaN(key)) throw new RangeError('QuaternaryHeap: key must not be NaN');
  return key;
}
