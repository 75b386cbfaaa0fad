import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepsEverything, pauseAfterBatchMs, planRetention } from './retention-plan';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

describe('planRetention', () => {
  it('uses the server defaults for every job that sets nothing', () => {
    const plan = planRetention({ days: 30, limit: null }, [], NOW);
    assert.equal(plan.defaultCutoffMs, NOW - 30 * DAY);
    assert.equal(plan.defaultLimit, null);
    assert.equal(plan.ownCutoffMs.size + plan.ownLimits.size, 0);
  });

  it("falls back to the default for each field a job leaves null, on its own", () => {
    const plan = planRetention({ days: 30, limit: 100 }, [{ id: 1, historyLimit: 2, historyDays: null }, { id: 2, historyLimit: null, historyDays: 365 }, { id: 3, historyLimit: 0, historyDays: 0 }], NOW);
    assert.deepEqual([...plan.ownLimits], [[1, 2], [3, 0]]);
    assert.deepEqual([...plan.ownCutoffMs], [[2, NOW - 365 * DAY], [3, NOW]]);
    assert.equal(plan.defaultLimit, 100, 'job 2 keeps the default count');
    assert.equal(plan.defaultCutoffMs, NOW - 30 * DAY, 'job 1 keeps the default age');
  });

  it('keeps everything when nothing limits age or count', () => {
    assert.equal(keepsEverything(planRetention({ days: null, limit: null }, [], NOW)), true);
    assert.equal(keepsEverything(planRetention({ days: null, limit: null }, [{ id: 1, historyLimit: 5, historyDays: null }], NOW)), false);
    assert.equal(keepsEverything(planRetention({ days: 1, limit: null }, [], NOW)), false);
  });
});

describe('pauseAfterBatchMs', () => {
  it('pauses as long as the batch took, within bounds', () => {
    assert.equal(pauseAfterBatchMs(3), 50);
    assert.equal(pauseAfterBatchMs(400), 400);
    assert.equal(pauseAfterBatchMs(60_000), 2000);
  });
});
