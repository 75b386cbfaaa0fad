import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidScheduleError, jitterMs, lastRunAtMs, nextRunAtMs, parseSchedule, previewRunsMs, type Schedule, type ScheduleInput, scheduleToString,
} from './schedule';
import { at } from '../../../test/support/time';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

// Expected times are worked out by hand from the calendar (2026-01-01 is a Thursday; New York is
// UTC-5 in winter and UTC-4 in summer), not copied from cron-parser's output.
const nextRunCases: { name: string; expression: string; timezone?: string; after: string; anchor?: string; expected: string }[] = [
  { name: 'every minute fires at second 0 of the next minute', expression: '* * * * *', after: '2026-01-01T00:00:30.500Z', expected: '2026-01-01T00:01:00.000Z' },
  { name: 'every minute skips the minute it is exactly on', expression: '* * * * *', after: '2026-01-01T00:01:00.000Z', expected: '2026-01-01T00:02:00.000Z' },
  { name: 'every 5 minutes rounds up to the next multiple', expression: '*/5 * * * *', after: '2026-01-01T10:07:00.000Z', expected: '2026-01-01T10:10:00.000Z' },
  { name: 'every 5 minutes from a fire time gives the next one', expression: '*/5 * * * *', after: '2026-01-01T10:10:00.000Z', expected: '2026-01-01T10:15:00.000Z' },
  { name: 'every 5 minutes crosses midnight', expression: '*/5 * * * *', after: '2026-01-01T23:58:00.000Z', expected: '2026-01-02T00:00:00.000Z' },
  { name: 'weekdays at 9 fire on Friday before 9', expression: '0 9 * * MON-FRI', after: '2026-01-02T08:59:59.000Z', expected: '2026-01-02T09:00:00.000Z' },
  { name: 'weekdays at 9 skip the weekend after Friday 9:00', expression: '0 9 * * MON-FRI', after: '2026-01-02T09:00:00.000Z', expected: '2026-01-05T09:00:00.000Z' },
  { name: 'weekdays at 9 from Saturday noon go to Monday', expression: '0 9 * * MON-FRI', after: '2026-01-03T12:00:00.000Z', expected: '2026-01-05T09:00:00.000Z' },
  { name: '6 fields: every 10 seconds', expression: '*/10 * * * * *', after: '2026-01-01T00:00:05.000Z', expected: '2026-01-01T00:00:10.000Z' },
  { name: '6 fields: every 10 seconds from a fire time', expression: '*/10 * * * * *', after: '2026-01-01T00:00:10.000Z', expected: '2026-01-01T00:00:20.000Z' },
  { name: '6 fields: every 10 seconds into the next minute', expression: '*/10 * * * * *', after: '2026-01-01T00:00:55.250Z', expected: '2026-01-01T00:01:00.000Z' },
  { name: 'Feb 29 waits for the next leap year', expression: '0 0 29 2 *', after: '2026-03-01T00:00:00.000Z', expected: '2028-02-29T00:00:00.000Z' },
  { name: 'New York 9:00 is 13:00Z in summer (EDT)', expression: '0 9 * * *', timezone: 'America/New_York', after: '2026-07-01T00:00:00.000Z', expected: '2026-07-01T13:00:00.000Z' },
  { name: 'New York 9:00 is 14:00Z in winter (EST)', expression: '0 9 * * *', timezone: 'America/New_York', after: '2026-01-15T00:00:00.000Z', expected: '2026-01-15T14:00:00.000Z' },
  { name: '@every 30s from the anchor itself is one interval later', expression: '@every 30s', anchor: '2026-01-01T00:00:07.000Z', after: '2026-01-01T00:00:07.000Z', expected: '2026-01-01T00:00:37.000Z' },
  { name: '@every 30s exactly on a grid point gives the next point', expression: '@every 30s', anchor: '2026-01-01T00:00:07.000Z', after: '2026-01-01T00:00:37.000Z', expected: '2026-01-01T00:01:07.000Z' },
  { name: '@every 30s between grid points stays on the grid', expression: '@every 30s', anchor: '2026-01-01T00:00:07.000Z', after: '2026-01-01T00:00:50.000Z', expected: '2026-01-01T00:01:07.000Z' },
  { name: '@every 30s after a long outage stays on the grid', expression: '@every 30s', anchor: '2026-01-01T00:00:07.000Z', after: '2026-01-03T05:17:41.000Z', expected: '2026-01-03T05:18:07.000Z' },
  { name: '@every 30s before the anchor counts back along the grid', expression: '@every 30s', anchor: '2026-01-01T00:00:07.000Z', after: '2025-12-31T23:59:50.000Z', expected: '2026-01-01T00:00:07.000Z' },
  // 1h30m = 5,400,000 ms and 1,767,225,600,000 = 327,264 x 5,400,000: midnight is on the epoch grid.
  { name: '@every 1h30m with the default epoch anchor', expression: '@every 1h30m', after: '2026-01-01T00:00:00.000Z', expected: '2026-01-01T01:30:00.000Z' },
];

describe('nextRunAtMs', () => {
  for (const c of nextRunCases) {
    it(c.name, () => {
      const schedule = parseSchedule(c.expression, c.timezone);
      const anchor = c.anchor === undefined ? undefined : at(c.anchor);
      assert.equal(iso(nextRunAtMs(schedule, at(c.after), anchor)), c.expected);
    });
  }

  it('runs the skipped 02:30 once at 03:00 CEST across the Berlin spring-forward gap (2026-03-29)', () => {
    // 02:30 does not exist in Berlin on 2026-03-29 (02:00 CET -> 03:00 CEST at 01:00Z): it runs once
    // when the gap ends. cron-parser 5.10 ran it at 03:30 CEST. More DST cases: zoned-cron.spec.ts.
    const schedule = parseSchedule('30 2 * * *', 'Europe/Berlin');
    assert.deepEqual(previewRunsMs(schedule, at('2026-03-27T12:00:00.000Z'), 3).map(iso), [
      '2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('returns null without hanging for a hand-built cron that can never fire', () => {
    const schedule: Schedule = { kind: 'cron', expression: '0 0 30 2 *', withSeconds: false, timezone: 'UTC' };
    const started = Date.now();
    assert.equal(nextRunAtMs(schedule, at('2026-01-01T00:00:00Z')), null);
    assert.ok(Date.now() - started < 1000);
  });

  it('returns null for a hand-built cron in an unknown zone', () => {
    assert.equal(nextRunAtMs({ kind: 'cron', expression: '* * * * *', withSeconds: false, timezone: 'Mars/Base' }, 0), null);
  });

  it('runs @at once: the instant while it is ahead, then null', () => {
    const schedule = parseSchedule('@at 2026-12-01T10:00:00Z');
    assert.equal(iso(nextRunAtMs(schedule, at('2026-11-30T00:00:00Z'))), '2026-12-01T10:00:00.000Z');
    assert.equal(nextRunAtMs(schedule, at('2026-12-01T10:00:00Z')), null);
    assert.equal(nextRunAtMs(schedule, at('2027-01-01T00:00:00Z')), null);
  });

  it('returns null for a hand-built interval of zero', () => {
    assert.equal(nextRunAtMs({ kind: 'every', intervalMs: 0, timezone: 'UTC' }, 0), null);
  });

  it('rejects a non-finite current time', () => {
    assert.throws(() => nextRunAtMs(parseSchedule('* * * * *'), Number.NaN), RangeError);
  });
});

describe('parseSchedule', () => {
  it('reads a 5-field cron, trimming and collapsing whitespace', () => {
    assert.deepEqual(parseSchedule('  */5   9-17 * *\tMON-FRI '), {
      kind: 'cron', expression: '*/5 9-17 * * MON-FRI', withSeconds: false, timezone: 'UTC',
    });
  });

  it('reads a 6-field cron as having leading seconds', () => {
    assert.deepEqual(parseSchedule('*/10 * * * * *', 'Europe/Berlin'), {
      kind: 'cron', expression: '*/10 * * * * *', withSeconds: true, timezone: 'Europe/Berlin',
    });
  });

  const durations: [string, number][] = [
    ['@every 30s', 30_000], ['@every 5m', 300_000], ['@every 2h', 7_200_000],
    ['@every 1h30m', 5_400_000], ['@every 1h0m5s', 3_605_000], ['@every 1s', 1_000],
  ];
  for (const [text, intervalMs] of durations) {
    it(`reads '${text}' as ${intervalMs} ms`, () => {
      assert.deepEqual(parseSchedule(text), { kind: 'every', intervalMs, timezone: 'UTC' });
    });
  }

  const descriptors: [string, string][] = [
    ['@yearly', '0 0 1 1 *'], ['@annually', '0 0 1 1 *'], ['@monthly', '0 0 1 * *'], ['@weekly', '0 0 * * 0'],
    ['@daily', '0 0 * * *'], ['@midnight', '0 0 * * *'], ['@hourly', '0 * * * *'], ['@DAILY', '0 0 * * *'],
  ];
  for (const [text, expression] of descriptors) {
    it(`reads '${text}' as '${expression}'`, () => {
      assert.deepEqual(parseSchedule(text, 'Europe/Berlin'), { kind: 'cron', expression, withSeconds: false, timezone: 'Europe/Berlin' });
    });
  }

  const instants: [string, string][] = [
    ['@at 2026-12-01T10:00:00Z', '2026-12-01T10:00:00.000Z'],
    ['@at 2026-12-01T12:00:00+02:00', '2026-12-01T10:00:00.000Z'],
    ['@at 2026-12-01T05:30-04:30', '2026-12-01T10:00:00.000Z'],
    ['@at 2026-12-01t10:00:00.25z', '2026-12-01T10:00:00.250Z'],
    ['@at 2020-01-01T00:00:00Z', '2020-01-01T00:00:00.000Z'],
  ];
  for (const [text, expected] of instants) {
    it(`reads '${text}' as a one-shot at ${expected} (a past instant is not an error)`, () => {
      const schedule = parseSchedule(text);
      assert.equal(schedule.kind, 'at');
      assert.equal(schedule.kind === 'at' ? iso(schedule.atMs) : null, expected);
    });
  }

  const objects: [ScheduleInput, Schedule][] = [
    [{ type: 'duration', schedule: '30s' }, { kind: 'every', intervalMs: 30_000, timezone: 'UTC' }],
    [{ type: 'duration', schedule: ' 1d ' }, { kind: 'every', intervalMs: 86_400_000, timezone: 'UTC' }],
    [{ type: 'daily', schedule: '02:00' }, { kind: 'cron', expression: '0 2 * * *', withSeconds: false, timezone: 'UTC' }],
    [{ type: 'daily', schedule: '7:05' }, { kind: 'cron', expression: '5 7 * * *', withSeconds: false, timezone: 'UTC' }],
    [{ type: 'daily', schedule: '23:59:30' }, { kind: 'cron', expression: '30 59 23 * * *', withSeconds: true, timezone: 'UTC' }],
    [{ type: 'cron', schedule: '*/5  * * * *' }, { kind: 'cron', expression: '*/5 * * * *', withSeconds: false, timezone: 'UTC' }],
    [{ type: 'cron', schedule: '@hourly' }, { kind: 'cron', expression: '0 * * * *', withSeconds: false, timezone: 'UTC' }],
  ];
  for (const [input, expected] of objects) {
    it(`reads the config form ${JSON.stringify(input)}`, () => {
      assert.deepEqual(parseSchedule(input), expected);
    });
  }

  it('runs a daily config time in the zone, with the DST rule for a skipped time', () => {
    const schedule = parseSchedule({ type: 'daily', schedule: '02:30' }, 'America/New_York');
    assert.deepEqual(previewRunsMs(schedule, at('2026-03-07T00:00:00Z'), 3).map(iso), [
      '2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z',
    ]);
  });

  it('accepts names, ?, lists, L and # the way cron-parser does', () => {
    for (const text of ['0 0 * jan-Mar mon', '? ? ? ? ?', '0,30 8-18/2 1,15 * *', '0 0 L * *', '0 0 * * 5L', '0 0 * * 1#2', '0 0 * * 7', '0 0 30,31 2,4 *']) {
      assert.equal(parseSchedule(text).kind, 'cron', text);
    }
  });

  const errors: { input: string; timezone?: string; field: 'schedule' | 'timezone'; message: string }[] = [
    { input: '61 * * * *', field: 'schedule', message: "schedule '61 * * * *': minute 61 is out of range 0-59" },
    { input: '0 24 * * *', field: 'schedule', message: "schedule '0 24 * * *': hour 24 is out of range 0-23" },
    { input: '0 0 0 * *', field: 'schedule', message: "schedule '0 0 0 * *': day-of-month 0 is out of range 1-31" },
    { input: '0 0 * 13 *', field: 'schedule', message: "schedule '0 0 * 13 *': month 13 is out of range 1-12" },
    { input: '0 0 * * 8', field: 'schedule', message: "schedule '0 0 * * 8': day-of-week 8 is out of range 0-7" },
    { input: '60 * * * * *', field: 'schedule', message: "schedule '60 * * * * *': second 60 is out of range 0-59" },
    { input: '* * *', field: 'schedule', message: "schedule '* * *': expected 5 fields (minute hour day-of-month month day-of-week) or 6 with leading seconds, got 3" },
    { input: '0 0 1 1 * * *', field: 'schedule', message: "schedule '0 0 1 1 * * *': expected 5 fields (minute hour day-of-month month day-of-week) or 6 with leading seconds, got 7" },
    { input: '0 0 * * *', timezone: 'Mars/Base', field: 'timezone', message: "timezone 'Mars/Base': not a known IANA time zone (e.g. 'UTC', 'Europe/Berlin')" },
    { input: '@every 500ms', field: 'schedule', message: "schedule '@every 500ms': interval must be at least 1s" },
    { input: '@every 0s', field: 'schedule', message: "schedule '@every 0s': interval must be at least 1s" },
    { input: '@every 1s500ms', field: 'schedule', message: "schedule '@every 1s500ms': interval must be whole seconds (units d, h, m, s)" },
    { input: '@every banana', field: 'schedule', message: "schedule '@every banana': 'banana' is not a duration; expected e.g. 30s, 5m, 1h30m (units d, h, m, s)" },
    { input: '@every 30', field: 'schedule', message: "schedule '@every 30': '30' is not a duration; expected e.g. 30s, 5m, 1h30m (units d, h, m, s)" },
    { input: '@every', field: 'schedule', message: "schedule '@every': missing duration; expected e.g. @every 30s, @every 5m, @every 1h30m" },
    { input: '@fortnightly', field: 'schedule', message: "schedule '@fortnightly': unknown macro '@fortnightly'; use @yearly, @monthly, @weekly, @daily, @hourly, @every <duration>, @at <ISO-8601 instant> or a 5- or 6-field cron expression" },
    { input: '@daily at 5', field: 'schedule', message: "schedule '@daily at 5': @daily takes nothing after it" },
    { input: '@at', field: 'schedule', message: "schedule '@at': missing instant; expected e.g. @at 2026-12-01T10:00:00Z" },
    { input: '@at tomorrow', field: 'schedule', message: "schedule '@at tomorrow': 'tomorrow' is not an ISO-8601 instant; expected e.g. 2026-12-01T10:00:00Z or 2026-12-01T12:00:00+02:00" },
    { input: '@at 2026-12-01T10:00:00', field: 'schedule', message: "schedule '@at 2026-12-01T10:00:00': '2026-12-01T10:00:00' has no UTC offset; add Z or an offset such as +02:00" },
    { input: '@at 2026-02-29T10:00:00Z', field: 'schedule', message: "schedule '@at 2026-02-29T10:00:00Z': '2026-02-29T10:00:00Z' is not a valid date and time" },
    { input: '@at 2026-12-01T24:00:00Z', field: 'schedule', message: "schedule '@at 2026-12-01T24:00:00Z': '2026-12-01T24:00:00Z' is not a valid date and time" },
    { input: '@at 2026-12-01T10:00:00+25:00', field: 'schedule', message: "schedule '@at 2026-12-01T10:00:00+25:00': '2026-12-01T10:00:00+25:00' is not a valid date and time" },
    { input: '0 0 L-2 * *', field: 'schedule', message: "schedule '0 0 L-2 * *': day-of-month 'L' is not a number" },
    { input: '0 0 31 2,4 ?', field: 'schedule', message: "schedule '0 0 31 2,4 ?': never fires: day-of-month 31 does not occur in any of the months 2,4" },
    { input: '0 0 * * *', timezone: '', field: 'timezone', message: "timezone '': not a known IANA time zone (e.g. 'UTC', 'Europe/Berlin')" },
    { input: '0 0 30 2 *', field: 'schedule', message: "schedule '0 0 30 2 *': never fires: day-of-month 30 does not occur in month 2" },
    { input: '0 0 31 4,6,9,11 *', field: 'schedule', message: "schedule '0 0 31 4,6,9,11 *': never fires: day-of-month 31 does not occur in any of the months 4,6,9,11" },
    { input: '   ', field: 'schedule', message: `schedule '': is empty; expected a cron expression such as "*/5 * * * *" or "@every 30s"` },
    { input: '*/0 * * * *', field: 'schedule', message: "schedule '*/0 * * * *': minute step '0' must be a number from 1 to 60" },
    { input: '*/90 * * * *', field: 'schedule', message: "schedule '*/90 * * * *': minute step '90' must be a number from 1 to 60" },
    { input: '50-10 * * * *', field: 'schedule', message: "schedule '50-10 * * * *': minute range 50-10 runs backwards (50 > 10)" },
    { input: '0 9 * * MON-SUN', field: 'schedule', message: "schedule '0 9 * * MON-SUN': day-of-week range MON-SUN runs backwards (1 > 0); use 7 for Sunday at the end of a range" },
    { input: '0 0 * FOO *', field: 'schedule', message: "schedule '0 0 * FOO *': month 'FOO' is not a number or a name JAN-DEC" },
    { input: 'H * * * *', field: 'schedule', message: "schedule 'H * * * *': minute 'H' is not a number" },
    { input: '1,,2 * * * *', field: 'schedule', message: "schedule '1,,2 * * * *': minute '1,,2' has an empty list item" },
    { input: '0 0 * * 1#6', field: 'schedule', message: "schedule '0 0 * * 1#6': day-of-week '1#6': occurrence after '#' must be 1-5" },
  ];
  for (const e of errors) {
    it(`rejects '${e.input}'${e.timezone ? ` in ${e.timezone}` : ''} naming the ${e.field} and the problem`, () => {
      assert.throws(
        () => parseSchedule(e.input, e.timezone),
        (err: unknown) => {
          assert.ok(err instanceof InvalidScheduleError);
          assert.equal(err.code, 'InvalidSchedule');
          assert.equal(err.field, e.field);
          assert.equal(err.message, e.message);
          return true;
        },
      );
    });
  }

  const objectErrors: { input: ScheduleInput; message: string }[] = [
    { input: { type: 'duration', schedule: '0s' }, message: "schedule '0s' (type duration): interval must be at least 1s" },
    { input: { type: 'duration', schedule: '@every 5m' }, message: "schedule '@every 5m' (type duration): '@every 5m' is not a duration; expected e.g. 30s, 5m, 1h30m (units d, h, m, s)" },
    { input: { type: 'daily', schedule: '25:00' }, message: "schedule '25:00' (type daily): hour 25 is out of range 0-23" },
    { input: { type: 'daily', schedule: '02:60' }, message: "schedule '02:60' (type daily): minute 60 is out of range 0-59" },
    { input: { type: 'daily', schedule: '2pm' }, message: "schedule '2pm' (type daily): '2pm' is not a time of day; expected HH:MM or HH:MM:SS, e.g. 02:00" },
    { input: { type: 'daily', schedule: '  ' }, message: "schedule '' (type daily): is empty" },
    { input: { type: 'cron', schedule: '61 * * * *' }, message: "schedule '61 * * * *' (type cron): minute 61 is out of range 0-59" },
    { input: { type: 'cron', schedule: '@every 5m' }, message: "schedule '@every 5m' (type cron): type 'cron' takes a cron expression or descriptor; use type 'duration' for intervals" },
    { input: { type: 'weekly', schedule: 'MON' } as unknown as ScheduleInput, message: "schedule must be a string or { type: 'duration' | 'daily' | 'cron', schedule: string }" },
    { input: null as unknown as ScheduleInput, message: "schedule must be a string or { type: 'duration' | 'daily' | 'cron', schedule: string }" },
  ];
  for (const e of objectErrors) {
    it(`rejects the config form ${JSON.stringify(e.input)} naming the problem`, () => {
      assert.throws(() => parseSchedule(e.input), (err: unknown) => {
        assert.ok(err instanceof InvalidScheduleError);
        assert.equal(err.field, 'schedule');
        assert.equal(err.message, e.message);
        return true;
      });
    });
  }

  it('refuses input longer than the 255-character column', () => {
    assert.throws(() => parseSchedule(`0 0 * * ${'1,'.repeat(125)}1`), /is longer than 255 characters/);
    assert.equal(parseSchedule(`0 0 * * ${'1,'.repeat(123)}1`).kind, 'cron');
  });

  it('cuts a very long input short in the message', () => {
    assert.throws(() => parseSchedule('1'.repeat(300)), (err: unknown) => err instanceof Error && err.message.length < 200);
  });
});

describe('scheduleToString', () => {
  const cases: [ScheduleInput, string][] = [
    ['  */5   9-17 * *\tMON-FRI ', '*/5 9-17 * * MON-FRI'],
    ['@daily', '@daily'],
    ['@every  1h30m', '@every 1h30m'],
    ['@at 2026-12-01T12:00:00+02:00', '@at 2026-12-01T12:00:00+02:00'],
    [{ type: 'duration', schedule: '30s' }, '@every 30s'],
    [{ type: 'daily', schedule: '02:00' }, '0 2 * * *'],
    [{ type: 'daily', schedule: '02:00:30' }, '30 0 2 * * *'],
    [{ type: 'cron', schedule: ' 0  9 * * 1 ' }, '0 9 * * 1'],
  ];
  for (const [input, expected] of cases) {
    it(`stores ${JSON.stringify(input)} as '${expected}', which parses to the same schedule`, () => {
      const text = scheduleToString(input);
      assert.equal(text, expected);
      assert.ok(text.length <= 255);
      assert.deepEqual(parseSchedule(text, 'Australia/Lord_Howe'), parseSchedule(input, 'Australia/Lord_Howe'));
    });
  }

  it('refuses what parseSchedule refuses', () => {
    assert.throws(() => scheduleToString({ type: 'daily', schedule: '24:00' }), InvalidScheduleError);
    assert.throws(() => scheduleToString('0 0 30 2 *'), InvalidScheduleError);
  });
});

describe('previewRunsMs', () => {
  it('lists the next fire times strictly after the start', () => {
    assert.deepEqual(previewRunsMs(parseSchedule('0 9 * * MON-FRI'), at('2026-01-02T09:00:00Z'), 3).map(iso), [
      '2026-01-05T09:00:00.000Z', '2026-01-06T09:00:00.000Z', '2026-01-07T09:00:00.000Z',
    ]);
  });

  it('uses the anchor of @every schedules', () => {
    assert.deepEqual(previewRunsMs(parseSchedule('@every 1m'), at('2026-01-01T00:00:00Z'), 2, at('2025-12-31T23:00:10Z')).map(iso), [
      '2026-01-01T00:00:10.000Z', '2026-01-01T00:01:10.000Z',
    ]);
  });

  it('gives up to 100 times, fewer when the schedule ends, none for 0', () => {
    assert.equal(previewRunsMs(parseSchedule('* * * * * *'), 0, 100).length, 100);
    assert.deepEqual(previewRunsMs(parseSchedule('@at 2026-12-01T10:00:00Z'), at('2026-01-01T00:00:00Z'), 5).map(iso), ['2026-12-01T10:00:00.000Z']);
    assert.deepEqual(previewRunsMs(parseSchedule('* * * * *'), 0, 0), []);
  });

  it('refuses more than 100 or a count that is not whole', () => {
    for (const count of [101, -1, 2.5, Number.NaN]) assert.throws(() => previewRunsMs(parseSchedule('* * * * *'), 0, count), RangeError);
  });
});

describe('lastRunAtMs', () => {
  const cases: { schedule: string; timezone?: string; atOrBefore: string; anchor?: string; expected: string | null }[] = [
    { schedule: '*/5 * * * *', atOrBefore: '2026-01-01T10:07:00Z', expected: '2026-01-01T10:05:00.000Z' },
    { schedule: '*/5 * * * *', atOrBefore: '2026-01-01T10:05:00Z', expected: '2026-01-01T10:05:00.000Z' },
    { schedule: '0 9 * * MON-FRI', atOrBefore: '2026-01-05T08:00:00Z', expected: '2026-01-02T09:00:00.000Z' },
    { schedule: '0 0 29 2 *', atOrBefore: '2026-01-01T00:00:00Z', expected: '2024-02-29T00:00:00.000Z' },
    { schedule: '30 1 * * *', timezone: 'America/New_York', atOrBefore: '2026-11-01T06:40:00Z', expected: '2026-11-01T05:30:00.000Z' },
    { schedule: '@every 30s', anchor: '2026-01-01T00:00:07Z', atOrBefore: '2026-01-01T00:01:00Z', expected: '2026-01-01T00:00:37.000Z' },
    { schedule: '@at 2026-12-01T10:00:00Z', atOrBefore: '2026-12-01T09:59:59Z', expected: null },
    { schedule: '@at 2026-12-01T10:00:00Z', atOrBefore: '2026-12-01T10:00:00Z', expected: '2026-12-01T10:00:00.000Z' },
  ];
  for (const c of cases) {
    it(`finds the last run of '${c.schedule}' at or before ${c.atOrBefore}`, () => {
      const anchor = c.anchor === undefined ? undefined : at(c.anchor);
      assert.equal(iso(lastRunAtMs(parseSchedule(c.schedule, c.timezone), at(c.atOrBefore), anchor)), c.expected);
    });
  }
});

describe('jitterMs (re-exported for the dispatcher)', () => {
  it('is deterministic and within range', () => {
    assert.equal(jitterMs(7, 10), jitterMs(7, 10));
    assert.ok(jitterMs(7, 10) < 10_000);
  });
});
