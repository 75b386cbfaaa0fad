/**
 * How people read the API's times and sizes: the text the dashboard and the CLI both show. Each
 * keeps what is its own (the CLI's `-` for nothing and `350ms`, the dashboard's `–` and `4.25 s`)
 * and takes the common scale from here, so a duration or an age reads the same in both.
 */

/**
 * A duration of a second or more in its two largest units, seconds rounded: `4m 10s`, `2h 5m`,
 * `1d 23h` (days from 24 hours on, never `47h`). What is shorter each writes its own way.
 */
export function twoUnitDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const [d, h, m, sec] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60), s % 60];
  if (d) return h ? `${d}d ${h}h` : `${d}d`;
  if (h) return m ? `${h}h ${m}m` : `${h}h`;
  if (m) return sec ? `${m}m ${sec}s` : `${m}m`;
  return `${sec}s`;
}

/** `in 4m 10s`, `3h 2m ago`, or `now` (less than a second away), from `nowMs`; `none` when there is no instant. */
export function relativeTime(iso: string | null | undefined, nowMs: number, none: string): string {
  if (!iso) return none;
  const ms = Date.parse(iso) - nowMs;
  if (Math.abs(ms) < 1000) return 'now';
  return ms > 0 ? `in ${twoUnitDuration(ms)}` : `${twoUnitDuration(-ms)} ago`;
}

/** How long something has run, in ms: from `startIso` to `endIso`, or to `nowMs` while it runs; null before it started. */
export function elapsedMs(startIso: string | null, endIso: string | null, nowMs: number): number | null {
  if (!startIso) return null;
  return (endIso ? Date.parse(endIso) : nowMs) - Date.parse(startIso);
}

export const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** A byte count in the largest binary unit it reaches (1536 is 1.5 KiB); each writer rounds the value its own way. */
export function binaryUnit(n: number): { value: number; unit: (typeof BINARY_UNITS)[number] } {
  let value = n;
  let i = 0;
  while (value >= 1024 && i < BINARY_UNITS.length - 1) {
    value /= 1024;
    i++;
  }
  return { value, unit: BINARY_UNITS[i] };
}

/**
 * An instant as the wall clock of `timeZone` shows it: `Sun 2026-11-22 14:05:00`, with `zoneName`
 * `Sun 2026-11-22 14:05:00 CET`; the ISO text itself for a zone this runtime does not know.
 */
export function wallClock(iso: string, timeZone: string, zoneName = false): string {
  try {
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      weekday: 'short',
      ...(zoneName ? { timeZoneName: 'short' as const } : {}),
    }).formatToParts(new Date(iso));
    const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
    return `${p.weekday} ${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}${zoneName ? ` ${p.timeZoneName}` : ''}`;
  } catch {
    return iso;
  }
}

/** `text` as it is when it has at most `max` characters, else its first `max - 1` and an ellipsis. */
export function ellipsis(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
