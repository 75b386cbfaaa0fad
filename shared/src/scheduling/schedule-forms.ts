import { DAY_MS, daysFromCivil, daysInMonth } from './civil';
import type { Fail } from './cron-expression';

/**
 * Readers for the schedule forms that are not plain cron fields. Each takes the text after its
 * keyword and a `fail` that throws the caller's error with the detail given.
 */

/** `@yearly` and friends, as the 5-field expressions they stand for (Vixie cron's table). */
export const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const DURATION_UNITS = '(units d, h, m, s)';

/** `30s`, `5m`, `1h30m`, `1d12h`: whole seconds, at least 1 s, as milliseconds. */
export function parseDuration(duration: string, fail: Fail): number {
  const text = duration.trim();
  if (text === '') return fail('missing duration; expected e.g. @every 30s, @every 5m, @every 1h30m');
  const match = /^(?:(\d{1,9})d)?(?:(\d{1,9})h)?(?:(\d{1,9})m)?(?:(\d{1,9})s)?(?:(\d{1,12})ms)?$/i.exec(text);
  if (!match || match.slice(1).every((part) => part === undefined)) {
    return fail(`'${text}' is not a duration; expected e.g. 30s, 5m, 1h30m ${DURATION_UNITS}`);
  }
  const [days, hours, minutes, seconds, millis] = match.slice(1).map((part) => Number(part ?? 0));
  const intervalMs = (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000 + millis;
  if (intervalMs < 1000) fail('interval must be at least 1s');
  if (millis !== 0) fail(`interval must be whole seconds ${DURATION_UNITS}`);
  if (!Number.isSafeInteger(intervalMs)) fail('interval is too long');
  return intervalMs;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * An ISO-8601 / RFC 3339 instant with a UTC offset, as epoch milliseconds: `2026-12-01T10:00:00Z`,
 * `2026-12-01T12:00+02:00`, `2026-12-01T10:00:00.250Z`. A local time without `Z` or an offset is
 * refused: which zone was meant would be a guess.
 */
export function parseInstant(instant: string, fail: Fail): number {
  const text = instant.trim();
  if (text === '') return fail('missing instant; expected e.g. @at 2026-12-01T10:00:00Z');
  const m = INSTANT.exec(text);
  if (!m) return fail(`'${text}' is not an ISO-8601 instant; expected e.g. 2026-12-01T10:00:00Z or 2026-12-01T12:00:00+02:00`);
  if (m[8] === undefined) return fail(`'${text}' has no UTC offset; add Z or an offset such as +02:00`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((part) => Number(part ?? 0));
  const millis = Number((m[7] ?? '').padEnd(3, '0'));
  const offsetSign = m[8].startsWith('-') ? -1 : 1;
  const [offsetHours, offsetMinutes] = m[8].toUpperCase() === 'Z' ? [0, 0] : m[8].slice(1).split(':').map(Number);
  const valid = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) &&
    hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
  if (!valid) return fail(`'${text}' is not a valid date and time`);
  const offsetMs = offsetSign * (offsetHours * 60 + offsetMinutes) * 60_000;
  return daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + millis - offsetMs;
}

/** `HH:MM` or `HH:MM:SS` (hour may be one digit) as the cron expression firing then every day. */
export function dailyToCron(time: string, fail: Fail): string {
  const text = time.trim();
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return fail(`'${text}' is not a time of day; expected HH:MM or HH:MM:SS, e.g. 02:00`);
  const [hour, minute, second] = m.slice(1).map((part) => Number(part ?? 0));
  if (hour > 23) fail(`hour ${hour} is out of range 0-23`);
  if (minute > 59) fail(`minute ${minute} is out of range 0-59`);
  if (second > 59) fail(`second ${second} is out of range 0-59`);
  return second === 0 ? `${minute} ${hour} * * *` : `${second} ${minute} ${hour} * * *`;
}
