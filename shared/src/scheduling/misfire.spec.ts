import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dueTimesToRun, type MisfirePolicy } from './misfire';
import { parseSchedule } from './schedule';
import { at } from '../../../test/support/time';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString().replace('.000Z', 'Z'));

const SKIP: MisfirePolicy = { kind: 'skip' };
const RUN_ONCE: MisfirePolicy = { kind: 'runOnce' };
const catchUp = (limit: number): MisfirePolicy => ({ kind: 'catchUp', limit });

// `*/5 * * * *` missed from 10:00 until 10:23:30: the missed due times are 10:00, 10:05, 10:10,
// 10:15 and 10:20, and the next one is 10:25.
const cases: {
  name: string; schedule: string; timezone?: string; firstMissed: string; now: string; policy: MisfirePolicy;
  anchor?: string; deadline?: number | null; run: string[]; next: string | null;
}[] = [
  { name: 'skip runs none of them', schedule: '*/5 * * * *', firstMissed: '2026-01-01T10:00:00Z', now: '2026-01-01T10:23:30Z', policy: SKIP, run: [], next: '2026-01-01T10:25:00Z' },
  { name: 'runOnce runs the most recent', schedule: '*/5 * * * *', firstMissed: '2026-01-01T10:00:00Z', now: '2026-01-01T10:23:30Z', policy: RUN_ONCE, run: ['2026-01-01T10:20:00Z'], next: '2026-01-01T10:25:00Z' },
  { name: 'catchUp runs each, oldest first', schedule: '*/5 * * * *', firstMissed: '2026-01-01T10:00:00Z', now: '2026-01-01T10:23:30Z', policy: catchUp(10), run: ['2026-01-01T10:00:00Z', '2026-01-01T10:05:00Z', '2026-01-01T10:10:00Z', '2026-01-01T10:15:00Z', '2026-01-01T10:20:00Z'], next: '2026-01-01T10:25:00Z' },
  { name: 'catchUp keeps the most recent `limit`', schedule: '*/5 * * * *', firstMissed: '2026-01-01T10:00:00Z', now: '2026-01-01T10:23:30Z', policy: catchUp(3), run: ['2026-01-01T10:10:00Z', '2026-01-01T10:15:00Z', '2026-01-01T10:20:00Z'], next: '2026-01-01T10:25:00Z' },
  { name: 'the deadline drops due times older than it (catchUp)', schedule: '*/5 * * * *', firstMissed: '2026-01-01T10:00:00Z', now: '2026-01-01T10:23:30Z', policy: catchUp(10), deadline: 600, run: ['2026-01-01T10:15:00Z', '2026-01-01T10:20:00Z'], next: '2026-01-01T10:25:00Z' },
  { name: 'a due time exactly at the deadline still runs', schedule: '*/5 * * * *', firstMissed: '2026-01-01T10:00:00Z', now: '2026-01-01T10:23:30Z', policy: catchUp(10), deadline: 510, run: ['2026-01-01T10:15:00Z', '2026-01-01T10:20:00Z'], next: '2026-01-01T10:25:00Z' },
  { name: 'runOnce runs nothing when even the newest is past the deadline', schedule: '*/5 * * * *', firstMissed: '2026-01-01T10:00:00Z', now: '2026-01-01T10:23:30Z', policy: RUN_ONCE, deadline: 60, run: [], next: '2026-01-01T10:25:00Z' },
  { name: 'a null deadline means none', schedule: '*/5 * * * *', firstMissed: '2026-01-01T10:00:00Z', now: '2026-01-01T10:23:30Z', policy: catchUp(2), deadline: null, run: ['2026-01-01T10:15:00Z', '2026-01-01T10:20:00Z'], next: '2026-01-01T10:25:00Z' },
  { name: 'a due time equal to now counts as missed', schedule: '*/5 * * * *', firstMissed: '2026-01-01T10:15:00Z', now: '2026-01-01T10:20:00Z', policy: catchUp(10), run: ['2026-01-01T10:15:00Z', '2026-01-01T10:20:00Z'], next: '2026-01-01T10:25:00Z' },
  { name: 'a first due time in the future is not missed yet', schedule: '*/5 * * * *', firstMissed: '2026-01-01T10:25:00Z', now: '2026-01-01T10:23:30Z', policy: catchUp(10), run: [], next: '2026-01-01T10:25:00Z' },
  { name: 'a first due time off the schedule (edited job) is kept', schedule: '*/5 * * * *', firstMissed: '2026-01-01T10:02:00Z', now: '2026-01-01T10:11:00Z', policy: catchUp(10), run: ['2026-01-01T10:02:00Z', '2026-01-01T10:05:00Z', '2026-01-01T10:10:00Z'], next: '2026-01-01T10:15:00Z' },
  { name: '@every stays on its anchored grid', schedule: '@every 30s', anchor: '2026-01-01T00:00:07Z', firstMissed: '2026-01-01T10:00:07Z', now: '2026-01-01T10:02:00Z', policy: catchUp(10), run: ['2026-01-01T10:00:07Z', '2026-01-01T10:00:37Z', '2026-01-01T10:01:07Z', '2026-01-01T10:01:37Z'], next: '2026-01-01T10:02:07Z' },
  { name: '@at runs once if missed, then the schedule has ended', schedule: '@at 2026-01-01T10:00:00Z', firstMissed: '2026-01-01T10:00:00Z', now: '2026-01-01T11:00:00Z', policy: RUN_ONCE, run: ['2026-01-01T10:00:00Z'], next: null },
  { name: '@at past its deadline is dropped', schedule: '@at 2026-01-01T10:00:00Z', firstMissed: '2026-01-01T10:00:00Z', now: '2026-01-01T11:00:00Z', policy: RUN_ONCE, deadline: 1800, run: [], next: null },
  // New York: 02:30 does not exist on 2026-03-08 and runs at 03:00 EDT (07:00Z) instead.
  { name: 'catchUp across spring-forward uses the DST rule', schedule: '30 2 * * *', timezone: 'America/New_York', firstMissed: '2026-03-07T07:30:00Z', now: '2026-03-09T16:00:00Z', policy: catchUp(10), run: ['2026-03-07T07:30:00Z', '2026-03-08T07:00:00Z', '2026-03-09T06:30:00Z'], next: '2026-03-10T06:30:00Z' },
];

describe('dueTimesToRun', () => {
  for (const c of cases) {
    it(c.name, () => {
      const schedule = parseSchedule(c.schedule, c.timezone);
      const result = dueTimesToRun(schedule, at(c.firstMissed), at(c.now), c.policy, {
        anchorMs: c.anchor === undefined ? undefined : at(c.anchor),
        startingDeadlineSeconds: c.deadline,
      });
      assert.deepEqual({ run: result.run.map(iso), next: iso(result.nextMs) }, { run: c.run, next: c.next });
    });
  }

  it('does not walk a week of missed @every 1s slots one by one', () => {
    const schedule = parseSchedule('@every 1s');
    const now = at('2026-01-08T00:00:00.500Z');
    const started = Date.now();
    const result = dueTimesToRun(schedule, at('2026-01-01T00:00:00Z'), now, catchUp(1000));
    assert.ok(Date.now() - started < 500);
    assert.equal(result.run.length, 1000);
    assert.equal(iso(result.run[0]), '2026-01-07T23:43:21Z');
    assert.equal(iso(result.run[999]), '2026-01-08T00:00:00Z');
    assert.equal(iso(result.nextMs), '2026-01-08T00:00:01Z');
    assert.deepEqual(dueTimesToRun(schedule, at('2026-01-01T00:00:00Z'), now, RUN_ONCE).run.map(iso), ['2026-01-08T00:00:00Z']);
  });

  it('does not walk a month of missed every-second cron slots one by one', () => {
    const schedule = parseSchedule('* * * * * *', 'Europe/Berlin');
    const started = Date.now();
    const result = dueTimesToRun(schedule, at('2026-01-01T00:00:00Z'), at('2026-02-01T00:00:00Z'), catchUp(1000));
    assert.ok(Date.now() - started < 500);
    assert.equal(result.run.length, 1000);
    assert.equal(iso(result.run[999]), '2026-02-01T00:00:00Z');
    assert.equal(result.run[999] - result.run[0], 999_000);
  });

  it('refuses a catchUp limit outside 1-1000 and non-finite times', () => {
    const schedule = parseSchedule('* * * * *');
    for (const limit of [0, 1001, 1.5]) assert.throws(() => dueTimesToRun(schedule, 0, 60_000, catchUp(limit)), RangeError);
    assert.throws(() => dueTimesToRun(schedule, Number.NaN, 60_000, SKIP), RangeError);
  });
});
