import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { civilFromDays, DAY_MS, daysFromCivil, daysInMonth, weekdayOfDays } from './civil';
import { formatInZone, isKnownTimeZone, zoneOffsets } from './time-zone';
import { at } from '../../../test/support/time';

const HOUR_MS = 3_600_000;

/** Local wall clock straight from Intl, independent of the code under test. */
function intlWall(ms: number, zone: string): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).format(ms);
}

// The 2026 transitions every DST test relies on, as Intl reports the local clock either side.
const transitions: { zone: string; at: string; before: string; after: string; offsetBefore: number; offsetAfter: number }[] = [
  { zone: 'America/New_York', at: '2026-03-08T07:00:00Z', before: '03/08/2026, 01:59:59', after: '03/08/2026, 03:00:00', offsetBefore: -5, offsetAfter: -4 },
  { zone: 'America/New_York', at: '2026-11-01T06:00:00Z', before: '11/01/2026, 01:59:59', after: '11/01/2026, 01:00:00', offsetBefore: -4, offsetAfter: -5 },
  { zone: 'Europe/Berlin', at: '2026-03-29T01:00:00Z', before: '03/29/2026, 01:59:59', after: '03/29/2026, 03:00:00', offsetBefore: 1, offsetAfter: 2 },
  { zone: 'Europe/Berlin', at: '2026-10-25T01:00:00Z', before: '10/25/2026, 02:59:59', after: '10/25/2026, 02:00:00', offsetBefore: 2, offsetAfter: 1 },
  { zone: 'Australia/Lord_Howe', at: '2026-04-04T15:00:00Z', before: '04/05/2026, 01:59:59', after: '04/05/2026, 01:30:00', offsetBefore: 11, offsetAfter: 10.5 },
  { zone: 'Australia/Lord_Howe', at: '2026-10-03T15:30:00Z', before: '10/04/2026, 01:59:59', after: '10/04/2026, 02:30:00', offsetBefore: 10.5, offsetAfter: 11 },
];

describe('time zone offsets', () => {
  for (const t of transitions) {
    it(`${t.zone} changes offset at ${t.at} (confirmed with Intl)`, () => {
      assert.equal(intlWall(at(t.at) - 1000, t.zone), t.before);
      assert.equal(intlWall(at(t.at), t.zone), t.after);
      const offsets = zoneOffsets(t.zone);
      const segment = offsets.segmentAt(at(t.at));
      assert.equal(segment.start, at(t.at));
      assert.equal(segment.offset, t.offsetAfter * HOUR_MS);
      assert.equal(segment.previousOffset, t.offsetBefore * HOUR_MS);
      const earlier = offsets.segmentAt(at(t.at) - 1);
      assert.equal(earlier.end, at(t.at));
      assert.equal(earlier.offset, t.offsetBefore * HOUR_MS);
    });
  }

  it('gives UTC one endless segment at offset 0', () => {
    const segment = zoneOffsets('UTC').segmentAt(at('2026-06-01T00:00:00Z'));
    assert.deepEqual(segment, { start: -Infinity, end: Infinity, offset: 0, previousOffset: 0 });
    assert.equal(zoneOffsets('Etc/UTC').offsetAt(0), 0);
  });

  it('cuts a zone without changes at year boundaries, with no offset jump there', () => {
    const segment = zoneOffsets('Asia/Kolkata').segmentAt(at('2026-06-01T00:00:00Z'));
    assert.equal(segment.offset, 5.5 * HOUR_MS);
    assert.equal(segment.previousOffset, segment.offset);
    assert.equal(segment.end, at('2027-01-01T00:00:00Z'));
  });

  it('finds the segment of an instant just after a year boundary', () => {
    const segment = zoneOffsets('Europe/Berlin').segmentAt(at('2027-01-01T00:00:00Z'));
    assert.equal(segment.offset, HOUR_MS);
    assert.ok(segment.start <= at('2027-01-01T00:00:00Z') && segment.end > at('2027-01-01T00:00:00Z'));
  });

  it('formats instants with the offset in force', () => {
    assert.equal(formatInZone(at('2026-10-03T15:30:00Z'), 'Australia/Lord_Howe'), '2026-10-04T02:30:00+11:00');
    assert.equal(formatInZone(at('2026-11-01T06:30:00Z'), 'America/New_York'), '2026-11-01T01:30:00-05:00');
    assert.equal(formatInZone(at('2026-01-01T00:00:00Z'), 'UTC'), '2026-01-01T00:00:00+00:00');
  });

  it('knows IANA names and aliases, and refuses others', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'US/Eastern', 'Etc/GMT+5']) {
      assert.equal(isKnownTimeZone(zone), true, zone);
    }
    for (const zone of ['', 'Mars/Base', 'Europe/Berlinn', 'not a zone']) assert.equal(isKnownTimeZone(zone), false, zone);
  });
});

describe('calendar arithmetic', () => {
  it('round-trips every day from 1896 to 2104 and agrees with Date.UTC', () => {
    for (let days = daysFromCivil(1896, 1, 1); days <= daysFromCivil(2104, 12, 31); days++) {
      const { year, month, day } = civilFromDays(days);
      assert.equal(daysFromCivil(year, month, day), days);
      const date = new Date(days * DAY_MS);
      if (date.getUTCFullYear() !== year || date.getUTCMonth() + 1 !== month || date.getUTCDate() !== day) {
        assert.fail(`day ${days}: ${year}-${month}-${day} but Date says ${date.toISOString()}`);
      }
      if (weekdayOfDays(days) !== date.getUTCDay()) assert.fail(`weekday of ${date.toISOString()}`);
    }
  });

  it('knows which Februaries have 29 days', () => {
    assert.deepEqual([1900, 2000, 2024, 2026, 2100].map((y) => daysInMonth(y, 2)), [28, 29, 29, 28, 28]);
  });
});
