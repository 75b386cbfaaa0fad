import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QuaternaryHeap } from './heap';
import { mulberry32 } from '../../../test/support/seeded-random';


/** Pops everything, checking that keys never decrease and match what the ids were pushed with. */
function drain<Id extends string | number>(heap: QuaternaryHeap<Id>, expected: Map<Id, number>): void {
  let previous = -Infinity;
  const remaining = new Map(expected);
  while (heap.size > 0) {
    const key = heap.peekKey();
    const id = heap.pop();
    assert.ok(id !== undefined && key !== undefined);
    assert.ok(key >= previous, `key ${key} popped after ${previous}`);
    assert.equal(remaining.get(id), key, `id ${id} popped with key ${key}`);
    remaining.delete(id);
    previous = key;
  }
  assert.equal(remaining.size, 0, `never popped: ${[...remaining.keys()].join(',')}`);
  assert.equal(heap.pop(), undefined);
}

function minKey<Id>(reference: Map<Id, number>): number | undefined {
  let min: number | undefined;
  for (const key of reference.values()) if (min === undefined || key < min) min = key;
  return min;
}

/**
 * Runs `operations` random operations on a heap and a Map reference side by side; keys are
 * `makeKey(k)` for a random k in 0..49.
 */
function runAgainstReference<Id extends string | number>(
  seed: number,
  operations: number,
  makeId: (n: number) => Id,
  makeKey: (k: number) => number = (k) => k,
): void {
  const rand = mulberry32(seed);
  const heap = new QuaternaryHeap<Id>();
  const reference = new Map<Id, number>();
  const idPool = 300;
  const randomId = (): Id => makeId(Math.floor(rand() * idPool));
  const randomKey = (): number => makeKey(Math.floor(rand() * 50));
  for (let step = 0; step < operations; step++) {
    const at = `seed ${seed}, step ${step}`;
    const r = rand();
    if (r < 0.4) {
      const id = randomId();
      const key = randomKey();
      heap.push(id, key);
      reference.set(id, key);
    } else if (r < 0.55) {
      const expectedKey = minKey(reference);
      assert.equal(heap.peekKey(), expectedKey, at);
      const id = heap.pop();
      if (expectedKey === undefined) {
        assert.equal(id, undefined, at);
      } else {
        assert.ok(id !== undefined, at);
        assert.equal(reference.get(id), expectedKey, at);
        reference.delete(id);
      }
    } else if (r < 0.7) {
      const id = randomId();
      assert.equal(heap.remove(id), reference.delete(id), at);
    } else if (r < 0.9) {
      const id = randomId();
      const key = randomKey();
      const present = reference.has(id);
      assert.equal(heap.update(id, key), present, at);
      if (present) reference.set(id, key);
    } else {
      const id = heap.peek();
      assert.equal(heap.peekKey(), minKey(reference), at);
      if (id !== undefined) assert.equal(reference.get(id), heap.peekKey(), at);
    }
    assert.equal(heap.size, reference.size, at);
    const probe = randomId();
    assert.equal(heap.has(probe), reference.has(probe), at);
    assert.equal(heap.keyOf(probe), reference.get(probe), at);
  }
  drain(heap, reference);
}

describe('QuaternaryHeap', () => {
  it('is empty when new', () => {
    const heap = new QuaternaryHeap();
    assert.equal(heap.size, 0);
    assert.equal(heap.pop(), undefined);
    assert.equal(heap.peek(), undefined);
    assert.equal(heap.peekKey(), undefined);
  });

  it('pops ids in key order and pops every id that shares a key', () => {
    const heap = new QuaternaryHeap<string>();
    const keys = new Map([['a', 5], ['b', 1], ['c', 5], ['d', 3], ['e', 5], ['f', 1]]);
    for (const [id, key] of keys) heap.push(id, key);
    assert.equal(heap.peekKey(), 1);
    drain(heap, keys);
  });

  it('re-keys an id that is pushed again instead of adding it twice', () => {
    const heap = new QuaternaryHeap<number>();
    heap.push(1, 10);
    heap.push(2, 20);
    heap.push(1, 30);
    assert.equal(heap.size, 2);
    assert.equal(heap.keyOf(1), 30);
    assert.deepEqual([heap.pop(), heap.pop(), heap.pop()], [2, 1, undefined]);
  });

  it('returns false for remove and update of absent ids and changes nothing', () => {
    const heap = new QuaternaryHeap<string>();
    heap.push('x', 1);
    assert.equal(heap.remove('y'), false);
    assert.equal(heap.update('y', 0), false);
    assert.equal(heap.has('y'), false);
    assert.equal(heap.keyOf('y'), undefined);
    assert.equal(heap.size, 1);
    assert.equal(heap.peek(), 'x');
    assert.equal(heap.remove('x'), true);
    assert.equal(heap.remove('x'), false);
    assert.equal(heap.size, 0);
  });

  it('moves an updated id both towards and away from the top', () => {
    const heap = new QuaternaryHeap<string>();
    for (let i = 0; i < 20; i++) heap.push(`t${i}`, i * 10);
    assert.equal(heap.update('t15', -1), true);
    assert.equal(heap.peek(), 't15');
    assert.equal(heap.update('t15', 1000), true);
    assert.equal(heap.update('t0', 500), true);
    assert.equal(heap.peek(), 't1');
    assert.equal(heap.keyOf('t0'), 500);
  });

  it('rejects NaN keys and accepts infinities', () => {
    const heap = new QuaternaryHeap<number>();
    assert.throws(() => heap.push(1, Number.NaN), RangeError);
    heap.push(1, Infinity);
    heap.push(2, -Infinity);
    assert.throws(() => heap.update(1, Number.NaN), RangeError);
    assert.deepEqual([heap.pop(), heap.pop()], [2, 1]);
  });

  it('grows past its initial capacity', () => {
    const heap = new QuaternaryHeap<number>();
    const expected = new Map<number, number>();
    for (let i = 10_000; i > 0; i--) {
      heap.push(i, i);
      expected.set(i, i);
    }
    assert.equal(heap.size, 10_000);
    assert.equal(heap.peek(), 1);
    drain(heap, expected);
  });

  it('recycles freed handles without mixing up the ids that reuse them', () => {
    const heap = new QuaternaryHeap<string>();
    heap.push('a', 1);
    heap.push('b', 2);
    heap.push('c', 3);
    heap.remove('b');
    heap.push('d', 0);
    assert.equal(heap.has('b'), false);
    assert.equal(heap.keyOf('b'), undefined);
    assert.equal(heap.keyOf('d'), 0);
    assert.deepEqual([heap.pop(), heap.pop(), heap.pop()], ['d', 'a', 'c']);
    const rand = mulberry32(7);
    const live = new Map<string, number>();
    for (let round = 0; round < 20_000; round++) {
      const id = `r${round}`;
      const key = Math.floor(rand() * 1000);
      heap.push(id, key);
      live.set(id, key);
      if (live.size > 8) {
        const popped = heap.pop();
        assert.ok(popped !== undefined && live.delete(popped));
      }
    }
    drain(heap, live);
  });

  it('keeps small integer, other number and string ids apart', () => {
    const heap = new QuaternaryHeap();
    const ids: (string | number)[] = [0, 1, '1', -1, 0.5, 2 ** 22 - 1, 2 ** 22, 2 ** 53, 'a'];
    const expected = new Map(ids.map((id, i) => [id, 100 - i]));
    for (const [id, key] of expected) heap.push(id, key);
    assert.equal(heap.size, ids.length);
    for (const [id, key] of expected) assert.equal(heap.keyOf(id), key, `id ${id}`);
    assert.equal(heap.keyOf(-0), 100);
    assert.equal(heap.keyOf('0'), undefined);
    assert.equal(heap.keyOf(2), undefined);
    assert.equal(heap.remove(1), true);
    assert.equal(heap.keyOf('1'), 98);
    expected.delete(1);
    drain(heap, expected);
  });

  it('keeps +Infinity keys apart from the padding after the last entry', () => {
    // Every size from 1 to 40 ends in a node with one to four children, some of them +Infinity.
    for (let size = 1; size <= 40; size++) {
      const heap = new QuaternaryHeap<number>();
      const expected = new Map<number, number>();
      for (let id = 0; id < size; id++) {
        const key = id % 3 === 0 ? Infinity : id % 7;
        heap.push(id, key);
        expected.set(id, key);
      }
      assert.equal(heap.keyOf(0), Infinity);
      drain(heap, expected);
    }
  });

  it('reads no key of a cleared heap', () => {
    const heap = new QuaternaryHeap<number>();
    for (let id = 0; id < 100; id++) heap.push(id, id - 1000);
    heap.clear();
    heap.push(0, 50);
    heap.push(1, 60);
    heap.update(0, 70); // sifts down past the slots the old entries used
    assert.deepEqual([heap.peek(), heap.keyOf(0), heap.size], [1, 70, 2]);
    const expected = new Map([[0, 70], [1, 60]]);
    for (let id = 2; id < 7; id++) {
      heap.push(id, 50 - id);
      expected.set(id, 50 - id);
    }
    heap.remove(3);
    expected.delete(3);
    drain(heap, expected);
  });

  it('re-keys an entry in place, down and up, whether pushed again or updated', () => {
    for (const viaPush of [false, true]) {
      const ids = Array.from({ length: 50 }, (_, i) => i);
      const heap = QuaternaryHeap.from(ids, ids.map((i) => 10 * i));
      const expected = new Map(ids.map((i) => [i, 10 * i]));
      const rekey = (id: number, key: number) => {
        if (viaPush) heap.push(id, key);
        else assert.equal(heap.update(id, key), true);
        expected.set(id, key);
        assert.equal(heap.keyOf(id), key);
      };
      rekey(49, 495); // a leaf that stays where it is
      rekey(2, 25); // stays between its parent and its children
      rekey(1, 1000); // an inner entry that moves down to a leaf
      rekey(48, -5); // a leaf that moves up to the top
      assert.equal(heap.peek(), 48);
      assert.equal(heap.remove(49), true);
      expected.delete(49);
      rekey(47, 470); // unchanged key
      assert.equal(heap.size, expected.size);
      drain(heap, expected);
    }
  });

  it('clears and can be reused', () => {
    const heap = new QuaternaryHeap<number>();
    for (let i = 0; i < 100; i++) heap.push(i, -i);
    heap.clear();
    assert.equal(heap.size, 0);
    assert.equal(heap.has(5), false);
    heap.push(5, 1);
    assert.deepEqual([heap.pop(), heap.pop()], [5, undefined]);
  });

  describe('from and load', () => {
    for (const seed of [11, 12, 13]) {
      it(`heapifies random keys with repeated ids, the last key winning (seed ${seed})`, () => {
        const rand = mulberry32(seed);
        const ids: number[] = [];
        const keys: number[] = [];
        const expected = new Map<number, number>();
        for (let i = 0; i < 5000; i++) {
          const id = Math.floor(rand() * 4000);
          const key = Math.floor(rand() * 100);
          ids.push(id);
          keys.push(key);
          expected.set(id, key);
        }
        const heap = QuaternaryHeap.from(ids, keys);
        assert.equal(heap.size, expected.size);
        for (const [id, key] of expected) assert.equal(heap.keyOf(id), key);
        drain(heap, expected);
      });
    }

    it('replaces the previous content on load and keeps working afterwards', () => {
      const heap = new QuaternaryHeap<string>();
      heap.push('old', 0);
      heap.load(['b', 'a', 'c'], [2, 1, 3]);
      assert.equal(heap.has('old'), false);
      heap.push('z', 0);
      heap.remove('c');
      drain(heap, new Map([['z', 0], ['a', 1], ['b', 2]]));
    });

    it('handles zero, one and two entries', () => {
      assert.equal(QuaternaryHeap.from([], []).size, 0);
      assert.equal(QuaternaryHeap.from(['x'], [4]).peek(), 'x');
      assert.equal(QuaternaryHeap.from(['x', 'y'], [4, 2]).peek(), 'y');
    });

    it('rejects mismatched lengths', () => {
      assert.throws(() => QuaternaryHeap.from(['a', 'b'], [1]), /2 ids but 1 keys/);
    });
  });

  describe('against a reference model', () => {
    for (const seed of [1, 2, 3, 4, 5, 0xc0ffee, 20260329]) {
      it(`matches with number ids over 5000 random operations (seed ${seed})`, () => {
        runAgainstReference(seed, 5000, (n) => n);
      });
      it(`matches with string ids over 5000 random operations (seed ${seed})`, () => {
        runAgainstReference(seed, 5000, (n) => `job-${n}`);
      });
      it(`matches with negative, fractional and huge number ids over 5000 random operations (seed ${seed})`, () => {
        runAgainstReference(seed, 5000, (n) => [n, -n - 1, 2 ** 22 + n * 1.5][n % 3]);
      });
      it(`matches with many equal and infinite keys over 5000 random operations (seed ${seed})`, () => {
        runAgainstReference(seed, 5000, (n) => n, (k) => [-Infinity, 0, 1, Infinity][k % 4]);
      });
    }
  });
});
