import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit, type Settled } from './group-commit';

/** A few turns of the event loop: enough for a finished group's successor to leave. */
const turn = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

/** A writer whose groups the test finishes by hand. */
function writer() {
  const groups: { items: number[]; finish: (answers?: Settled<string>[]) => void; fail: (e: Error) => void }[] = [];
  const write = (items: number[]) => new Promise<Settled<string>[]>((resolve, reject) => {
    groups.push({ items, finish: (answers) => resolve(answers ?? items.map((i) => ({ ok: true, value: `#${i}` }))), fail: reject });
  });
  return { groups, write };
}

describe('GroupCommit', () => {
  it('writes a lone item on the next turn, and the items that arrive meanwhile together next', async () => {
    const w = writer();
    const g = new GroupCommit(w.write, { maxInFlight: 1 });
    const first = g.push(1);
    await turn();
    assert.deepEqual(w.groups.map((x) => x.items), [[1]]);
    const later = [g.push(2), g.push(3), g.push(4)];
    await turn();
    assert.equal(w.groups.length, 1, 'waits for the group in flight');
    assert.equal(g.backlog, 3);
    w.groups[0].finish();
    assert.equal(await first, '#1');
    await turn();
    assert.deepEqual(w.groups.map((x) => x.items), [[1], [2, 3, 4]]);
    w.groups[1].finish();
    assert.deepEqual(await Promise.all(later), ['#2', '#3', '#4']);
  });

  it('keeps up to maxInFlight groups running, each at most maxItems', async () => {
    const w = writer();
    const g = new GroupCommit(w.write, { maxInFlight: 2, maxItems: 2 });
    const all = [1, 2, 3, 4, 5].map((i) => g.push(i));
    await turn();
    assert.deepEqual(w.groups.map((x) => x.items), [[1, 2], [3, 4]]);
    w.groups[1].finish();
    await turn();
    assert.deepEqual(w.groups.map((x) => x.items), [[1, 2], [3, 4], [5]]);
    w.groups[0].finish();
    w.groups[2].finish();
    assert.deepEqual(await Promise.all(all), ['#1', '#2', '#3', '#4', '#5']);
  });

  it('settles each item on its own, and fails the whole group when the write throws', async () => {
    const w = writer();
    const g = new GroupCommit(w.write, { maxInFlight: 1 });
    const a = g.push(1);
    const b = g.push(2);
    await turn();
    w.groups[0].finish([{ ok: true, value: 'made' }, { ok: false, error: new Error('refused alone') }]);
    assert.equal(await a, 'made');
    await assert.rejects(b, /refused alone/);

    const c = g.push(3);
    await turn();
    w.groups[1].fail(new Error('database down'));
    await assert.rejects(c, /database down/);
    const d = g.push(4);
    await turn();
    assert.deepEqual(w.groups[2].items, [4], 'a failed group does not stop the next');
    w.groups[2].finish();
    assert.equal(await d, '#4');
  });
});
