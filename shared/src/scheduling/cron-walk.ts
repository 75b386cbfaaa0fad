import { civilFromDays, DAY_MS, daysFromCivil, daysInMonth, SECOND_MS } from './civil';
import { type CompiledCron, dayBitsOf } from './cron-expression';

/**
 * Searching the local calendar for matching wall times (see civil.ts), with no time zone involved:
 * field by field from the largest, jumping straight to the next allowed value of a field that does
 * not match and resetting the smaller fields. Each step either returns or moves to a later (earlier)
 * second, minute, hour, day, month or year, and the year is bounded, so every search ends.
 */

/** Bits of days 1..d (bit 30 for day 31). */
const DAYS_UP_TO = Array.from({ length: 32 }, (_, d) => (d >= 31 ? 0x7fff_ffff : (1 << d) - 1));

/** Calendar fields of a whole-second wall time (local time counted as if it were UTC). */
function wallFields(wall: number): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const days = Math.floor(wall / DAY_MS);
  const secondOfDay = (wall - days * DAY_MS) / SECOND_MS;
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay - hour * 3600) / 60);
  return { ...civilFromDays(days), hour, minute, second: secondOfDay - hour * 3600 - minute * 60 };
}

/**
 * The first whole-second wall time ≥ `fromWall` that matches `cron`, or null if there is none up to
 * `limitWall`. `fromWall` must be a whole second.
 */
export function nextMatchingWall(cron: CompiledCron, fromWall: number, limitWall: number): number | null {
  let { year, month, day, hour, minute, second } = wallFields(fromWall);
  const limitYear = civilFromDays(Math.floor(limitWall / DAY_MS)).year;
  for (;;) {
    if (year > limitYear) return null;
    const m = cron.month.next[month];
    if (m < 0) {
      year++;
      month = 1;
      day = 1;
      hour = minute = second = 0;
      continue;
    }
    if (m !== month) {
      month = m;
      day = 1;
      hour = minute = second = 0;
    }
    const laterDays = day <= daysInMonth(year, month) ? dayBitsOf(cron, year, month) >>> (day - 1) : 0;
    if (laterDays === 0) {
      month++;
      day = 1;
      hour = minute = second = 0;
      continue;
    }
    const d = day + 31 - Math.clz32(laterDays & -laterDays);
    if (d !== day) {
      day = d;
      hour = minute = second = 0;
    }
    const h = cron.hour.next[hour];
    if (h < 0) {
      day++;
      hour = minute = second = 0;
      continue;
    }
    if (h !== hour) {
      hour = h;
      minute = second = 0;
    }
    const mi = cron.minute.next[minute];
    if (mi < 0) {
      hour++;
      minute = second = 0;
      continue;
    }
    if (mi !== minute) {
      minute = mi;
      second = 0;
    }
    const s = cron.second.next[second];
    if (s < 0) {
      minute++;
      second = 0;
      continue;
    }
    const wall = daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + s) * SECOND_MS;
    return wall > limitWall ? null : wall;
  }
}

/**
 * The last whole-second wall time ≤ `fromWall` that matches `cron`, or null if there is none down
 * to `limitWall`. `fromWall` must be a whole second.
 */
export function previousMatchingWall(cron: CompiledCron, fromWall: number, limitWall: number): number | null {
  let { year, month, day, hour, minute, second } = wallFields(fromWall);
  const limitYear = civilFromDays(Math.floor(limitWall / DAY_MS)).year;
  for (;;) {
    if (year < limitYear) return null;
    const m = cron.month.prev[month + 1];
    if (m < 1) {
      year--;
      month = 12;
      day = 31;
      hour = 23;
      minute = second = 59;
      continue;
    }
    if (m !== month) {
      month = m;
      day = 31;
      hour = 23;
      minute = second = 59;
    }
    const dim = daysInMonth(year, month);
    if (day > dim) {
      day = dim;
      hour = 23;
      minute = second = 59;
    }
    const earlierDays = day >= 1 ? dayBitsOf(cron, year, month) & DAYS_UP_TO[day] : 0;
    if (earlierDays === 0) {
      month--;
      day = 31;
      hour = 23;
      minute = second = 59;
      continue;
    }
    const d = 32 - Math.clz32(earlierDays);
    if (d !== day) {
      day = d;
      hour = 23;
      minute = second = 59;
    }
    const h = cron.hour.prev[hour + 1];
    if (h < 0) {
      day--;
      hour = 23;
      minute = second = 59;
      continue;
    }
    if (h !== hour) {
      hour = h;
      minute = second = 59;
    }
    const mi = cron.minute.prev[minute + 1];
    if (mi < 0) {
      hour--;
      minute = second = 59;
      continue;
    }
    if (mi !== minute) {
      minute = mi;
      second = 59;
    }
    const s = cron.second.prev[second + 1];
    if (s < 0) {
      minute--;
      second = 59;
      continue;
    }
    const wall = daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + s) * SECOND_MS;
    return wall < limitWall ? null : wall;
  }
}
