/** Time and size formatting for tables: short, and exact on hover. */

export function durationMs(startIso: string | null, endIso: string | null, nowMs = Date.now()): number | null {
  if (!startIso) return null;
  return (endIso ? Date.parse(endIso) : nowMs) - Date.parse(startIso);
}

/**
 * `4m 10s`, `2h 5m`, `1d 23h`: the two largest units, days from 24 hours on, the one scale of every
 * duration and relative time on the pages (they said `in 47h` beside `in 3d`); the CLI's too.
 */
function twoUnits(ms: number): string {
  const s = Math.round(ms / 1000);
  const [d, h, m, sec] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60), s % 60];
  if (d) return h ? `${d}d ${h}h` : `${d}d`;
  if (h) return m ? `${h}h ${m}m` : `${h}h`;
  if (m) return sec ? `${m}m ${sec}s` : `${m}m`;
  return `${sec}s`;
}

/** A task's or step's duration: `350 ms`, `4.25 s`, `12.5 s`, then as {@link twoUnits}. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  return twoUnits(ms);
}

/** `in 1d 23h`, `4m 10s ago`, `now`. */
export function relative(iso: string | null, nowMs = Date.now()): string {
  if (!iso) return '–';
  const d = Date.parse(iso) - nowMs;
  if (Math.abs(d) < 1000) return 'now';
  return d > 0 ? `in ${twoUnits(d)}` : `${twoUnits(-d)} ago`;
}

/** An instant in a time zone, e.g. `2026-11-22 14:05:00 Europe/Berlin`. */
export function inZone(iso: string, timeZone: string): string {
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
    }).formatToParts(new Date(iso));
    const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
    return `${p.weekday} ${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
  } catch {
    return iso;
  }
}

export function local(iso: string | null): string {
  if (!iso) return '–';
  const d = new Date(iso);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 || v >= 100 ? 0 : 1)} ${units[i]}`;
}
