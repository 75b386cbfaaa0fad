import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CronExpressionParser } from 'cron-parser';
import { parseCron } from './cron-expression';
import { nextCronRunMs } from './zoned-cron';
import { mulberry32 } from '../../../test/support/seeded-random';
import { at } from '../../../test/support/time';

const fail = (detail: string): never => {
  throw new Error(detail);
};
/** The next `count` fire times in UTC, as ISO strings. */
const runs = (expression: string, fromIso: string, count: number): string[] => {
  const cron = parseCron(expression, fail).compiled;
  const out: string[] = [];
  for (let after = at(fromIso); out.length < count; ) {
    const next = nextCronRunMs(cron, 'UTC', after);
    assert.ok(next !== null && next > after, `${expression}: no progress after ${new Date(after).toISOString()}`);
    out.push(new Date(next).toISOString().replace('.000Z', 'Z'));
    after = next;
  }
  return out;
};

// Worked out from the calendar: 2026-01-01 is a Thursday, 2026-02-01 and 2026-03-01 Sundays, so
// Fridays of January 2026 are 2, 9, 16, 23, 30 and February 13 is a Friday; 2100 is no leap year.
const cases: { name: string; expression: string; from: string; expected: string[] }[] = [
  {
    name: 'both day fields restricted: fires on every 13th and on every Friday',
    expression: '0 0 13 * FRI', from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-02T00:00:00Z', '2026-01-09T00:00:00Z', '2026-01-13T00:00:00Z', '2026-01-16T00:00:00Z',
      '2026-01-23T00:00:00Z', '2026-01-30T00:00:00Z', '2026-02-06T00:00:00Z', '2026-02-13T00:00:00Z'],
  },
  { name: 'day-of-week * leaves day-of-month alone', expression: '0 0 13 * *', from: '2026-01-01T00:00:00Z', expected: ['2026-01-13T00:00:00Z', '2026-02-13T00:00:00Z'] },
  { name: 'day-of-month ? leaves day-of-week alone', expression: '0 0 ? * FRI', from: '2026-01-01T00:00:00Z', expected: ['2026-01-02T00:00:00Z', '2026-01-09T00:00:00Z'] },
  { name: 'a day-of-month step counts as restricted (OR with day-of-week)', expression: '0 0 */10 * MON', from: '2026-01-01T00:00:00Z', expected: ['2026-01-05T00:00:00Z', '2026-01-11T00:00:00Z', '2026-01-12T00:00:00Z', '2026-01-19T00:00:00Z', '2026-01-21T00:00:00Z'] },
  { name: '7 is Sunday', expression: '0 0 * * 7', from: '2026-01-01T00:00:00Z', expected: ['2026-01-04T00:00:00Z', '2026-01-11T00:00:00Z'] },
  { name: 'a weekday range may end at 7', expression: '0 0 * * 5-7', from: '2026-01-01T00:00:00Z', expected: ['2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z', '2026-01-04T00:00:00Z', '2026-01-09T00:00:00Z'] },
  { name: 'weekday names in a list, any case', expression: '0 0 * * sun,Sat', from: '2026-01-01T00:00:00Z', expected: ['2026-01-03T00:00:00Z', '2026-01-04T00:00:00Z', '2026-01-10T00:00:00Z'] },
  { name: 'a month-name range with a step', expression: '0 12 * JAN-MAR/2 *', from: '2026-01-31T13:00:00Z', expected: ['2026-03-01T12:00:00Z', '2026-03-02T12:00:00Z'] },
  { name: 'lists of minutes with an hour range step', expression: '15,45 9-17/4 * * *', from: '2026-01-01T10:00:00Z', expected: ['2026-01-01T13:15:00Z', '2026-01-01T13:45:00Z', '2026-01-01T17:15:00Z', '2026-01-01T17:45:00Z', '2026-01-02T09:15:00Z'] },
  { name: 'a/n runs from a to the end of the range', expression: '5/20 * * * *', from: '2026-01-01T00:00:00Z', expected: ['2026-01-01T00:05:00Z', '2026-01-01T00:25:00Z', '2026-01-01T00:45:00Z', '2026-01-01T01:05:00Z'] },
  { name: 'a step over the hour wraps at the day', expression: '0 */7 * * *', from: '2026-01-01T20:00:00Z', expected: ['2026-01-01T21:00:00Z', '2026-01-02T00:00:00Z', '2026-01-02T07:00:00Z'] },
  { name: '6 fields: seconds lead', expression: '*/20 30 9 * * *', from: '2026-01-01T09:30:00Z', expected: ['2026-01-01T09:30:20Z', '2026-01-01T09:30:40Z', '2026-01-02T09:30:00Z'] },
  { name: '6 fields: once a year', expression: '0 0 0 1 1 *', from: '2026-01-01T00:00:00Z', expected: ['2027-01-01T00:00:00Z', '2028-01-01T00:00:00Z'] },
  { name: '31st skips the short months', expression: '0 0 31 * *', from: '2026-01-31T00:00:00Z', expected: ['2026-03-31T00:00:00Z', '2026-05-31T00:00:00Z', '2026-07-31T00:00:00Z', '2026-08-31T00:00:00Z'] },
  { name: 'Feb 29 waits for the next leap year', expression: '0 0 29 2 *', from: '2026-03-01T00:00:00Z', expected: ['2028-02-29T00:00:00Z', '2032-02-29T00:00:00Z'] },
  { name: 'Feb 29 across 2100, which is no leap year (8 years)', expression: '0 0 29 2 *', from: '2096-03-01T00:00:00Z', expected: ['2104-02-29T00:00:00Z'] },
  { name: 'L is the last day of each month', expression: '0 0 L * *', from: '2026-01-01T00:00:00Z', expected: ['2026-01-31T00:00:00Z', '2026-02-28T00:00:00Z', '2026-03-31T00:00:00Z', '2026-04-30T00:00:00Z'] },
  { name: 'L in February of a leap year is the 29th', expression: '0 0 L 2 *', from: '2027-03-01T00:00:00Z', expected: ['2028-02-29T00:00:00Z'] },
  { name: '5L is the last Friday', expression: '0 0 * * 5L', from: '2026-01-01T00:00:00Z', expected: ['2026-01-30T00:00:00Z', '2026-02-27T00:00:00Z', '2026-03-27T00:00:00Z'] },
  { name: '1#2 is the second Monday', expression: '0 0 * * 1#2', from: '2026-01-01T00:00:00Z', expected: ['2026-01-12T00:00:00Z', '2026-02-09T00:00:00Z', '2026-03-09T00:00:00Z'] },
  { name: 'a list of # items: first and third Monday', expression: '0 0 * * MON#1,MON#3', from: '2026-01-01T00:00:00Z', expected: ['2026-01-05T00:00:00Z', '2026-01-19T00:00:00Z', '2026-02-02T00:00:00Z', '2026-02-16T00:00:00Z'] },
  // Feb 1 is a Monday in 2044, 2072 and 2112 (2100 is not a leap year, so the 28-year cycle breaks).
  { name: 'a fifth Monday of February is decades apart', expression: '0 0 * 2 1#5', from: '2017-01-01T00:00:00Z', expected: ['2044-02-29T00:00:00Z', '2072-02-29T00:00:00Z', '2112-02-29T00:00:00Z'] },
];

describe('cron fields', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(runs(c.expression, c.from, c.expected.length), c.expected);
    });
  }

  it('accepts a day-of-month that some listed month lacks when day-of-week can still match (OR)', () => {
    assert.deepEqual(runs('0 0 30 2 MON', '2026-02-01T00:00:00Z', 2), ['2026-02-02T00:00:00Z', '2026-02-09T00:00:00Z']);
  });

  it('marks only an hour field that allows all 24 hours as following real time', () => {
    const everyHour = (e: string): boolean => parseCron(e, fail).compiled.everyHour;
    assert.deepEqual(['0 * * * *', '*/15 * * * *', '0 0-23 * * *', '0 */1 * * *', '0 0 */2 * * *', '30 2 * * *', '* 0-22 * * *'].map(everyHour),
      [true, true, true, true, false, false, false]);
  });

  it('normalises whitespace and reports 6 fields as having seconds', () => {
    const parsed = parseCron('  0   9 * *\tMON-FRI ', fail);
    assert.equal(parsed.expression, '0 9 * * MON-FRI');
    assert.equal(parsed.withSeconds, false);
    assert.equal(parseCron('0 0 9 * * *', fail).withSeconds, true);
  });
});

function randomField(rand: () => number, min: number, max: number, names?: readonly string[]): string {
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const value = (v: number): string => (names && rand() < 0.3 ? names[v - min] : String(v));
  const r = rand();
  if (r < 0.3) return '*';
  if (r < 0.45) return value(int(min, max));
  if (r < 0.6) {
    const lo = int(min, max);
    return `${value(lo)}-${value(int(lo, max))}`;
  }
  if (r < 0.72) return `*/${int(1, Math.min(max - min + 1, 15))}`;
  if (r < 0.84) {
    const lo = int(min, max);
    return `${lo}-${int(lo, max)}/${int(1, 6)}`;
  }
  // Distinct values: cron-parser refuses duplicates such as `6,JUN`, which we accept.
  return [...new Set([int(min, max), int(min, max), int(min, max)])].map(value).join(',');
}

describe('cross-check against cron-parser in UTC (where it is right)', () => {
  it('agrees on 3 successive fire times for 300 random expressions from 4 start times each', () => {
    const rand = mulberry32(20_260_101);
    const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
    const days = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
    let compared = 0;
    for (let i = 0; i < 300; i++) {
      const fields = [
        randomField(rand, 0, 59), randomField(rand, 0, 23), randomField(rand, 1, 31),
        randomField(rand, 1, 12, months), randomField(rand, 0, 6, days),
      ];
      if (rand() < 0.3) fields.unshift(randomField(rand, 0, 59));
      const expression = fields.join(' ');
      let cron;
      try {
        cron = parseCron(expression, fail).compiled;
      } catch (e) {
        assert.match(String(e), /never fires/, expression);
        continue;
      }
      for (let j = 0; j < 4; j++) {
        const startMs = Date.UTC(2020, 0, 1) + Math.floor(rand() * 15 * 365 * 86_400) * 1000;
        const theirs = CronExpressionParser.parse(expression, { currentDate: startMs, tz: 'UTC' });
        let after = startMs;
        for (let k = 0; k < 3; k++) {
          const expected = theirs.next().getTime();
          const actual = nextCronRunMs(cron, 'UTC', after);
          assert.equal(actual === null ? null : new Date(actual).toISOString(), new Date(expected).toISOString(),
            `'${expression}' after ${new Date(after).toISOString()}`);
          after = expected;
          compared++;
        }
      }
    }
    assert.ok(compared > 3000, `only ${compared} comparisons`);
  });
});
