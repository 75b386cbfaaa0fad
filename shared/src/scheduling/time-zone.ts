import { civilFromDays, DAY_MS, daysFromCivil, floorToSecond, SECOND_MS, startOfYearMs, yearOfMs } from './civil';

/**
 * A stretch of time during which a zone's UTC offset does not change.
 *
 * `start` is the transition that began it, or an arbitrary earlier instant when no transition is
 * near (then `previousOffset === offset`); `end` is the next transition, or a year boundary. All
 * times are epoch milliseconds, offsets are milliseconds to add to an instant to get wall time.
 */
export interface ZoneSegment {
  readonly start: number;
  readonly end: number;
  readonly offset: number;
  /** The offset just before `start`. */
  readonly previousOffset: number;
}

/** Offsets and transitions of one UTC year (plus the day before it), found by probing Intl. */
interface ZoneYear {
  /** Offset at the first probe, 24 h before the year begins. */
  readonly firstOffset: number;
  /** Offset one second before the first probe: differs from firstOffset if a transition falls on it. */
  readonly offsetBeforeFirst: number;
  readonly transitionsAt: number[];
  /** Offset from each transition on. */
  readonly offsetsAfter: number[];
}

/**
 * Transitions are found by probing the offset once a week and bisecting to the second where it
 * changed. Intl formatting costs ~3.5 µs here, so a zone-year costs ~100 probes (~0.3 ms), once.
 * Two transitions less than a week apart that cancel out would be missed; no current tzdb rule has
 * them (the shortest gaps, Ramadan suspensions of DST, last about a month).
 */
const PROBE_STEP_MS = 7 * DAY_MS;
/** Zone-years kept per zone before the cache is emptied, bounding memory under odd queries. */
const MAX_CACHED_YEARS = 512;

class ZoneOffsets {
  private readonly years = new Map<number, ZoneYear>();
  private readonly format: ((ms: number) => string) | null;

  constructor(zone: string) {
    const dtf = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    this.format = dtf.resolvedOptions().timeZone === 'UTC' ? null : (ms) => dtf.format(ms);
  }

  /** The offset in force at `ms` (whole seconds, in ms). */
  offsetAt(ms: number): number {
    if (this.format === null) return 0;
    const text = this.format(ms);
    const f = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)$/.exec(text);
    if (!f) throw new Error(`unexpected Intl date format '${text}'`);
    const wall = daysFromCivil(+f[3], +f[1], +f[2]) * DAY_MS + ((+f[4] * 60 + +f[5]) * 60 + +f[6]) * SECOND_MS;
    return wall - floorToSecond(ms);
  }

  /** The segment containing instant `ms`. */
  segmentAt(ms: number): ZoneSegment {
    if (this.format === null) return UTC_SEGMENT;
    const year = yearOfMs(ms);
    const data = this.year(year);
    const at = data.transitionsAt;
    let i = at.length - 1;
    while (i >= 0 && at[i] > ms) i--;
    const end = i + 1 < at.length ? at[i + 1] : startOfYearMs(year + 1);
    if (i < 0) {
      return { start: startOfYearMs(year) - DAY_MS, end, offset: data.firstOffset, previousOffset: data.offsetBeforeFirst };
    }
    const previousOffset = i > 0 ? data.offsetsAfter[i - 1] : data.firstOffset;
    return { start: at[i], end, offset: data.offsetsAfter[i], previousOffset };
  }

  private year(year: number): ZoneYear {
    let data = this.years.get(year);
    if (data === undefined) {
      if (this.years.size >= MAX_CACHED_YEARS) this.years.clear();
      data = this.probeYear(year);
      this.years.set(year, data);
    }
    return data;
  }

  /** Transitions in (start of year - 24 h, start of next year]. */
  private probeYear(year: number): ZoneYear {
    const first = startOfYearMs(year) - DAY_MS;
    const last = startOfYearMs(year + 1);
    const firstOffset = this.offsetAt(first);
    const data: ZoneYear = { firstOffset, offsetBeforeFirst: this.offsetAt(first - SECOND_MS), transitionsAt: [], offsetsAfter: [] };
    let t = first;
    let offset = firstOffset;
    while (t < last) {
      const probe = Math.min(t + PROBE_STEP_MS, last);
      if (this.offsetAt(probe) === offset) {
        t = probe;
        continue;
      }
      // The offset is `offset` at lo and something else at hi: bisect to the first such second.
      let lo = t;
      let hi = probe;
      while (hi - lo > SECOND_MS) {
        const mid = lo + Math.floor((hi - lo) / 2 / SECOND_MS) * SECOND_MS;
        if (this.offsetAt(mid) === offset) lo = mid;
        else hi = mid;
      }
      offset = this.offsetAt(hi);
      data.transitionsAt.push(hi);
      data.offsetsAfter.push(offset);
      t = hi;
    }
    return data;
  }
}

const UTC_SEGMENT: ZoneSegment = { start: -Infinity, end: Infinity, offset: 0, previousOffset: 0 };
const zones = new Map<string, ZoneOffsets>();
/** Zone names are matched case-insensitively by Intl, so distinct spellings are bounded here. */
const MAX_CACHED_ZONES = 2000;

/** Cached offsets of `zone`; throws RangeError for a name Intl does not know. */
export function zoneOffsets(zone: string): { offsetAt(ms: number): number; segmentAt(ms: number): ZoneSegment } {
  let offsets = zones.get(zone);
  if (offsets === undefined) {
    offsets = new ZoneOffsets(zone);
    if (zones.size >= MAX_CACHED_ZONES) zones.delete(zones.keys().next().value ?? '');
    zones.set(zone, offsets);
  }
  return offsets;
}

/** Whether Intl knows `zone` as an IANA time zone name (or alias such as `UTC`, `US/Eastern`). */
export function isKnownTimeZone(zone: string): boolean {
  if (zone === '') return false;
  if (zones.has(zone)) return true;
  try {
    zoneOffsets(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall time at instant `ms` in `zone` as `YYYY-MM-DDTHH:MM:SS±HH:MM`, for messages and tests. */
export function formatInZone(ms: number, zone: string): string {
  const offset = zoneOffsets(zone).offsetAt(ms);
  const wall = floorToSecond(ms) + offset;
  const days = Math.floor(wall / DAY_MS);
  const { year, month, day } = civilFromDays(days);
  const seconds = (wall - days * DAY_MS) / SECOND_MS;
  const two = (n: number): string => String(n).padStart(2, '0');
  const abs = Math.abs(offset) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  const time = `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${time}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}
