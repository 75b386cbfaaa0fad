import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCron } from './cron-expression';
import { lastCronRunMs, nextCronRunMs } from './zoned-cron';
import { at } from '../../../test/support/time';

const fail = (detail: string): never => {
  throw new Error(detail);
};
const utc = (ms: number): string => new Date(ms).toISOString();

function runs(expression: string, zone: string, after: number, count: number): number[] {
  const cron = parseCron(expression, fail).compiled;
  const out: number[] = [];
  for (let t = after; out.length < count; ) {
    const next = nextCronRunMs(cron, zone, t);
    assert.ok(next !== null && next > t, `${expression} in ${zone}: no progress after ${utc(t)}`);
    out.push(next);
    t = next;
  }
  return out;
}

// Transitions, checked against Intl (see time-zone.spec.ts):
// America/New_York     2026-03-08 02:00 EST -> 03:00 EDT (07:00Z); 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z)
// Europe/Berlin        2026-03-29 02:00 CET -> 03:00 CEST (01:00Z); 2026-10-25 03:00 CEST -> 02:00 CET (01:00Z)
// Australia/Lord_Howe  2026-04-05 02:00 +11 -> 01:30 +10:30 (2026-04-04T15:00Z);
//                      2026-10-04 02:00 +10:30 -> 02:30 +11 (2026-10-03T15:30Z)
// Expected times are local wall times with the offset in force, worked out by hand.
const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const LORD_HOWE = 'Australia/Lord_Howe';
const cases: { name: string; expression: string; zone: string; after: string; expected: string[] }[] = [
  // New York, spring-forward
  { name: 'a skipped fixed time runs once when the gap ends, not at 03:30', expression: '30 2 * * *', zone: NY, after: '2026-03-07T00:00-05:00', expected: ['2026-03-07T02:30-05:00', '2026-03-08T03:00-04:00', '2026-03-09T02:30-04:00'] },
  { name: 'two skipped fixed times still run once', expression: '0,30 2 * * *', zone: NY, after: '2026-03-08T00:00-05:00', expected: ['2026-03-08T03:00-04:00', '2026-03-09T02:00-04:00'] },
  { name: 'a fixed time before the gap is untouched', expression: '30 1 * * *', zone: NY, after: '2026-03-08T00:00-05:00', expected: ['2026-03-08T01:30-05:00', '2026-03-09T01:30-04:00'] },
  { name: 'hourly loses no real hour: 01:00 EST then 03:00 EDT', expression: '0 * * * *', zone: NY, after: '2026-03-08T00:30-05:00', expected: ['2026-03-08T01:00-05:00', '2026-03-08T03:00-04:00', '2026-03-08T04:00-04:00'] },
  { name: 'every 15 minutes stays 15 real minutes apart', expression: '*/15 * * * *', zone: NY, after: '2026-03-08T01:30-05:00', expected: ['2026-03-08T01:45-05:00', '2026-03-08T03:00-04:00', '2026-03-08T03:15-04:00'] },
  { name: 'every 2 hours (6 fields): the skipped 02:00 runs at 03:00', expression: '0 0 */2 * * *', zone: NY, after: '2026-03-07T23:00-05:00', expected: ['2026-03-08T00:00-05:00', '2026-03-08T03:00-04:00', '2026-03-08T04:00-04:00'] },
  // New York, fall-back
  { name: 'a repeated fixed time runs once, at its first (EDT) occurrence', expression: '30 1 * * *', zone: NY, after: '2026-10-31T12:00-04:00', expected: ['2026-11-01T01:30-04:00', '2026-11-02T01:30-05:00'] },
  { name: 'a repeated fixed time is not run again from inside the second occurrence', expression: '30 1 * * *', zone: NY, after: '2026-11-01T01:10-05:00', expected: ['2026-11-02T01:30-05:00'] },
  { name: 'hourly runs at 01:00 EDT and 01:00 EST, one real hour apart', expression: '0 * * * *', zone: NY, after: '2026-11-01T00:30-04:00', expected: ['2026-11-01T01:00-04:00', '2026-11-01T01:00-05:00', '2026-11-01T02:00-05:00'] },
  { name: 'every 15 minutes runs through both 01:xx hours', expression: '*/15 * * * *', zone: NY, after: '2026-11-01T01:30-04:00', expected: ['2026-11-01T01:45-04:00', '2026-11-01T01:00-05:00', '2026-11-01T01:15-05:00', '2026-11-01T01:30-05:00', '2026-11-01T01:45-05:00', '2026-11-01T02:00-05:00'] },
  { name: 'every 2 hours (6 fields) is not doubled', expression: '0 0 */2 * * *', zone: NY, after: '2026-10-31T23:00-04:00', expected: ['2026-11-01T00:00-04:00', '2026-11-01T02:00-05:00', '2026-11-01T04:00-05:00'] },
  { name: 'odd hours (fixed) run 01:00 once', expression: '0 1-23/2 * * *', zone: NY, after: '2026-11-01T00:30-04:00', expected: ['2026-11-01T01:00-04:00', '2026-11-01T03:00-05:00'] },
  // Berlin
  { name: 'Berlin: skipped 02:30 runs at 03:00 CEST', expression: '30 2 * * *', zone: BERLIN, after: '2026-03-28T00:00+01:00', expected: ['2026-03-28T02:30+01:00', '2026-03-29T03:00+02:00', '2026-03-30T02:30+02:00'] },
  { name: 'Berlin: hourly across spring-forward', expression: '0 * * * *', zone: BERLIN, after: '2026-03-29T00:30+01:00', expected: ['2026-03-29T01:00+01:00', '2026-03-29T03:00+02:00', '2026-03-29T04:00+02:00'] },
  { name: 'Berlin: every 15 minutes across spring-forward', expression: '*/15 * * * *', zone: BERLIN, after: '2026-03-29T01:40+01:00', expected: ['2026-03-29T01:45+01:00', '2026-03-29T03:00+02:00', '2026-03-29T03:15+02:00'] },
  { name: 'Berlin: every 2 hours across spring-forward', expression: '0 0 */2 * * *', zone: BERLIN, after: '2026-03-28T23:00+01:00', expected: ['2026-03-29T00:00+01:00', '2026-03-29T03:00+02:00', '2026-03-29T04:00+02:00'] },
  { name: 'Berlin: repeated 02:30 runs once (CEST)', expression: '30 2 * * *', zone: BERLIN, after: '2026-10-24T12:00+02:00', expected: ['2026-10-25T02:30+02:00', '2026-10-26T02:30+01:00'] },
  { name: 'Berlin: hourly runs 02:00 twice, an hour apart', expression: '0 * * * *', zone: BERLIN, after: '2026-10-25T01:30+02:00', expected: ['2026-10-25T02:00+02:00', '2026-10-25T02:00+01:00', '2026-10-25T03:00+01:00'] },
  { name: 'Berlin: every 15 minutes across fall-back', expression: '*/15 * * * *', zone: BERLIN, after: '2026-10-25T02:40+02:00', expected: ['2026-10-25T02:45+02:00', '2026-10-25T02:00+01:00', '2026-10-25T02:15+01:00'] },
  { name: 'Berlin: every 2 hours runs the repeated 02:00 once', expression: '0 0 */2 * * *', zone: BERLIN, after: '2026-10-24T23:00+02:00', expected: ['2026-10-25T00:00+02:00', '2026-10-25T02:00+02:00', '2026-10-25T04:00+01:00'] },
  // Lord Howe, fall-back by 30 minutes: 01:30-01:59 happen twice
  { name: 'Lord Howe: repeated 01:30 runs once (+11)', expression: '30 1 * * *', zone: LORD_HOWE, after: '2026-04-04T12:00+11:00', expected: ['2026-04-05T01:30+11:00', '2026-04-06T01:30+10:30'] },
  { name: 'Lord Howe: 02:00 after fall-back exists once', expression: '0 2 * * *', zone: LORD_HOWE, after: '2026-04-04T12:00+11:00', expected: ['2026-04-05T02:00+10:30', '2026-04-06T02:00+10:30'] },
  { name: 'Lord Howe: hourly follows the clock (90 real minutes to 02:00)', expression: '0 * * * *', zone: LORD_HOWE, after: '2026-04-05T00:30+11:00', expected: ['2026-04-05T01:00+11:00', '2026-04-05T02:00+10:30', '2026-04-05T03:00+10:30'] },
  { name: 'Lord Howe: every 30 minutes stays 30 real minutes apart', expression: '*/30 * * * *', zone: LORD_HOWE, after: '2026-04-05T00:45+11:00', expected: ['2026-04-05T01:00+11:00', '2026-04-05T01:30+11:00', '2026-04-05T01:30+10:30', '2026-04-05T02:00+10:30', '2026-04-05T02:30+10:30'] },
  { name: 'Lord Howe: every 15 minutes across fall-back', expression: '*/15 * * * *', zone: LORD_HOWE, after: '2026-04-05T01:40+11:00', expected: ['2026-04-05T01:45+11:00', '2026-04-05T01:30+10:30', '2026-04-05T01:45+10:30', '2026-04-05T02:00+10:30'] },
  { name: 'Lord Howe: every 2 hours (6 fields) across fall-back', expression: '0 0 */2 * * *', zone: LORD_HOWE, after: '2026-04-04T23:00+11:00', expected: ['2026-04-05T00:00+11:00', '2026-04-05T02:00+10:30', '2026-04-05T04:00+10:30'] },
  // Lord Howe, spring-forward by 30 minutes: 02:00-02:29 do not happen
  { name: 'Lord Howe: 02:30 exists on the spring-forward day', expression: '30 2 * * *', zone: LORD_HOWE, after: '2026-10-03T12:00+10:30', expected: ['2026-10-04T02:30+11:00', '2026-10-05T02:30+11:00'] },
  { name: 'Lord Howe: skipped 02:00 runs once at 02:30', expression: '0 2 * * *', zone: LORD_HOWE, after: '2026-10-03T12:00+10:30', expected: ['2026-10-04T02:30+11:00', '2026-10-05T02:00+11:00'] },
  { name: 'Lord Howe: skipped 02:00 and real 02:30 run once together', expression: '0,30 2 * * *', zone: LORD_HOWE, after: '2026-10-03T12:00+10:30', expected: ['2026-10-04T02:30+11:00', '2026-10-05T02:00+11:00', '2026-10-05T02:30+11:00'] },
  { name: 'Lord Howe: hourly skips the missing 02:00', expression: '0 * * * *', zone: LORD_HOWE, after: '2026-10-04T00:30+10:30', expected: ['2026-10-04T01:00+10:30', '2026-10-04T03:00+11:00', '2026-10-04T04:00+11:00'] },
  { name: 'Lord Howe: every 30 minutes across spring-forward', expression: '*/30 * * * *', zone: LORD_HOWE, after: '2026-10-04T00:45+10:30', expected: ['2026-10-04T01:00+10:30', '2026-10-04T01:30+10:30', '2026-10-04T02:30+11:00', '2026-10-04T03:00+11:00'] },
  { name: 'Lord Howe: every 15 minutes across spring-forward', expression: '*/15 * * * *', zone: LORD_HOWE, after: '2026-10-04T01:40+10:30', expected: ['2026-10-04T01:45+10:30', '2026-10-04T02:30+11:00', '2026-10-04T02:45+11:00'] },
  { name: 'Lord Howe: every 2 hours, skipped 02:00 runs at 02:30', expression: '0 0 */2 * * *', zone: LORD_HOWE, after: '2026-10-03T23:00+10:30', expected: ['2026-10-04T00:00+10:30', '2026-10-04T02:30+11:00', '2026-10-04T04:00+11:00'] },
  // Beirut changes at midnight: 2026-03-28 23:59:59 +02 -> 2026-03-29 01:00 +03 (22:00Z), and
  // 2026-10-24 23:59:59 +03 -> 23:00 +02 the same evening (21:00Z).
  { name: 'Beirut: a skipped midnight runs once at 01:00', expression: '0 0 29 3 *', zone: 'Asia/Beirut', after: '2026-03-28T12:00+02:00', expected: ['2026-03-29T01:00+03:00'] },
  { name: 'Beirut: the repeated last hour of the only matching day runs twice', expression: '15 * 24 10 *', zone: 'Asia/Beirut', after: '2026-10-24T23:20+03:00', expected: ['2026-10-24T23:15+02:00'] },
  { name: 'Beirut: hourly on a day that ends twice', expression: '15 * 24 10 *', zone: 'Asia/Beirut', after: '2026-10-24T22:00+03:00', expected: ['2026-10-24T22:15+03:00', '2026-10-24T23:15+03:00', '2026-10-24T23:15+02:00'] },
  // Havana repeats the first hour of 2026-11-01: 00:59:59 -04 -> 00:00 -05 (05:00Z).
  { name: 'Havana: hourly on a day that starts twice', expression: '15 * 1 11 *', zone: 'America/Havana', after: '2026-10-31T23:00-04:00', expected: ['2026-11-01T00:15-04:00', '2026-11-01T00:15-05:00', '2026-11-01T01:15-05:00'] },
];

describe('cron across daylight-saving changes', () => {
  for (const c of cases) {
    it(`${c.name} (${c.expression})`, () => {
      const actual = runs(c.expression, c.zone, at(c.after), c.expected.length).map(utc);
      assert.deepEqual(actual, c.expected.map((e) => utc(at(e))));
    });
  }

  for (const c of cases) {
    it(`finds the same times backwards: ${c.name}`, () => {
      const cron = parseCron(c.expression, fail).compiled;
      for (const expected of c.expected.map(at)) {
        assert.equal(lastCronRunMs(cron, c.zone, expected), expected);
        assert.equal(lastCronRunMs(cron, c.zone, expected + 999), expected);
        const previous = lastCronRunMs(cron, c.zone, expected - 1);
        assert.ok(previous !== null && previous < expected);
        assert.equal(nextCronRunMs(cron, c.zone, previous), expected, `after ${utc(previous)}`);
      }
    });
  }

  const zones = [NY, BERLIN, LORD_HOWE, 'UTC', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham', 'Antarctica/Troll'];
  const expressions = ['0 0 */2 * * *', '*/30 * * * *', '*/15 * * * *', '0 * * * *', '30 2 * * *', '0 2 * * *', '* 2 * * *', '0 */7 1-3 * * *', '0 0 * * 0', '59 59 23 * * *'];
  it('never loops, never goes backwards, and agrees with the backward search across both 2026 changes', () => {
    const started = Date.now();
    for (const zone of zones) {
      for (const expression of expressions) {
        const cron = parseCron(expression, fail).compiled;
        for (const [from, until] of [['2026-03-01T00:00Z', '2026-04-10T00:00Z'], ['2026-09-25T00:00Z', '2026-11-05T00:00Z']]) {
          let previous = at(from);
          for (let next = nextCronRunMs(cron, zone, previous); next !== null && next < at(until); next = nextCronRunMs(cron, zone, next)) {
            const where = `${expression} in ${zone} at ${utc(next)}`;
            assert.ok(next > previous, `${where}: not after ${utc(previous)}`);
            const before = lastCronRunMs(cron, zone, next - 1);
            if (previous === at(from)) assert.ok(before === null || before <= previous, where);
            else assert.equal(before, previous, where);
            previous = next;
          }
        }
      }
    }
    assert.ok(Date.now() - started < 20_000);
  });

  // Matches months or years away make the search skip whole segments (see zoned-cron.ts); the
  // local midnight of Feb 29 is in summer time south of the equator and in winter time north of it.
  const farAway: { expression: string; zone: string; after: string; expected: string }[] = [
    { expression: '0 0 29 2 *', zone: LORD_HOWE, after: '2026-03-01T00:00+11:00', expected: '2028-02-29T00:00+11:00' },
    { expression: '0 0 29 2 *', zone: 'Pacific/Auckland', after: '2026-03-01T00:00+13:00', expected: '2028-02-29T00:00+13:00' },
    { expression: '0 0 29 2 *', zone: NY, after: '2026-03-01T00:00-05:00', expected: '2028-02-29T00:00-05:00' },
    { expression: '0 0 29 2 *', zone: 'Asia/Tokyo', after: '2096-03-01T00:00+09:00', expected: '2104-02-29T00:00+09:00' },
    { expression: '0 12 1 7 *', zone: LORD_HOWE, after: '2026-08-01T00:00+10:30', expected: '2027-07-01T12:00+10:30' },
    { expression: '0 0 * 2 1#5', zone: BERLIN, after: '2017-01-01T00:00+01:00', expected: '2044-02-29T00:00+01:00' },
    { expression: '30 2 8 3 *', zone: NY, after: '2025-06-01T00:00-04:00', expected: '2026-03-08T03:00-04:00' },
  ];
  for (const c of farAway) {
    it(`finds a match far away in both directions: ${c.expression} in ${c.zone}`, () => {
      const cron = parseCron(c.expression, fail).compiled;
      const expected = at(c.expected);
      assert.equal(utc(nextCronRunMs(cron, c.zone, at(c.after)) ?? Number.NaN), utc(expected));
      assert.equal(nextCronRunMs(cron, c.zone, expected - 1000), expected);
      const next = nextCronRunMs(cron, c.zone, expected);
      assert.ok(next !== null);
      assert.equal(lastCronRunMs(cron, c.zone, next - 1000), expected);
      assert.equal(lastCronRunMs(cron, c.zone, expected), expected);
    });
  }

  it('finds the first occurrence of a repeated hour backwards when the day before has no match', () => {
    const cron = parseCron('15 * 1 11 *', fail).compiled;
    assert.equal(utc(lastCronRunMs(cron, 'America/Havana', at('2026-11-01T00:10-05:00')) ?? Number.NaN), utc(at('2026-11-01T00:15-04:00')));
  });

  it('runs a fixed daily time exactly once on every local day around the changes', () => {
    for (const zone of [NY, BERLIN, LORD_HOWE]) {
      for (const expression of ['30 2 * * *', '0 2 * * *', '30 1 * * *', '45 1 * * *']) {
        const localDate = new Intl.DateTimeFormat('en-CA', { timeZone: zone });
        const days = runs(expression, zone, at('2026-01-01T00:00Z'), 365).map((ms) => localDate.format(ms));
        assert.equal(new Set(days).size, 365, `${expression} in ${zone} ran twice on a day`);
      }
    }
  });
});
