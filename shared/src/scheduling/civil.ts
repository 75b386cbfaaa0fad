/**
 * Proleptic Gregorian calendar arithmetic on "wall milliseconds": a local date and time counted as
 * if it were UTC (`Date.UTC(y, m - 1, d, h, mi, s)`), so a wall time is one number that sorts and
 * subtracts like an instant. Integer-only, no `Date` objects, no time zones: the hot path of next-run
 * computation calls these once per query.
 */

export const SECOND_MS = 1000;
export const DAY_MS = 86_400_000;
/** One Gregorian cycle: after 400 years (146,097 days) dates fall on the same weekdays again. */
export const GREGORIAN_CYCLE_DAYS = 146_097;

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Gregorian leap year: divisible by 4, except centuries not divisible by 400. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month];
}

/** Days since 1970-01-01 of the date `year`-`month`-`day` (month 1-12); after Howard Hinnant. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * GREGORIAN_CYCLE_DAYS + dayOfEra - 719_468;
}

/** A calendar date; `month` is 1-12. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** The date `days` days after 1970-01-01; the inverse of `daysFromCivil`. */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719_468;
  const era = Math.floor(z / GREGORIAN_CYCLE_DAYS);
  const dayOfEra = z - era * GREGORIAN_CYCLE_DAYS;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Day of the week of a day count from 1970-01-01 (a Thursday): 0 = Sunday ... 6 = Saturday. */
export function weekdayOfDays(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

/** The UTC calendar year an instant (or wall time) falls in. */
export function yearOfMs(ms: number): number {
  return civilFromDays(Math.floor(ms / DAY_MS)).year;
}

/** Wall (or UTC) milliseconds of January 1st, 00:00 of `year`. */
export function startOfYearMs(year: number): number {
  return daysFromCivil(year, 1, 1) * DAY_MS;
}

/** `ms` rounded down to a whole second, also for instants before 1970. */
export function floorToSecond(ms: number): number {
  return Math.floor(ms / SECOND_MS) * SECOND_MS;
}
