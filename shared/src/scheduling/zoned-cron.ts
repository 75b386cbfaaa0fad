import { DAY_MS, floorToSecond, GREGORIAN_CYCLE_DAYS, SECOND_MS, startOfYearMs } from './civil';
import type { CompiledCron } from './cron-expression';
import { nextMatchingWall, previousMatchingWall } from './cron-walk';
import { zoneOffsets } from './time-zone';

/*
 * Cron in a time zone, across daylight-saving changes. The rules are Vixie cron's, decided per
 * expression rather than by watching the clock:
 *
 * - A "fixed-time" expression (its hour field does not allow all 24 hours, e.g. `30 2 * * *`,
 *   `0 0 *\/2 * * *`) names local wall times, and each matching wall time fires once:
 *   - a wall time skipped by spring-forward fires once, at the instant the gap ends (New York,
 *     2026-03-08, 02:00 EST -> 03:00 EDT: `30 2 * * *` fires at 03:00 EDT, not 03:30; several
 *     skipped wall times such as `0,30 2 * * *` still fire once);
 *   - a wall time repeated by fall-back fires at its first occurrence only (`30 1 * * *` on
 *     2026-11-01: 01:30 EDT, not again at 01:30 EST).
 * - A "frequent" expression (hour field allows all 24 hours, e.g. `0 * * * *`, `*\/15 * * * *`)
 *   follows the real local clock: it fires at every instant whose local time matches. During
 *   fall-back the repeated hour fires twice in local terms, but each instant once (`0 * * * *`:
 *   01:00 EDT, then 01:00 EST one real hour later); during spring-forward the skipped local times
 *   simply never show on the clock, so no real-time interval is lost (01:00 EST, then 03:00 EDT,
 *   one real hour later).
 * Vixie decides "wildcard" by a `*` in the minute or hour field; keying on "all 24 hours" keeps
 * `*\/15 2 * * *` a fixed-time job (its skipped 02:xx slots run once after the gap instead of being
 * dropped) and treats `0 *\/2 * * *` as fixed wall times. Zones with 30-minute shifts (Lord Howe) or
 * other odd offsets need no special case: everything below works on offsets, not on hours. There,
 * following the clock means `0 * * * *` is 90 real minutes apart across both changes (01:00 +11,
 * 02:00 +10:30; 01:00 +10:30, 03:00 +11) and `30 * * * *` 30 minutes apart at fall-back, while
 * `*\/30 * * * *` and finer stay evenly spaced in real time.
 *
 * How: the zone's timeline is cut into segments of constant offset (time-zone.ts). Segment k covers
 * instants [start, end) and shows wall times [start + offset, end + offset); for frequent
 * expressions those are the wall times it fires for. For fixed-time
 * expressions it owns the wall times [start + previousOffset, end + offset): a fall-back overlap
 * belongs to the earlier segment, and a spring-forward gap to the later one, whose instant for it
 * is `start`. The instant of an owned wall time W is therefore max(W - offset, start), which is
 * monotonic in W, so the search is: find the first matching wall time at or after the wall time
 * of the query in the query's segment; if it lies beyond the segment, continue with the next one.
 * When the match is days away, the segments in between are skipped (every offset is within ±24 h,
 * so no instant more than a day from a wall time can show it), which keeps a search for the next
 * Feb 29 or the fifth Monday of a February from probing every year in between.
 */

/** Earliest instant searched: a query before it starts there. */
const MIN_MS = startOfYearMs(1900);
/** Latest instant returned. */
const MAX_MS = startOfYearMs(9999);
/** A 400-year Gregorian cycle and a year: if nothing matches in it, nothing ever will. */
const SEARCH_SPAN_MS = (GREGORIAN_CYCLE_DAYS + 366) * DAY_MS;
/** Segments visited in one search; real searches need one to three. */
const MAX_STEPS = 64;
const SKIP_MARGIN_MS = 2 * DAY_MS;

/** The first instant strictly after `afterMs` at which `cron` fires in `zone`, or null if none. */
export function nextCronRunMs(cron: CompiledCron, zone: string, afterMs: number): number | null {
  if (afterMs >= MAX_MS) return null;
  const offsets = zoneOffsets(zone);
  let t = floorToSecond(Math.max(afterMs, MIN_MS - SECOND_MS)) + SECOND_MS;
  let segment = offsets.segmentAt(t);
  let limit = Infinity;
  for (let step = 0; step < MAX_STEPS; step++) {
    // This step covers the instants [t, segment.end).
    const { start, end, offset } = segment;
    const owned = start + (cron.everyHour ? offset : segment.previousOffset);
    const from = t === start ? owned : Math.max(owned, t + offset);
    if (step === 0) limit = from + SEARCH_SPAN_MS;
    const wall = nextMatchingWall(cron, from, limit);
    if (wall === null) return null;
    if (wall < end + offset) {
      const at = Math.max(wall - offset, start);
      return at > MAX_MS ? null : at;
    }
    t = from <= end - SKIP_MARGIN_MS && wall - SKIP_MARGIN_MS > end ? wall - SKIP_MARGIN_MS : end;
    segment = offsets.segmentAt(t);
  }
  return null;
}

/** The last instant at or before `atOrBeforeMs` at which `cron` fires in `zone`, or null if none. */
export function lastCronRunMs(cron: CompiledCron, zone: string, atOrBeforeMs: number): number | null {
  if (atOrBeforeMs < MIN_MS) return null;
  const offsets = zoneOffsets(zone);
  let t = floorToSecond(Math.min(atOrBeforeMs, MAX_MS));
  let segment = offsets.segmentAt(t);
  let limit = -Infinity;
  for (let step = 0; step < MAX_STEPS; step++) {
    // This step covers the instants [segment.start, t].
    const { start, end, offset } = segment;
    const owned = start + (cron.everyHour ? offset : segment.previousOffset);
    const from = Math.min(end + offset - SECOND_MS, t + offset);
    if (step === 0) limit = from - SEARCH_SPAN_MS;
    const wall = previousMatchingWall(cron, from, limit);
    if (wall === null) return null;
    if (wall >= owned) {
      const at = Math.max(wall - offset, start);
      return at < MIN_MS ? null : at;
    }
    t = from >= start + SKIP_MARGIN_MS && wall + SKIP_MARGIN_MS < start - SECOND_MS ? wall + SKIP_MARGIN_MS : start - SECOND_MS;
    segment = offsets.segmentAt(t);
  }
  return null;
}
