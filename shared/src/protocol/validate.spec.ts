import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_BATCH } from './messages';
import { firstItemError, parseBatch } from './validate';

const update = (taskId: number) => ({ taskId, status: 'success', atMs: 1_700_000_000_000, exitCode: 0 });

describe('parseBatch', () => {
  it('validates each item on its own: a malformed one is refused and named, the others pass', () => {
    const r = parseBatch('task:updates', { updates: [update(1), { ...update(2), status: 'exploded' }, update(3)] });
    assert.ok(r.ok);
    assert.deepEqual(r.items.map((i) => i.ok), [true, false, true]);
    assert.match(firstItemError(r.items)?.message ?? '', /^task:updates: updates\[1\]: status: /);
  });

  it('refuses the whole batch when its envelope is wrong, naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [null, /updates: required/],
      [[update(1)], /updates: required/],
      [{ updates: 'x' }, /updates: expected an array/],
      [{ updates: [] }, /updates: expected 1 to 500 items, got 0/],
      [{ updates: Array.from({ length: MAX_BATCH + 1 }, (_, i) => update(i + 1)) }, /expected 1 to 500 items, got 501/],
      [{ updates: [update(1)], extra: 1 }, /extra: unknown field/],
    ];
    for (const [data, message] of cases) {
      const r = parseBatch('task:updates', data);
      assert.equal(r.ok, false, JSON.stringify(data).slice(0, 80));
      assert.match(!r.ok ? r.error.message : '', message);
      assert.equal(!r.ok && r.error.code, 'InvalidMessage');
    }
  });

  it('applies each item schema\'s defaults (task:runs)', () => {
    const r = parseBatch('task:runs', {
      tasks: [{ taskId: 5, cronjobId: null, cronjobName: null, attempt: 1, scheduledAtMs: 1_700_000_000_000, timeoutSeconds: null, runner: 'command', spec: { command: 'true' } }],
    });
    assert.ok(r.ok && r.items[0]?.ok);
    const t = r.ok && r.items[0]?.ok ? r.items[0].value : null;
    assert.deepEqual(t && [t.env, t.secretEnv, t.shard], [{}, {}, null]);
  });
});
