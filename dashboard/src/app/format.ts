/**
 * Time and size formatting for tables: short, and exact on hover. The common scale (two units,
 * `in 1d 23h`, binary units, a zone's wall clock) is @cronfleet/shared's, the CLI's too.
 */
import { binaryUnit, twoUnitDuration } from '@cronfleet/shared/api';

/** A task's or step's duration: `350 ms`, `4.25 s`, `12.5 s`, then as twoUnitDuration (`4m 10s`); `–` for none. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  return twoUnitDuration(ms);
}

/** An instant on this browser's clock, e.g. `2026-11-22 14:05:00`. */
export function local(iso: string | null): string {
  if (!iso) return '–';
  const d = new Date(iso);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `1.5 KiB`, `512 MiB` (whole from 100 on); `–` for none. */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  const { value, unit } = binaryUnit(n);
  return `${value.toFixed(unit === 'B' || value >= 100 ? 0 : 1)} ${unit}`;
}
