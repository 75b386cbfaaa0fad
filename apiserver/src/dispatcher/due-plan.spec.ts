import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ON_TIME_MS, planDue } from './due-plan';
import { parseSchedule } from '@cronfleet/shared';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const everySecond = parseSchedule('@every 1s');
const opts = (misfire: Parameters<typeof planDue>[3]['misfire'], startingDeadlineSeconds: number | null = null) => ({ anchorMs: T0, misfire, startingDeadlineSeconds });

describe('planDue', () => {
  it('runs a due time that came on time and moves to the next one', () => {
    const plan = planDue(everySecond, T0 + 5000, T0 + 5003, opts({ kind: 'runOnce' }));
    assert.deepEqual(plan, { missed: [], onTime: [T0 + 5000], nextMs: T0 + 6000 });
  });

  it('runs every due time of the last second, when a tick came a little late', () => {
    const plan = planDue(everySecond, T0 + 5000, T0 + 5000 + ON_TIME_MS, opts({ kind: 'skip' }));
    assert.deepEqual(plan.onTime, [T0 + 5000, T0 + 6000]);
    assert.equal(plan.nextMs, T0 + 7000);
  });

  it('collapses due times missed for a minute into one catch-up run with runOnce', () => {
    const plan = planDue(everySecond, T0, T0 + 60_000, opts({ kind: 'runOnce' }));
    // The most recent missed time (a due time exactly ON_TIME_MS old counts as missed).
    assert.deepEqual(plan.missed, [T0 + 60_000 - ON_TIME_MS]);
    assert.deepEqual(plan.onTime, [T0 + 60_000]);
    assert.equal(plan.nextMs, T0 + 61_000);
  });

  it('runs no missed due time with skip, and at most the limit with catchUp, oldest first', () => {
    assert.deepEqual(planDue(everySecond, T0, T0 + 60_000, opts({ kind: 'skip' })).missed, []);
    const catchUp = planDue(everySecond, T0, T0 + 60_000, opts({ kind: 'catchUp', limit: 3 })).missed;
    assert.equal(catchUp.length, 3);
    assert.deepEqual([...catchUp].sort((a, b) => a - b), catchUp);
  });

  it('drops missed due times older than the starting deadline', () => {
    const plan = planDue(everySecond, T0, T0 + 60_000, opts({ kind: 'catchUp', limit: 100 }, 10));
    assert.ok(plan.missed.length > 0);
    assert.ok(plan.missed.every((t) => t >= T0 + 50_000), JSON.stringify(plan.missed));
  });

  it('ends a one-shot schedule after its run', () => {
    const at = parseSchedule('@at 2026-06-01T12:00:10Z');
    assert.deepEqual(planDue(at, T0 + 10_000, T0 + 10_002, opts({ kind: 'runOnce' })), { missed: [], onTime: [T0 + 10_000], nextMs: null });
  });
});
