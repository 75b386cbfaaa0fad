import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeCycle, findCycle, topologicalOrder } from '@cronfleet/shared';

const g = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

describe('findCycle', () => {
  it('finds none in a diamond or a forest', () => {
    assert.equal(findCycle(g({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [] })), null);
    assert.equal(findCycle(g({ a: [], b: ['c'] })), null);
  });

  it('names the cycle as the path that closes it, not the way into it', () => {
    assert.deepEqual(findCycle(g({ start: ['a'], a: ['b'], b: ['c'], c: ['a'] })), ['a', 'b', 'c', 'a']);
    assert.deepEqual(findCycle(g({ a: ['a'] })), ['a', 'a']);
    assert.equal(describeCycle(['a', 'b', 'a']), 'a → b → a');
  });

  it('walks a chain of 100,000 nodes without exhausting the stack', () => {
    const edges = new Map<string, string[]>();
    for (let i = 0; i < 100_000; i++) edges.set(`n${i}`, [`n${i + 1}`]);
    assert.equal(findCycle(edges), null);
    edges.set('n100000', ['n0']);
    assert.equal(findCycle(edges)!.length, 100_002);
  });
});

describe('topologicalOrder', () => {
  it('puts every node after the ones it depends on, ties in the order given', () => {
    assert.deepEqual(topologicalOrder(g({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [] })), ['a', 'b', 'c', 'd']);
    assert.deepEqual(topologicalOrder(g({ x: [], y: ['x'] })), ['y', 'x']);
  });

  it('refuses a cycle, naming it', () => {
    assert.throws(() => topologicalOrder(g({ a: ['b'], b: ['a'] })), /cycle: a → b → a/);
  });
});
