import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { binaryUnit, elapsedMs, ellipsis, relativeTime, twoUnitDuration, wallClock } from './display';

describe('how times and sizes read', () => {
  it('writes a duration in its two largest units, days from 24 hours on', () => {
    assert.equal(twoUnitDuration(2_970), '3s');
    assert.equal(twoUnitDuration(250_000), '4m 10s');
    assert.equal(twoUnitDuration(240_000), '4m');
    assert.equal(twoUnitDuration(7_200_000), '2h');
    assert.equal(twoUnitDuration(47 * 3_600_000), '1d 23h');
    assert.equal(twoUnitDuration(3 * 86_400_000 + 4 * 3_600_000 + 59_000), '3d 4h');
  });

  it('says how far an instant is from now, either way, and what it is told for none', () => {
    const now = Date.parse('2026-03-08T12:00:00Z');
    assert.equal(relativeTime('2026-03-08T12:04:10Z', now, '-'), 'in 4m 10s');
    assert.equal(relativeTime('2026-03-08T09:58:00Z', now, '-'), '2h 2m ago');
    assert.equal(relativeTime('2026-03-08T11:59:59.400Z', now, '-'), 'now');
    assert.equal(relativeTime(null, now, '–'), '–');
  });

  it('measures how long something ran, up to now while it runs, and nothing before it started', () => {
    const now = Date.parse('2026-03-08T12:00:00Z');
    assert.equal(elapsedMs('2026-03-08T11:59:00Z', '2026-03-08T11:59:30.5Z', now), 30_500);
    assert.equal(elapsedMs('2026-03-08T11:59:00Z', null, now), 60_000);
    assert.equal(elapsedMs(null, null, now), null);
  });

  it('puts a byte count in the largest binary unit it reaches', () => {
    assert.deepEqual(binaryUnit(0), { value: 0, unit: 'B' });
    assert.deepEqual(binaryUnit(1023), { value: 1023, unit: 'B' });
    assert.deepEqual(binaryUnit(1536), { value: 1.5, unit: 'KiB' });
    assert.deepEqual(binaryUnit(5 * 1024 ** 5), { value: 5120, unit: 'TiB' });
  });

  it("shows an instant on a zone's wall clock, with the zone's name when asked, and the ISO text for an unknown zone", () => {
    assert.equal(wallClock('2026-11-22T13:05:00Z', 'Europe/Berlin'), 'Sun 2026-11-22 14:05:00');
    assert.match(wallClock('2026-11-22T13:05:00Z', 'Europe/Berlin', true), /^Sun 2026-11-22 14:05:00 (CET|GMT\+1)$/);
    assert.equal(wallClock('2026-11-22T13:05:00Z', 'Mars/Olympus'), '2026-11-22T13:05:00Z');
  });

  it('cuts a text to its length with an ellipsis, and leaves a short one alone', () => {
    assert.equal(ellipsis('abcdef', 6), 'abcdef');
    assert.equal(ellipsis('abcdefg', 6), 'abcde…');
  });
});
